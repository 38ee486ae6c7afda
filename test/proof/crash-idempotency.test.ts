import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { callSlipway, startSlipwayProcess, type ProcessAnswer, type SlipwayProcess } from '../support/slipway-process';
import { expectAnsweredReleasesKept } from '../support/kept-releases';
import { until } from '../support/until';

/**
 * Exactly once per Idempotency-Key across crashes, as a user meets it: `npm start` runs as a child process;
 * a burst of keyed release creates and keyed promotions is sent, the server is killed with kill -9 (its
 * whole process group) at a random moment, restarted, and every request not yet answered 201/303 is
 * retried with its key, until all are. Then: one release per key, gap-free versions, each promotion
 * released each target once and ended, and no answer was a 5xx. Releases declared as Echoes' API takes them
 * ride along: their payload is their key (the header they are sent with counts for nothing), so each
 * declaration is one release on each of its external apps however often the server died under it.
 */
const KILLS = 3;
const FREE_APPS = ['crash-a1', 'crash-a2', 'crash-a3'];
const KEYS_PER_APP = 6;
const STAGING_APPS = ['crash-s1', 'crash-s2'];
const PROMOTIONS = 4;
const EXTERNAL_APPS = ['crash-m1', 'crash-m2'];
const DECLARATIONS = 5;

type Answer = ProcessAnswer;
type Item = { key: string; path: string; body: unknown; location?: string };

let server: SlipwayProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await server?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const figures = { crashes: 0, requestsRetried: 0, unanswered: 0, created201: 0, replayed303: 0, inFlight409: 0, serverErrors: 0 };
const phases: Record<string, number> = {};
const t0 = Date.now();
const mark = (phase: string) => (phases[phase] = Date.now() - t0);
const attempted = new Set<string>();

