import { afterEach, describe, expect, it } from 'vitest';
import { getRolloutLock } from '../../shared/store/rollout-store';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { releaseIntegrityProblems, releasesByApp } from '../support/table-census';

type Listed = {
  id: string;
  version: number;
  app: { id: string; name: string };
  status: string;
  current: boolean;
  started_at: string;
};

let slipway: TestSlipway | undefined;
afterEach(async () => {
  await slipway?.close();
  slipway = undefined;
});

/** `perApp` releases for each of `appCount` apps, all requested at once; returns what each answer said. */
const createConcurrently = async (running: TestSlipway, appCount: number, perApp: number, prefix: string) => {
  const apps = await Promise.all(
    Array.from({ length: appCount }, async (_, index) => {
      const name = `${prefix}-${String(index).padStart(2, '0')}`;
      return { name, builds: (await seedApp(running, name, 2)).builds };
    }),
  );
  const requests = apps.flatMap(({ name, builds }) =>
    Array.from({ length: perApp }, (_, index) => ({ name, slug: builds[index % builds.length] })),
  );
  const responses = await Promise.all(
    requests.map(async ({ name, slug }) => ({
      name,
      response: await running.call<Listed>('POST', `/apps/${name}/releases`, { body: { slug, description: `load for ${name}` } }),
    })),
  );
  expect(responses.filter(({ response }) => response.status !== 201).map(({ response }) => response.body)).toEqual([]);
  return { apps, created: responses.map(({ name, response }) => ({ app: name, id: response.body.id, version: response.body.version })) };
};

const listAll = async (running: TestSlipway, app: string) =>
  (await running.call<Listed[]>('GET', `/apps/${app}/releases?limit=1000`)).body;

describe('concurrent release creates', () => {
  it('200 at once across 20 apps: every one answered 201, none lost, each app on versions 1..10 with no gap or repeat', async () => {
    slipway = await startTestSlipway();
    const perApp = 10;
    const { apps, created } = await createConcurrently(slipway, 20, perApp, 'load');

    expect(new Set(created.map((release) => release.id)).size).toBe(200);
    const stored = await releasesByApp();
    for (const { name } of apps) {
      const mine = created.filter((release) => release.app === name).sort((a, b) => a.version - b.version);
      expect(mine.map((release) => release.version), name).toEqual(Array.from({ length: perApp }, (_, index) => index + 1));
      const listed = await listAll(slipway, name);
      expect(listed.map(({ id, version }) => ({ id, version })), name).toEqual(mine.map(({ id, version }) => ({ id, version })));
      expect(releaseIntegrityProblems(stored.get(name) ?? []), name).toEqual([]);
      expect((stored.get(name) ?? []).map((release) => release.id), name).toEqual(mine.map((release) => release.id));
    }
  });

  it('rolled out: one rollout per app at a time in version order, all succeed, the newest is current, every lock ends free', async () => {
    slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
    const running = slipway;
    const perApp = 6;
    const { apps, created } = await createConcurrently(running, 5, perApp, 'rolled');

    const executions = await Promise.all(created.map((release) => running.rollouts?.stepFunctions.finished(release.id)));
    expect(executions.filter((execution) => execution?.status !== 'SUCCEEDED')).toEqual([]);
    for (const { name } of apps) {
      const listed = await listAll(running, name);
      expect(listed.filter((release) => release.status !== 'succeeded'), name).toEqual([]);
      expect(listed.filter((release) => release.current).map((release) => release.version), name).toEqual([perApp]);
      const started = listed.map((release) => Date.parse(release.started_at));
      expect(started, `${name} rolled out in version order`).toEqual([...started].sort((a, b) => a - b));
      expect((await getRolloutLock(listed[0]?.app.id ?? '')).holder, name).toBeNull();
    }
  });
});
