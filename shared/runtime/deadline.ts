import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The moment the current invocation must have answered by (epoch ms), carried with the request rather
 * than passed through every operation, so deep waits (a contended version claim) can stop in time to
 * answer a clean refusal instead of being killed by the Lambda timeout after having written something.
 */
const invocationDeadline = new AsyncLocalStorage<number>();

export const runBeforeDeadline = <T>(remainingMs: number, work: () => Promise<T>): Promise<T> =>
  invocationDeadline.run(Date.now() + remainingMs, work);

/** Milliseconds left before the current invocation's deadline; unbounded outside an invocation. */
export const remainingMs = (): number => {
  const deadline = invocationDeadline.getStore();
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now();
};
