import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAppByName } from '../../shared/store/apps-store';
import { findReleaseByVersion } from '../../shared/store/releases-store';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';

/**
 * Live progress: while ECS brings a release's tasks up one by one, the release's counts follow, from ECS's own
 * task state change events (the simulator sends them; the local runtime routes them through the EventBridge
 * rule's pattern to the task event handler), paced to one progress read and write a second.
 */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  // A batch every 4 s: the twelve new tasks of a batch come up one by one over those 4 s, and the release is read
  // about once a second meanwhile. The AwaitDeployment step reconciles every 12 s (its 2 minutes scaled), after
  // these rollouts end: what moves comes from the events.
  slipway = await startSlipwayWithEcs({ batchIntervalMs: 4000 }, { timeScale: 0.1 });
});
afterAll(() => slipway?.close());

type Rollout = { running_new: number; desired: number; failed_tasks: number; traffic_percent: number | null };
type Release = { id: string; version: number; status: string; rollout: Rollout | null };

const releaseOn = async (app: string, desiredCount: number, image: string) => {
  await rolloutsOf(slipway).ecs.ensureService('local', `${app}-svc`, { desiredCount, container: app });
  expect((await slipway.call('POST', '/apps', { body: { name: app, cluster: 'local', service: `${app}-svc` } })).status).toBe(201);
  const build = await slipway.call('POST', `/apps/${app}/builds`, { body: { image, sha: 'abcdef1' } });
  const release = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug: build.body.id } });
  expect(release.status).toBe(201);
  return release.body;
};

/** Every state the release was seen in by polling it every 50 ms until it settled. */
const watchUntilSettled = async (app: string, id: string): Promise<Release[]> => {
  const seen: Release[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const release = (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
    seen.push(release);
    if (!['queued', 'pending'].includes(release.status)) return seen;
    if (Date.now() > deadline) throw new Error(`release ${id} of ${app} did not settle: ${JSON.stringify(release)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const distinct = <T>(values: T[]) => [...new Set(values)];

describe('live rollout progress', () => {
  it('counts a 12-task rollout up as its tasks come up, and its share of running tasks with them, before it succeeds', async () => {
    const release = await releaseOn('fleet', 12, 'registry.local/fleet:v2');
    const seen = await watchUntilSettled('fleet', release.id);
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', rollout: { running_new: 12, desired: 12, traffic_percent: 100 } });
    const pending = seen.filter((state) => state.status === 'pending' && state.rollout);
    const running = distinct(pending.map((state) => state.rollout?.running_new));
    expect(running.length, `running_new seen while pending: ${running.join(', ')}`).toBeGreaterThanOrEqual(4);
    // The counts only ever go up, and never past the desired count.
    expect(running).toEqual([...running].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(Math.max(...running.map(Number))).toBeLessThanOrEqual(12);
    expect(distinct(pending.map((state) => state.rollout?.traffic_percent)).length).toBeGreaterThanOrEqual(3);
  });

  it('counts failing tasks as they fail, until the circuit breaker fails the release', async () => {
    const release = await releaseOn('broken', 12, 'registry.local/broken:v2-unhealthy');
    const seen = await watchUntilSettled('broken', release.id);
    expect(seen.at(-1)?.status).toBe('failed');
    const failing = distinct(seen.filter((state) => state.status === 'pending').map((state) => state.rollout?.failed_tasks ?? 0)).filter((count) => count > 0);
    expect(failing.length, `failed_tasks seen while pending: ${failing.join(', ')}`).toBeGreaterThanOrEqual(2);
  });

  it('writes a release at most about once a second however many tasks change: 200 tasks turning over within seconds', async () => {
    const release = await releaseOn('herd', 200, 'registry.local/herd:v2-burst');
    const app = await findAppByName('herd');
    const revisionOf = async () => (await findReleaseByVersion(app!.id, release.version))?.revision ?? 0;
    const startedAt = Date.now();
    const before = await revisionOf();
    const seen = await watchUntilSettled('herd', release.id);
    const seconds = (Date.now() - startedAt) / 1000;
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', rollout: { running_new: 200, desired: 200 } });
    // 400 task state changes (200 new tasks RUNNING, 200 old ones STOPPED) over the rollout's seconds, against a
    // handful of writes by the rollout's steps and the deployment's events.
    expect(await revisionOf() - before).toBeLessThanOrEqual(Math.ceil(seconds) + 6);
  });
});