const call = async (method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<Answer> => {
  const answer = await callSlipway(server as SlipwayProcess, adminKey, method, path, options);
  if (answer.status >= 500) figures.serverErrors++;
  return answer;
};

let adminKey = '';

const ok = async (method: string, path: string, body?: unknown): Promise<any> => {
  const answer = await call(method, path, { body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** Sends every unanswered item once, concurrently; an item is answered by a 201 or a 303. */
const sendPending = (items: Item[]) =>
  Promise.all(
    items
      .filter((item) => item.location === undefined)
      .map(async (item) => {
        if (attempted.has(item.key)) figures.requestsRetried++;
        attempted.add(item.key);
        try {
          const answer = await call('POST', item.path, { body: item.body, key: item.key });
          if (answer.status === 201 || answer.status === 303) {
            item.location = answer.location ?? undefined;
            figures[answer.status === 201 ? 'created201' : 'replayed303']++;
          } else if (answer.status === 409) figures.inFlight409++;
          else if (answer.status < 500) throw new Error(`${item.key}: ${answer.status} ${JSON.stringify(answer.body)}`);
        } catch (error) {
          if (!(error instanceof TypeError)) throw error; // fetch failed: the server died under it
          figures.unanswered++;
        }
      }),
  );

describe('Idempotency-Key across kill -9', () => {
  it('makes one release per key and releases each promotion target once, however often the server dies', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-'));
    server = await startSlipwayProcess(dataDir, { fresh: true });
    adminKey = server.adminKey as string;

    await ok('POST', '/pipelines', { name: 'crash' });
    const builds: Record<string, string> = {};
    for (const app of [...FREE_APPS, 'crash-dev', ...STAGING_APPS]) {
      await ok('POST', '/apps', { name: app, cluster: 'local', service: `${app}-svc` });
      builds[app] = (await ok('POST', `/apps/${app}/builds`, { image: `registry.local/${app}:v1`, sha: '1a2b3c4' })).id;
    }
    for (const app of EXTERNAL_APPS) await ok('POST', '/apps', { name: app });
    await ok('POST', '/pipeline-couplings', { pipeline: 'crash', app: 'crash-dev', stage: 'development' });
    for (const app of STAGING_APPS) await ok('POST', '/pipeline-couplings', { pipeline: 'crash', app, stage: 'staging' });
    const source = await ok('POST', '/apps/crash-dev/releases', { slug: builds['crash-dev'] });
    mark('setup');
    await until('the source release to succeed', async () =>
      (await ok('GET', `/apps/crash-dev/releases/${source.id}`)).status === 'succeeded' ? true : undefined,
    );

    const releases: Item[] = FREE_APPS.flatMap((app) =>
      Array.from({ length: KEYS_PER_APP }, (_, index) => ({
        key: `release-${app}-${index}`,
        path: `/apps/${app}/releases`,
        body: { slug: builds[app], description: `keyed create ${index}` },
      })),
    );
    const promotions: Item[] = Array.from({ length: PROMOTIONS }, (_, index) => ({
      key: `promotion-${index}`,
      path: '/pipeline-promotions',
      body: {
        pipeline: { name: 'crash' },
        source: { app: { name: 'crash-dev' }, release: { id: source.id } },
        targets: STAGING_APPS.map((name) => ({ app: { name } })),
      },
    }));
    const declarations: Item[] = Array.from({ length: DECLARATIONS }, (_, index) => ({
      key: `declaration-${index}`,
      path: '/v1/signals/releases',
      body: { version: `v1.${index}.0`, commits: ['1a2b3c4'], deliverables: EXTERNAL_APPS },
    }));
    const items = [...releases, ...promotions, ...declarations];

    for (let crash = 0; crash < KILLS; crash++) {
      mark(`crash ${crash}`);
      const burst = sendPending(items);
      // Anywhere from mid-burst (writes half done) to after the answers (rollouts under way).
      await sleep(50 + Math.random() * 1950);
      await server.kill9();
      figures.crashes++;
      await burst;
      server = await startSlipwayProcess(dataDir, { fresh: false });
    }
    mark('restarted');
    while (items.some((item) => item.location === undefined)) {
      await sendPending(items);
      await sleep(100);
    }

    // Everything answered: a retry of any item now names the very same resource.
    const locations = items.map((item) => item.location);
    const again = await Promise.all(items.map((item) => call('POST', item.path, { body: item.body, key: item.key })));
    expect(again.map((answer) => answer.status)).toEqual(items.map(() => 303));
    expect(again.map((answer) => answer.location)).toEqual(locations);

    const found: Record<string, number> = {};
    for (const app of FREE_APPS) {
      const made = releases.filter((item) => item.path === `/apps/${app}/releases`).map((item) => item.location?.split('/').pop() as string);
      expect(new Set(made).size, app).toBe(KEYS_PER_APP);
      await expectAnsweredReleasesKept(call, app, made);
      found[app] = made.length;
    }

    mark('answered');
    const ended = await Promise.all(
      promotions.map((item) =>
        until(`promotion ${item.key} to end`, async () => {
          const promotion = await ok('GET', item.location as string);
          return promotion.status === 'pending' ? undefined : promotion;
        }),
      ),
    );
    for (const promotion of ended) expect(['succeeded', 'failed', 'partially_failed']).toContain(promotion.status);
    for (const app of STAGING_APPS) {
      const listed: { id: string; version: number }[] = await ok('GET', `/apps/${app}/releases?limit=1000`);
      found[app] = listed.length;
      expect(listed.map((release) => release.version), app).toEqual(Array.from({ length: PROMOTIONS }, (_, index) => index + 1));
      const targeted = ended.map((promotion) => promotion.targets.find((target: any) => target.app.name === app)?.release?.id);
      expect(listed.map((release) => release.id).sort(), app).toEqual([...targeted].sort());
    }
    mark('ended');
    for (const app of EXTERNAL_APPS) {
      const listed: { id: string; version: number; build: { version: string } }[] = await ok('GET', `/apps/${app}/releases?limit=1000`);
      found[app] = listed.length;
      expect(listed.map((release) => release.version), app).toEqual(Array.from({ length: DECLARATIONS }, (_, index) => index + 1));
      expect(listed.map((release) => release.build.version).sort(), app).toEqual(declarations.map((item) => (item.body as { version: string }).version).sort());
    }
    for (const item of declarations) {
      const declared = await ok('GET', item.location as string);
      expect(declared.releases.every((release: { version: number | null }) => release.version !== null), item.key).toBe(true);
    }
    expect((await ok('GET', '/apps/crash-dev/releases')).length).toBe(1);
    expect(figures.serverErrors).toBe(0);

    console.log(
      'crash proof:',
      JSON.stringify({
        ...figures,
        releasesExpected: FREE_APPS.length * KEYS_PER_APP + STAGING_APPS.length * PROMOTIONS + EXTERNAL_APPS.length * DECLARATIONS,
        releasesFound: Object.values(found).reduce((sum, count) => sum + count, 0),
        promotions: ended.map((promotion) => promotion.status),
        phases,
      }),
    );
  }, 180_000);
});
