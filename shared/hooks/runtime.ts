import type { HookWorker } from './worker';

let current: HookWorker | undefined;

/** Set once per process: by the local runtime (in-process timers, local key) or the delivery Lambda. */
export const useHookWorker = (worker: HookWorker): void => {
  current = worker;
};

export const hookWorker = (): HookWorker => {
  if (!current) throw new Error('No hook worker is configured in this process (useHookWorker).');
  return current;
};
