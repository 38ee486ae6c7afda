import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../shared/api/cursor';
import type { Release } from '../shared/domain/model';
import { createStore, type Store } from '../shared/store/client';
import { releaseItem } from '../shared/store/releases-store';
import type { ApiClient } from './http-load';

const BATCH = 25;
const PARALLEL_BATCHES = 8;

type Seeded = { appName: string; appId: string; slugId: string };

const releaseAt = (app: Seeded, version: number, at: string): Release => ({
  id: randomUUID(),
  app: { id: app.appId, name: app.appName },
  version,
  slug: { id: app.slugId },
  image: `registry.local/${app.appName}:v1`,
  description: `Deploy v${version}`,
  status: 'succeeded',
  state: 'success',
  user: { id: 'bench', email: 'bench@slipway.local' },
  trigger: 'deploy',
  created_at: at,
  updated_at: at,
  started_at: at,
  finished_at: at,
  rollout: null,
  checks: {},
  revision: 0,
});

const writeBatch = async (store: Store, items: Record<string, unknown>[]) => {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  while (pending.length > 0) {
    const { UnprocessedItems } = await store.client.send(
      new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
    );
    pending = (UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
  }
};

/** Writes `count` release items straight into the table, in the exact shape the releases store writes. */
export const seedReleases = async (store: Store, app: Seeded, count: number): Promise<void> => {
  const at = new Date().toISOString();
  let next = 1;
  const worker = async () => {
    while (next <= count) {
      const first = next;
      next = Math.min(count + 1, next + BATCH);
      const items = [];
      for (let version = first; version < next; version++) items.push(releaseItem(releaseAt(app, version, at)));
      await writeBatch(store, items);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
};

export type PageTiming = { label: string; medianMs: number; p99Ms: number; items: number };

const SAMPLES = 200;

/**
 * Times list requests over HTTP through the local gateway, sequentially and interleaved (one of each
 * page per round) so that whatever else the machine does weighs on every page alike.
 */
const timePages = async (url: string, key: string, pages: { label: string; path: string }[]): Promise<PageTiming[]> => {
  const fetchPage = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`${path} -> ${response.status} ${await response.text()}`);
    return (await response.json()) as unknown[];
  };
  const durations = pages.map((): number[] => []);
  const items = pages.map(() => 0);
  for (let round = -10; round < SAMPLES; round++) {
    for (const [index, page] of pages.entries()) {
      const started = performance.now();
      const count = (await fetchPage(page.path)).length;
      // The first rounds only warm up the JIT and the connection pool.
      if (round < 0) continue;
      durations[index]?.push(performance.now() - started);
      items[index] = count;
    }
  }
  return pages.map((page, index) => {
    const sorted = [...(durations[index] ?? [])].sort((a, b) => a - b);
    return {
      label: page.label,
      medianMs: sorted[Math.floor(SAMPLES / 2)] ?? Number.NaN,
      p99Ms: sorted[Math.floor(SAMPLES * 0.99)] ?? Number.NaN,
      items: items[index] ?? 0,
    };
  });
};

const createSeededApp = async (api: ApiClient, name: string): Promise<Seeded> => {
  const app = await api<{ id: string }>('POST', '/apps', { name, cluster: 'bench', service: `${name}-svc` });
  const build = await api<{ id: string }>('POST', `/apps/${name}/builds`, { image: `registry.local/${name}:v1` });
  return { appName: name, appId: app.id, slugId: build.id };
};

/**
 * An app with `deep` releases against one with `shallow`: equal-sized pages from the start, the middle
 * and the end of the deep history (by cursor) should cost what the shallow app's whole list costs.
 */
export const measureDeepHistory = async (options: {
  url: string;
  key: string;
  dynamoEndpoint: string;
  tableName: string;
  api: ApiClient;
  deep: number;
  shallow: number;
}): Promise<{ seedSeconds: number; pages: PageTiming[] }> => {
  const store = createStore({ tableName: options.tableName, endpoint: options.dynamoEndpoint });
  const deepApp = await createSeededApp(options.api, 'history-deep');
  const shallowApp = await createSeededApp(options.api, 'history-shallow');
  const started = performance.now();
  await seedReleases(store, shallowApp, options.shallow);
  await seedReleases(store, deepApp, options.deep);
  const seedSeconds = (performance.now() - started) / 1000;

  const deep = options.deep.toLocaleString('en');
  const pages = await timePages(options.url, options.key, [
    { label: `all ${options.shallow}, app with ${options.shallow} releases`, path: '/apps/history-shallow/releases' },
    { label: `first 10, app with ${deep}`, path: '/apps/history-deep/releases?limit=10' },
    {
      label: `10 after v${(options.deep / 2).toLocaleString('en')} (cursor), app with ${deep}`,
      path: `/apps/history-deep/releases?limit=10&cursor=${encodeCursor(options.deep / 2)}`,
    },
    { label: `last 10 (cursor), app with ${deep}`, path: `/apps/history-deep/releases?limit=10&cursor=${encodeCursor(options.deep - 10)}` },
    { label: `first 100 (default page), app with ${deep}`, path: '/apps/history-deep/releases' },
    { label: `last 100 (cursor), app with ${deep}`, path: `/apps/history-deep/releases?cursor=${encodeCursor(options.deep - 100)}` },
  ]);
  return { seedSeconds, pages };
};
