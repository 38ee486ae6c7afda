import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutateRelease } from '../../shared/store/releases-store';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Rollouts that cannot end well: a deployment that outlives its deadline, and a step that fails for good.
 * Either way the release is settled, and the app's lock goes on to the next release.
 */
let slipway: TestSlipway;

beforeAll(async () => {
  slipway = await startTestSlipway({
    rollouts: {
      timeScale: 0.002,
      deadlineSeconds: 0.3,
      // Batches far apart: no deployment gets anywhere within the deadline. Only services made here exist.
      ecs: { batchIntervalMs: 600_000, autoCreateServices: false },
    },
  });
});
afterAll(() => slipway?.close());

const rollouts = () => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  return slipway.rollouts;
};

type Release = { id: string; version: number; status: string; current: boolean; finished_at: string | null; rollout: { message: string | null } | null };

const settle = async (app: string, slug: string) => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug } });
  const execution = await rollouts().stepFunctions.finished(created.body.id);
  const release = (await slipway.call<Release>('GET', `/apps/${app}/releases/${created.body.id}`)).body;
  return { release, execution };
};

describe('a rollout that cannot finish', () => {
  it('ends unknown once the deployment outlives its deadline, after a bounded number of reconciles', async () => {
    await rollouts().ecs.ensureService('local', 'slow-svc');
    const { builds } = await seedApp(slipway, 'slow', 2);
    const first = await settle('slow', builds[0]!);
    expect(first.execution.status).toBe('SUCCEEDED');
    expect(first.release).toMatchObject({ status: 'unknown', current: false });
    expect(first.release.finished_at).not.toBeNull();
    expect(first.release.rollout?.message).toMatch(/did not finish within 0.3 s/);
    // Lock, Deploy, HasReleasePhase, UpdateService, Finish, and one AwaitDeployment per reconcile (every 240 ms here) until 0.3 s.
    expect(first.execution.transitions).toBeLessThanOrEqual(10);

    // The lock was passed on: the next release rolls out (and, as slow, ends the same way).
    const second = await settle('slow', builds[1]!);
    expect(second.release).toMatchObject({ version: 2, status: 'unknown' });
  });

  it('fails a release whose service does not exist, without retrying, and frees the lock', async () => {
    const { builds } = await seedApp(slipway, 'ghost', 2);
    const first = await settle('ghost', builds[0]!);
    expect(first.release).toMatchObject({ status: 'failed', current: false });
    expect(first.release.rollout?.message).toMatch(/ghost-svc' was not found/);
    // Lock, Deploy, Salvage: a missing service is not worth retrying.
    expect(first.execution.transitions).toBe(3);

    const second = await settle('ghost', builds[1]!);
    expect(second.release).toMatchObject({ version: 2, status: 'failed' });
  });

  it('rolls back by itself, once, when a release of an auto_rollback app ends unknown, and never rolls that rollback back', async () => {
    await rollouts().ecs.ensureService('local', 'stuck-svc');
    const app = await slipway.call('POST', '/apps', { body: { name: 'stuck', cluster: 'local', service: 'stuck-svc', auto_rollback: true } });
    const builds: string[] = [];
    for (const tag of ['v1', 'v2']) {
      builds.push((await slipway.call('POST', '/apps/stuck/builds', { body: { image: `registry.local/stuck:${tag}` } })).body.id);
    }
    // Nothing completes in this simulator: v1 is settled as succeeded by hand, the last good release to go back to.
    const first = await settle('stuck', builds[0]!);
    await mutateRelease(app.body.id, first.release.version, () => ({ status: 'succeeded' }));

    const second = await settle('stuck', builds[1]!);
    expect(second.release).toMatchObject({ version: 2, status: 'unknown' });
    const rollback = (await slipway.call<Release & { trigger: string; description: string }>('GET', '/apps/stuck/releases/3')).body;
    expect(rollback).toMatchObject({ trigger: 'auto_rollback' });
    expect(rollback.description).toBe('Rollback to v1 (its build and config): the rollout of v2 ended unknown, with the previous release already being replaced');
    // The rollback ends unknown too (nothing completes here); it is not rolled back in turn.
    await rollouts().stepFunctions.finished(rollback.id);
    expect((await slipway.call<Release>('GET', '/apps/stuck/releases/3')).body.status).toBe('unknown');
    expect((await slipway.call<Release[]>('GET', '/apps/stuck/releases')).body).toHaveLength(3);
  });
});
