import { setTimeout as sleep } from 'node:timers/promises';
import { remainingMs, runBeforeDeadline } from './deadline';

/**
 * Rounds of a step on top of the SDK's own attempts: enough to outlast a burst of timeouts on a hot item,
 * few enough that a store that stays down ends in an answer rather than the function's timeout.
 */
const MAX_ROUNDS = 4;
const BACKOFF_MS = 100;

/**
 * Runs an idempotent store step again when it fails, while the invocation's time left, less `reserveMs`
 * for what must follow it, fits another round twice as long as the last (the SDK's own retries back off
 * with jitter, so a round can take much longer than the one before; a fault they already waited out is not
 * waited out again past the deadline). For steps whose failure would leave a half-made
 * write (a claimed version with no release in its slot, a claim request whose fate is unknown) that only
 * a later writer could settle. Each round runs under a deadline `reserveMs` short of the invocation's, so
 * the store calls it makes (and the SDK's backoff between their attempts) are cut short in time for what follows.
 */
export const retryBeforeDeadline = async <T>(step: () => Promise<T>, reserveMs = 0): Promise<T> => {
  for (let round = 1; ; round++) {
    const startedAt = Date.now();
    try {
      return await runBeforeDeadline(remainingMs() - reserveMs, step);
    } catch (error) {
      if (round >= MAX_ROUNDS || remainingMs() - reserveMs < 2 * (Date.now() - startedAt)) throw error;
      // Jittered, so writers that failed together on one item do not come back together.
      await sleep(Math.random() * BACKOFF_MS * round);
    }
  }
};
