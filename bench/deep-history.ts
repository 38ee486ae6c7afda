import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../shared/api/cursor';
import type { Release } from '../shared/domain/model';
import { releaseFixture } from '../shared/fixtures/model';
import { createStore, type Store } from '../shared/store/client';
import { lockKey } from '../shared/store/keys';
import { releaseIndexRows } from '../shared/store/release-index-store';
import { releaseItem } from '../shared/store/releases-store';
import type { ApiClient } from './http-load';

const BATCH = 25;
const PARALLEL_BATCHES = 8;

type Seeded = { appName: string; appId: string; slugId: string };

/** Seeded releases are 10 minutes apart, ending now: 100 000 of them span about two years. */
const SPACING_MS = 10 * 60_000;
const labelOf = (version: number) => `1.0.${version}`;
const shaOf = (version: number) => version.toString(16).padStart(12, 'a');
/** Every tenth release failed, so a status filter has something to skip. */
const statusOf = (version: number) => (version % 10 === 0 ? 'failed' : 'succeeded');

const releaseAt = (app: Seeded, version: number, at: string): Release =>
  releaseFixture({
    id: randomUUID(),
    app: { id: app.appId, name: app.appName },
    version,
    slug: { id: app.slugId },
    image: `registry.local/${app.appName}:v1`,
    description: `Deploy v${version}`,
    status: statusOf(version),
    state: 'success',
    user: { id: 'bench', email: 'bench@slipway.local' },
    created_at: at,
    updated_at: at,
    started_at: at,
    finished_at: at,
    build_labels: { version: labelOf(version), commit: shaOf(version), tag: null, branch: 'main' },
    changes: {
      commits: [{ sha: shaOf(version), author: 'bench', committed_at: new Date(Date.parse(at) - 3_600_000).toISOString(), message: 'bench' }],
      since_version: version - 1,
      complete: true,
      reason: 'seeded',
    },
  });

const createdAtOf = (version: number, count: number, now: number) => new Date(now - (count - version) * SPACING_MS).toISOString();

