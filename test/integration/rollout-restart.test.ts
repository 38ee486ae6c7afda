import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalSlipway } from '../../local/slipway';
import { lockExpiry } from '../../shared/domain/rollout';
import { getRolloutLock, handLockTo } from '../../shared/store/rollout-store';
import { seedApp, startTestSlipway } from '../support/local-slipway';

/**
 * Local executions live in the server process. A restart in the middle of a rollout must leave neither
 * a release pending forever nor the app's lock held by an execution that no longer exists.
 */
const dataDir = await mkdtemp(join(tmpdir(), 'slipway-rollout-restart-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** Bounded waits that a loaded machine does not trip over. */
const POLL = { timeout: 30_000, interval: 50 };

type Release = { id: string; version: number; status: string; current: boolean; rollout: { deployment_id: string | null; message: string | null } | null };

describe('a restart during a rollout', () => {
  it('settles the interrupted release as unknown and rolls out the queued one', async () => {
    // Batches far apart: the first deployment is still under way when the server stops.
    const first = await startTestSlipway({ dataDir, rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 600_000 } } });
    const { app, builds } = await seedApp(first, 'restarted', 1);
    // A slow image: ECS (whose state the data dir keeps) is still deploying it after the restart.
    const slow = (await first.call('POST', '/apps/restarted/builds', { body: { image: 'registry.local/restarted:v1-slow' } })).body.id;
    const interrupted = (await first.call<Release>('POST', '/apps/restarted/releases', { body: { slug: slow } })).body;
    await expect
      .poll(async () => (await first.call<Release>('GET', `/apps/restarted/releases/${interrupted.id}`)).body.rollout?.deployment_id, POLL)
      .toEqual(expect.any(String));
    const queued = (await first.call<Release>('POST', '/apps/restarted/releases', { body: { slug: builds[0] } })).body;
    expect(queued.status).toBe('queued');
    await first.close();

    const second = await startLocalSlipway({ dataDir, rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5, slowBatchIntervalMs: 600_000 } } });
    try {
      // The start settles what it was left and moves the queue on; on a busy machine that may end just after it answers.
      await expect.poll(() => second.rollouts?.stepFunctions.execution(queued.id), POLL).toBeDefined();
      await second.rollouts?.stepFunctions.finished(queued.id);
      const read = async (id: string): Promise<Release> => {
        const response = await fetch(`${second.url}/apps/restarted/releases/${id}`, {
          headers: { authorization: `Bearer ${first.adminKey}` },
        });
        return (await response.json()) as Release;
      };
      expect(await read(interrupted.id)).toMatchObject({
        status: 'unknown',
        rollout: { message: 'Its rollout execution ended before the release was settled.' },
      });
      expect(await read(queued.id)).toMatchObject({ status: 'succeeded', current: true });
      expect((await getRolloutLock(app.id)).holder).toBeNull();
    } finally {
      await second.close();
    }
  });

  it('starts the release that held the lock but whose execution is gone before it deployed, under the name the lock gives it', async () => {
    const heldDir = await mkdtemp(join(tmpdir(), 'slipway-rollout-restart-held-'));
    try {
      // No rollouts in the first run: the release stays queued, as if its execution died right after taking the lock.
      const first = await startTestSlipway({ dataDir: heldDir });
      const { app, builds } = await seedApp(first, 'held', 1);
      const holder = (await first.call<Release>('POST', '/apps/held/releases', { body: { slug: builds[0] } })).body;
      const now = new Date();
      expect(
        await handLockTo(app.id, { releaseId: holder.id, version: holder.version, expiresAt: lockExpiry(now, 1800) }, null, 0, now),
      ).toBe(true);
      await first.close();

      const second = await startLocalSlipway({ dataDir: heldDir, rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
      try {
        const started = await second.rollouts?.stepFunctions.finished(holder.id);
        expect(started?.status).toBe('SUCCEEDED');
        const read = await fetch(`${second.url}/apps/held/releases/${holder.id}`, { headers: { authorization: `Bearer ${first.adminKey}` } });
        expect(await read.json()).toMatchObject({ status: 'succeeded', current: true });
        expect((await getRolloutLock(app.id)).holder).toBeNull();
      } finally {
        await second.close();
      }
    } finally {
      await rm(heldDir, { recursive: true, force: true });
    }
  });

  it('settles a canary as ECS says when ECS completed it while the server was down: succeeded and current', async () => {
    const canaryDir = await mkdtemp(join(tmpdir(), 'slipway-rollout-restart-canary-'));
    const rollouts = { timeScale: 0.002, ecs: { batchIntervalMs: 5, minuteMs: 300 } };
    try {
      const first = await startTestSlipway({ dataDir: canaryDir, rollouts });
      const deployment = { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 3 };
      expect((await first.call('POST', '/apps', { body: { name: 'baked', cluster: 'local', service: 'baked-svc', deployment } })).status).toBe(201);
      const build = await first.call('POST', '/apps/baked/builds', { body: { image: 'registry.local/baked:v2' } });
      const release = (await first.call<Release>('POST', '/apps/baked/releases', { body: { slug: build.body.id } })).body;
      await expect
        .poll(async () => (await first.call<Release & { rollout: { phase: string | null } }>('GET', `/apps/baked/releases/${release.id}`)).body.rollout?.phase, POLL)
        .toBe('canary');
      await first.close();
      // Down for longer than the bake (3 simulated minutes of 300 ms): ECS lets the canary go on as soon as it runs again.
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      const second = await startLocalSlipway({ dataDir: canaryDir, rollouts });
      try {
        const read = async (): Promise<Release> =>
          (await (await fetch(`${second.url}/apps/baked/releases/${release.id}`, { headers: { authorization: `Bearer ${first.adminKey}` } })).json()) as Release;
        await expect.poll(async () => (await read()).status, POLL).not.toBe('pending');
        expect(await read()).toMatchObject({ status: 'succeeded', current: true });
        expect(second.rollouts?.ecs.trafficOf('local', 'baked-svc')).toEqual([{ taskDefinitionArn: expect.stringContaining('baked-svc:2'), percent: 100 }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(canaryDir, { recursive: true, force: true });
    }
  });
});
