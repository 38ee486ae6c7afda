import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { callSlipway, startSlipwayProcess, type ProcessAnswer, type SlipwayProcess } from '../support/slipway-process';
import { until } from '../support/until';

/**
 * A rollback overtaking a slow bad rollout and a queue, with `npm start` killed (kill -9, its whole process
 * group) at a random moment of the overtake and restarted: the rollback's POST is retried with its
 * Idempotency-Key until answered. Then the rollback is the one release that runs last and is current,
 * nothing created before it succeeded or started after it, nothing is left queued or holding the lock,
 * and no answer was a 5xx.
 */
const ROUNDS = 2;
const QUEUED = 3;

let server: SlipwayProcess | undefined;
let dataDir: string | undefined;
let adminKey = '';
afterAll(async () => {
  await server?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const figures = { rounds: 0, unanswered: 0, serverErrors: 0, killAfterMs: [] as number[], supersededInFlight: 0, endedUnknown: 0 };

const call = async (method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<ProcessAnswer> => {
  const answer = await callSlipway(server as SlipwayProcess, adminKey, method, path, options);
  if (answer.status >= 500) figures.serverErrors++;
  return answer;
};

const ok = async (method: string, path: string, body?: unknown): Promise<any> => {
  const answer = await call(method, path, { body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** The keyed rollback POST until it is answered 201/303; a server that died under it is retried. */
const rollbackOnce = async (app: string, key: string): Promise<any> => {
  for (;;) {
    try {
      const answer = await call('POST', `/apps/${app}/releases`, { body: { release: 'v1' }, key });
      if (answer.status === 201 || answer.status === 303) return answer.body;
      if (answer.status !== 409) throw new Error(`${answer.status} ${JSON.stringify(answer.body)}`);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // fetch failed: the server died under it
      figures.unanswered++;
      return undefined;
    }
    await sleep(100);
  }
};

describe('a rollback across kill -9', () => {
  it('overtakes the bad rollout and the queue exactly once, whenever the server dies', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-rollback-crash-'));
    server = await startSlipwayProcess(dataDir, { fresh: true });
    adminKey = server.adminKey as string;

    for (let round = 0; round < ROUNDS; round++) {
      const app = `rescue-${round}`;
      await ok('POST', '/apps', { name: app, cluster: 'local', service: `${app}-svc` });
      // Taken by v1 (config version 1); the rollback to v1 writes it again as version 2, once, however it is retried.
      await ok('PATCH', `/apps/${app}/config-vars`, { FOO: 'v1' });
      const build = async (tag: string) => (await ok('POST', `/apps/${app}/builds`, { image: `registry.local/${app}:${tag}` })).id;
      const good = await ok('POST', `/apps/${app}/releases`, { slug: await build('good') });
      await until('v1 to succeed', async () => ((await ok('GET', `/apps/${app}/releases/${good.id}`)).status === 'succeeded' ? true : undefined));
      const bad = await ok('POST', `/apps/${app}/releases`, { slug: await build('bad-slow') });
      await until('the bad deployment to start', async () =>
        (await ok('GET', `/apps/${app}/releases/${bad.id}`)).rollout?.deployment_id ? true : undefined,
      );
      for (let index = 0; index < QUEUED; index++) await ok('POST', `/apps/${app}/releases`, { slug: await build(`next-${index}`) });

      const key = `rescue-${round}`;
      const first = rollbackOnce(app, key);
      const killAfter = Math.round(Math.random() * 400);
      figures.killAfterMs.push(killAfter);
      await sleep(killAfter);
      await server.kill9();
      await first;
      server = await startSlipwayProcess(dataDir, { fresh: false });
      figures.rounds++;
      let rollback: any;
      while (!(rollback = await rollbackOnce(app, key))) await sleep(100);

      const settled = await until('the rollback to settle', async () => {
        const release = await ok('GET', `/apps/${app}/releases/${rollback.id}`);
        return ['succeeded', 'failed', 'unknown'].includes(release.status) ? release : undefined;
      });
      expect(settled).toMatchObject({ version: 2 + QUEUED + 1, status: 'succeeded', current: true, trigger: 'rollback', config_version: 2 });
      expect(await ok('GET', `/apps/${app}/config-vars`)).toEqual({ FOO: 'v1' });
      const listed: any[] = await ok('GET', `/apps/${app}/releases?limit=1000`);
      expect(listed.map((release) => release.version)).toEqual(Array.from({ length: 2 + QUEUED + 1 }, (_, index) => index + 1));
      for (const release of listed.slice(1, -1)) {
        // Overtaken: failed and naming the rollback, or cut short by the crash itself (unknown); never run after it.
        expect(['failed', 'unknown'], `v${release.version}`).toContain(release.status);
        if (release.status === 'failed') expect(release.superseded_by, `v${release.version}`).toEqual({ id: rollback.id, version: settled.version });
        expect(Date.parse(release.finished_at), `v${release.version}`).toBeLessThanOrEqual(Date.parse(settled.finished_at));
        if (release.started_at) expect(Date.parse(release.started_at)).toBeLessThanOrEqual(Date.parse(settled.started_at));
      }
      if (listed[1].superseded_by) figures.supersededInFlight++;
      figures.endedUnknown += listed.filter((release) => release.status === 'unknown').length;
      const detail = await ok('GET', `/apps/${app}`);
      expect(detail).toMatchObject({ current_release: { id: rollback.id, image: `registry.local/${app}:good` }, rollout_in_flight: null });
    }
    expect(figures.serverErrors).toBe(0);
    console.log('rollback crash proof:', JSON.stringify(figures));
  }, 240_000);
});
