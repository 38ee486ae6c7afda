/**
 * Waits this process may cut short when it shuts down. A Lambda invocation always runs to its end, but the local
 * server, closing, should neither wait out its handlers' pauses nor let them carry on into whatever starts next.
 */
const pauses = new Set<() => void>();

/** Waits `ms`; true when the wait ran its course, false when the process cut it short. */
export const pause = (ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const end = (ranItsCourse: boolean) => {
      clearTimeout(timer);
      pauses.delete(cut);
      resolve(ranItsCourse);
    };
    const cut = () => end(false);
    const timer = setTimeout(() => end(true), Math.max(0, ms));
    pauses.add(cut);
  });

/** Ends every pause under way at once (those begun later wait as usual). */
export const cutPausesShort = (): void => {
  for (const cut of [...pauses]) cut();
};
