import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it answers something other than undefined, and returns that. Past the timeout it
 * fails, naming what it waited for (`what` may read the state it found, for the failure message).
 */
export const until = async <T>(
  what: string | (() => Promise<string>),
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> => {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
    await sleep(options.intervalMs ?? 100);
  }
};
