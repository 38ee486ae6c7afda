import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';

export type LoadFigures = {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  failures: number;
};

const CONNECTIONS = 10;
const SECONDS = 10;
const WARM_UP_SECONDS = 2;

const figuresOf = (name: string, result: AutocannonResult): LoadFigures => ({
  name,
  requestsPerSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  total: result.requests.total,
  failures: result.errors + result.timeouts + result.non2xx,
});

/** Loads one endpoint for a fixed time after a short unmeasured warm-up (JIT, connection pools). */
export const load = async (
  name: string,
  options: AutocannonOptions,
  timing: { seconds: number; warmUpSeconds: number } = { seconds: SECONDS, warmUpSeconds: WARM_UP_SECONDS },
): Promise<LoadFigures> => {
  await autocannon({ ...options, connections: CONNECTIONS, duration: timing.warmUpSeconds });
  const figures = figuresOf(name, await autocannon({ ...options, connections: CONNECTIONS, duration: timing.seconds }));
  console.log(
    `  ${name}: ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ${figures.failures} failed`,
  );
  return figures;
};

export const LOAD_SETUP = { connections: CONNECTIONS, seconds: SECONDS, warmUpSeconds: WARM_UP_SECONDS };

export type ApiClient = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** A minimal client for seeding through the public API, failing loudly on anything but 2xx. */
export const apiClient = (url: string, key: string): ApiClient => async (method, path, body) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return JSON.parse(text) as never;
};
