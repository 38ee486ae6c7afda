import { logger } from '../shared/observability/logger';
import { sweepOutboxes } from '../shared/events/relay';

/** Locally the sweeper runs every second (the reconciler does it every 5 minutes in AWS). */
export const SWEEP_INTERVAL_MS = 1_000;

/**
 * Publishes events left pending by a request or step that crashed before its own relay (or whose publish
 * failed): the local stand-in for the reconciler's sweep. Returns the stop.
 */
export const startEventSweeper = (): (() => Promise<void>) => {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => sweepOutboxes(SWEEP_INTERVAL_MS))
      .catch((error: unknown) => logger.warn('event sweep failed', { error: error as Error }));
  }, SWEEP_INTERVAL_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
};
