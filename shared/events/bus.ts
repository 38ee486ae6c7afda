import type { SlipwayEvent } from '../api/events';
import { logger } from '../observability/logger';

export type EventHandler = (event: SlipwayEvent) => Promise<void>;

const handlers = new Set<EventHandler>();

/**
 * The local, in-process bus: every event published in this process reaches each subscriber (at least
 * once, like EventBridge; dedupe by `id`). Returns the unsubscribe. In AWS the same envelopes arrive through
 * EventBridge (source `slipway`) instead, as the `detail` of the rule's target message.
 */
export const subscribe = (handler: EventHandler): (() => void) => {
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
};

/**
 * Hands the events to every subscriber. A subscriber that throws does not stop the others, nor the
 * publisher: consumers own their retries, as an EventBridge target would.
 */
export const deliverInProcess = async (events: readonly SlipwayEvent[]): Promise<void> => {
  for (const event of events) {
    await Promise.all(
      [...handlers].map((handler) =>
        handler(event).catch((error: unknown) => logger.warn('event subscriber failed', { eventId: event.id, type: event.type, error })),
      ),
    );
  }
};
