import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SlipwayEvent } from '../api/events';
import { EVENT_SOURCE } from '../domain/events';
import { createAwsClient } from '../aws/aws-client';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;
/** Rounds of re-sending the entries EventBridge failed (throttled, internal errors) before giving up. */
const ATTEMPTS = 4;

let client: EventBridgeClient | undefined;
const eventBridge = (): EventBridgeClient => {
  client ??= createAwsClient(EventBridgeClient, { maxAttempts: 3, requestTimeoutMs: 3_000 });
  return client;
};

const entryOf = (busName: string, event: SlipwayEvent): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: EVENT_SOURCE,
  DetailType: event.type,
  Detail: JSON.stringify(event),
  Time: new Date(event.time),
});

/**
 * Publishes to the Slipway bus: source `slipway`, detail-type the event's type, detail the whole envelope.
 * PutEvents answers 200 with some entries failed; those alone are sent again, with backoff. Throws if any
 * is still refused, so the events stay in their outbox for the sweeper.
 */
export const putEventsToBus = async (busName: string, events: readonly SlipwayEvent[]): Promise<void> => {
  for (let start = 0; start < events.length; start += BATCH) {
    let entries = events.slice(start, start + BATCH).map((event) => entryOf(busName, event));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const { Entries = [] } = await eventBridge().send(new PutEventsCommand({ Entries: entries }));
      const failed = entries.filter((_, index) => Entries[index]?.ErrorCode !== undefined || Entries[index]?.EventId === undefined);
      if (failed.length > 0 && attempt >= ATTEMPTS) {
        const codes = [...new Set(Entries.map((entry) => entry.ErrorCode).filter(Boolean))].join(', ');
        throw new Error(`EventBridge refused ${failed.length} event(s) after ${attempt} attempts: ${codes}`);
      }
      entries = failed;
      if (failed.length > 0) await sleep(50 * 2 ** attempt * Math.random());
    }
  }
};