const writeBatch = async (store: Store, items: Record<string, unknown>[]) => {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  while (pending.length > 0) {
    const { UnprocessedItems } = await store.client.send(
      new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
    );
    pending = (UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
  }
};

/** Writes `count` release items and their index rows straight into the table, as the releases store writes them. */
export const seedReleases = async (store: Store, app: Seeded, count: number, now: number): Promise<void> => {
  // Settled history, as rollouts leave it: the lock remembers how far, so the queue is sought above it and not
  // along the whole history. Written first, so that a queue reconciler passing while the history is written
  // does not walk it either.
  await writeBatch(store, [{ ...lockKey(app.appId), type: 'rollout_lock', settled_through: count }]);
  let next = 1;
  const perRelease = 1 + releaseIndexRows(releaseAt(app, 1, new Date(now).toISOString())).length;
  const releasesPerBatch = Math.floor(BATCH / perRelease);
  const worker = async () => {
    while (next <= count) {
      const first = next;
      next = Math.min(count + 1, next + releasesPerBatch);
      const items = [];
      for (let version = first; version < next; version++) {
        const release = releaseAt(app, version, createdAtOf(version, count, now));
        items.push(releaseItem(release), ...releaseIndexRows(release));
      }
      await writeBatch(store, items);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
};

export type PageTiming = { label: string; medianMs: number; p99Ms: number; items: number };
/** The same question of the shallow and the deep app, answered with as many items. */
export type FilteredTiming = { label: string; shallow: PageTiming; deep: PageTiming };

const SAMPLES = 200;

/**
 * Times list requests over HTTP through the local gateway, sequentially and interleaved (one of each
 * page per round) so that whatever else the machine does weighs on every page alike.
 */
const timePages = async (url: string, key: string, pages: { label: string; path: string }[]): Promise<PageTiming[]> => {
  const fetchPage = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`${path} -> ${response.status} ${await response.text()}`);
    const body: unknown = await response.json();
    // A list counts its items; any other answer (metrics) is one.
    return Array.isArray(body) ? body : [body];
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
}): Promise<{ seedSeconds: number; pages: PageTiming[]; filtered: FilteredTiming[] }> => {
  const store = createStore({ tableName: options.tableName, endpoint: options.dynamoEndpoint });
  const deepApp = await createSeededApp(options.api, 'history-deep');
  const shallowApp = await createSeededApp(options.api, 'history-shallow');
  const started = performance.now();
  const now = Date.now();
  await seedReleases(store, shallowApp, options.shallow, now);
  await seedReleases(store, deepApp, options.deep, now);
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
  return { seedSeconds, pages, filtered: await timeFiltered(options, now) };
};

/**
 * Filtered lists and delivery metrics of the deep app against the same question of the shallow one, each
 * pair answering with the same number of items (metrics: the deep app's window holds as many releases as
 * the shallow app's whole history), interleaved like the pages above.
 */
const timeFiltered = async (options: { url: string; key: string; deep: number; shallow: number }, now: number): Promise<FilteredTiming[]> => {
  const { deep, shallow } = options;
  const since = (count: number) => encodeURIComponent(createdAtOf(count - 5, count, now));
  const questions = [
    { label: 'version=<one label>', path: (count: number) => `version=${labelOf(Math.ceil(count / 2))}` },
    { label: 'revision=<one sha>', path: (count: number) => `revision=${shaOf(Math.ceil(count / 2))}` },
    { label: 'build=<the build>&order=desc&limit=5', path: () => `build=${'{build}'}&order=desc&limit=5` },
    { label: 'status=failed&order=desc&limit=1', path: () => 'status=failed&order=desc&limit=1' },
    { label: 'trigger=deploy&status=succeeded&limit=5', path: () => 'trigger=deploy&status=succeeded&limit=5' },
    { label: 'since=<the last 6 releases>', path: (count: number) => `since=${since(count)}` },
  ];
  const builds = {
    shallow: (await fetchJson<{ slug: { id: string } }[]>(options, '/apps/history-shallow/releases?limit=1'))[0]?.slug.id ?? '',
    deep: (await fetchJson<{ slug: { id: string } }[]>(options, '/apps/history-deep/releases?limit=1'))[0]?.slug.id ?? '',
  };
  const pages = questions.flatMap((question) => [
    { label: `${question.label}, app with ${shallow}`, path: `/apps/history-shallow/releases?${question.path(shallow).replace('{build}', builds.shallow)}` },
    { label: `${question.label}, app with ${deep.toLocaleString('en')}`, path: `/apps/history-deep/releases?${question.path(deep).replace('{build}', builds.deep)}` },
  ]);
  // The shallow app's 10 releases span 100 minutes; the deep app's last 100 minutes hold as many.
  pages.push(
    { label: `metrics window=2h (whole history), app with ${shallow}`, path: '/apps/history-shallow/metrics?window=2h' },
    { label: `metrics window=2h, app with ${deep.toLocaleString('en')}`, path: '/apps/history-deep/metrics?window=2h' },
  );
  const timings = await timePages(options.url, options.key, pages);
  const pairs: FilteredTiming[] = [];
  for (let index = 0; index + 1 < timings.length; index += 2) {
    const [shallowTiming, deepTiming] = [timings[index], timings[index + 1]];
    if (shallowTiming && deepTiming) pairs.push({ label: shallowTiming.label.replace(/, app with .*$/, ''), shallow: shallowTiming, deep: deepTiming });
  }
  return pairs;
};

const fetchJson = async <T>(options: { url: string; key: string }, path: string): Promise<T> => {
  const response = await fetch(`${options.url}${path}`, { headers: { authorization: `Bearer ${options.key}` } });
  return (await response.json()) as T;
};
