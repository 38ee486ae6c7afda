/**
 * Creates in flight on one app: `inFlight` POSTs sent at once, every answer timed, a few rounds. What a
 * deploy storm on one app (a monorepo's CI, a promotion fan-in) does to the version claim.
 */
export type BurstFigures = {
  inFlight: number;
  rounds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  created: number;
  /** 409/503 answers, each with Retry-After (anything else counts as an error). */
  refused: number;
  errors: number;
};

export const percentile = (sorted: readonly number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;

export const measureBurst = async (
  target: { url: string; key: string; app: string; slug: string },
  inFlight: number,
  rounds: number,
): Promise<BurstFigures> => {
  const latencies: number[] = [];
  const counts = { created: 0, refused: 0, errors: 0 };
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        const started = performance.now();
        const response = await fetch(`${target.url}/apps/${target.app}/releases`, {
          method: 'POST',
          headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ slug: target.slug }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        if (response.status === 201) counts.created += 1;
        else if ([409, 503].includes(response.status) && response.headers.get('retry-after')) counts.refused += 1;
        else counts.errors += 1;
      }),
    );
  }
  latencies.sort((a, b) => a - b);
  const figures = {
    inFlight,
    rounds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    ...counts,
  };
  console.log(
    `  ${inFlight} in flight × ${rounds}: p50 ${figures.p50Ms.toFixed(0)} ms, p99 ${figures.p99Ms.toFixed(0)} ms, max ${figures.maxMs.toFixed(0)} ms; ${figures.created} created, ${figures.refused} refused, ${figures.errors} errors`,
  );
  return figures;
};
