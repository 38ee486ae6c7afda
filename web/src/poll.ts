import { useEffect, useRef, useState } from 'preact/hooks';

/** While a rollout is in flight the page follows it closely; otherwise it only looks for news. */
export const BUSY_POLL_MS = 1000;
export const IDLE_POLL_MS = 5000;

export type Loaded<T> = { data: T | undefined; error: Error | undefined; reload: () => void };

/**
 * Loads `load()` and loads it again after `intervalOf(data)` milliseconds, skipping turns while the tab is
 * hidden. `deps` restart it (another app, another pipeline).
 */
export const usePolled = <T>(load: () => Promise<T>, intervalOf: (data: T) => number, deps: readonly unknown[]): Loaded<T> => {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      let next = IDLE_POLL_MS;
      if (!document.hidden) {
        try {
          const value = await latest.current();
          if (stopped) return;
          setData(value);
          setError(undefined);
          next = intervalOf(value);
        } catch (caught) {
          if (stopped) return;
          setError(caught instanceof Error ? caught : new Error(String(caught)));
        }
      }
      if (!stopped) timer = setTimeout(run, next);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((value) => value + 1) };
};
