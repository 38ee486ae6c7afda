import { AsyncLocalStorage } from 'node:async_hooks';

/** The moment work must have ended by (epoch ms), and the signal that aborts what is still running then. */
type Deadline = { at: number; signal?: AbortSignal };

/**
 * The moment the current invocation must have answered by, carried with the request rather than passed
 * through every operation, so deep waits (a contended version claim, the SDK's retries of a throttled write)
 * stop in time to answer a clean refusal instead of being killed by the Lambda timeout after having written
 * something. Steps that must leave time for what follows them run under a nearer deadline of their own.
 */
const currentDeadline = new AsyncLocalStorage<Deadline>();

/** Runs `work` with `remainingMs` from now as its deadline, never later than the one it runs under. */
export const runBeforeDeadline = <T>(remainingMs: number, work: () => Promise<T>): Promise<T> => {
  const outer = currentDeadline.getStore()?.at ?? Number.POSITIVE_INFINITY;
  return currentDeadline.run({ at: Math.min(outer, Date.now() + remainingMs) }, work);
};

/** Milliseconds left before the current deadline; unbounded outside an invocation. */
export const remainingMs = (): number => {
  const deadline = currentDeadline.getStore();
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline.at - Date.now();
};

/** Aborts at the current deadline (one signal per deadline); none outside an invocation. */
export const deadlineSignal = (): AbortSignal | undefined => {
  const deadline = currentDeadline.getStore();
  if (deadline === undefined || !Number.isFinite(deadline.at)) return undefined;
  deadline.signal ??= AbortSignal.timeout(Math.max(0, deadline.at - Date.now()));
  return deadline.signal;
};

/**
 * Runs `work` under no deadline: for work a request sets going that AWS runs apart from it (a webhook delivery and
 * its retries, in their own invocations), when the local server runs it in the request's process.
 */
export const apartFromInvocation = <T>(work: () => T): T => currentDeadline.exit(work);
