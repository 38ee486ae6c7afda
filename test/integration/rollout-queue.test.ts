import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as finishRollout } from '../../functions/rollout-finish';
import { handler as reconcileQueues } from '../../functions/rollout-reconcile';
import { lambdaContext } from '../../local/lambda-context';
import { createSfnClient, startRolloutExecution } from '../../shared/rollout/sfn';
import { rolloutInputOf } from '../../shared/rollout/rollout-input';
import { getRolloutLock, handLockTo } from '../../shared/store/rollout-store';
import { lockExpiry } from '../../shared/domain/rollout';
import { claimReleaseVersion } from '../../shared/store/releases-store';
import { getStore } from '../../shared/store/client';
import { findAppByName } from '../../shared/store/apps-store';
import { releaseFixture } from '../../shared/fixtures/model';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The app's queue heals itself: a release whose rollout never started is started by the next rollout of
 * its app, and one whose execution ended without settling it is settled as failed and skipped, so the
 * queue never stalls behind either.
 */
let slipway: TestSlipway;

beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterAll(() => slipway?.close());

const rollouts = () => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  return slipway.rollouts;
};

type Release = { id: string; version: number; status: string; current: boolean; rollout: { message: string | null } | null };

/** A release written as recordRelease writes it, but whose StartExecution never happened. */
const strandedRelease = async (app: { id: string; name: string }, slug: string) => {
  const release = releaseFixture({ id: randomUUID(), app: { id: app.id, name: app.name }, version: 1, slug: { id: slug } });
  expect(await claimReleaseVersion(release)).toBe(true);
  return release;
};

const read = async (app: string, id: string) => (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;

describe('the rollout queue', () => {
  it('starts a release that was recorded but never started when the next release of the app arrives', async () => {
    const { app, builds } = await seedApp(slipway, 'stranded', 2);
    const stranded = await strandedRelease(app, builds[0]!);
    const next = (await slipway.call<Release>('POST', '/apps/stranded/releases', { body: { slug: builds[1] } })).body;
    expect(next.version).toBe(2);

    await rollouts().stepFunctions.finished(next.id);
    expect((await rollouts().stepFunctions.finished(stranded.id)).status).toBe('SUCCEEDED');
    expect(await read('stranded', stranded.id)).toMatchObject({ status: 'succeeded', current: false });
    expect(await read('stranded', next.id)).toMatchObject({ status: 'succeeded', current: true });
    expect((await getRolloutLock(app.id)).holder).toBeNull();
  });

  it('starts a stranded release on the reconcile schedule when no later release comes', async () => {
    const { app, builds } = await seedApp(slipway, 'lonely', 1);
    const stranded = await strandedRelease(app, builds[0]!);
    expect(await read('lonely', stranded.id)).toMatchObject({ status: 'queued' });

    await reconcileQueues({}, lambdaContext('rollout-reconcile'));

    expect((await rollouts().stepFunctions.finished(stranded.id)).status).toBe('SUCCEEDED');
    expect(await read('lonely', stranded.id)).toMatchObject({ status: 'succeeded', current: true });
    expect((await getRolloutLock(app.id)).holder).toBeNull();
  });

  it('runs a release handed the lock once, when the reconciler finds it before the decider that handed it over started it', async () => {
    const { app, builds } = await seedApp(slipway, 'handed', 1);
    const handed = await strandedRelease(app, builds[0]!);
    const now = new Date();
    expect(await handLockTo(app.id, { releaseId: handed.id, version: handed.version, expiresAt: lockExpiry(now, 1800) }, null, 0, now)).toBe(true);

    // The reconciler's pass comes between the hand-over and the StartExecution of the decider that made it.
    await reconcileQueues({}, lambdaContext('rollout-reconcile'));
    await startRolloutExecution(rollouts().stepFunctions.stateMachineArn, rolloutInputOf(handed));

    expect((await rollouts().stepFunctions.finished(handed.id)).status).toBe('SUCCEEDED');
    expect(rollouts().stepFunctions.execution(`${handed.id}-rerun-1`)).toBeUndefined();
    expect(await read('handed', handed.id)).toMatchObject({ status: 'succeeded', current: true });
  });

  it('runs again, as a new execution, a queued release whose execution ended without running it', async () => {
    const { app, builds } = await seedApp(slipway, 'orphaned', 2);
    const orphan = await strandedRelease(app, builds[0]!);
    // An execution under the release's name that dies at once, before it could take the lock.
    const sfn = createSfnClient(rollouts().stepFunctions.endpoint);
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: rollouts().stepFunctions.stateMachineArn, name: orphan.id, input: '{}' }),
    );
    sfn.destroy();
    expect((await rollouts().stepFunctions.finished(orphan.id)).status).toBe('FAILED');

    const next = (await slipway.call<Release>('POST', '/apps/orphaned/releases', { body: { slug: builds[1] } })).body;
    await rollouts().stepFunctions.finished(next.id);
    expect((await rollouts().stepFunctions.finished(`${orphan.id}-rerun-1`)).status).toBe('SUCCEEDED');
    expect(await read('orphaned', orphan.id)).toMatchObject({ status: 'succeeded', current: false });
    expect(await read('orphaned', next.id)).toMatchObject({ status: 'succeeded', current: true });
    expect((await getRolloutLock(app.id)).holder).toBeNull();
  });

  it('resumes the queues of many apps at once, and one app it cannot read holds up none of the others', async () => {
    const seeded = await Promise.all(['sweep-a', 'sweep-b', 'sweep-c', 'sweep-broken'].map((name) => seedApp(slipway, name, 1)));
    const stranded = await Promise.all(seeded.map(({ app, builds }) => strandedRelease(app, builds[0]!)));
    const [broken, ...healthy] = seeded.map(({ app }) => app.id).reverse();
    // Which apps have a DynamoDB call in flight at each moment of the sweep; every call about the broken app fails.
    const inFlight = new Map<string, number>();
    let mostAppsAtOnce = 0;
    const name = `sweep-${randomUUID()}`;
    const { middlewareStack } = getStore().client;
    middlewareStack.add(
      (next) => async (args) => {
        const input = JSON.stringify(args.input);
        if (broken && input.includes(broken)) throw new Error('the broken app cannot be read');
        const appId = healthy.find((id) => input.includes(id));
        if (!appId) return next(args);
        inFlight.set(appId, (inFlight.get(appId) ?? 0) + 1);
        mostAppsAtOnce = Math.max(mostAppsAtOnce, [...inFlight.values()].filter((calls) => calls > 0).length);
        try {
          return await next(args);
        } finally {
          inFlight.set(appId, (inFlight.get(appId) ?? 1) - 1);
        }
      },
      { step: 'initialize', name, priority: 'high' },
    );
    const failure = await reconcileQueues({}, lambdaContext('rollout-reconcile')).then(
      () => undefined,
      (error: unknown) => error,
    );
    middlewareStack.remove(name);

    // The sweep fails, naming the one app it could not resume; the local runtime's next sweep will find it again.
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((error: Error) => error.message)).toEqual([`the rollout queue of app ${broken} was not resumed`]);

    expect(mostAppsAtOnce).toBeGreaterThan(1);
    for (const [index, release] of stranded.slice(0, 3).entries()) {
      expect((await rollouts().stepFunctions.finished(release.id)).status).toBe('SUCCEEDED');
      expect(await read(seeded[index]!.app.name, release.id)).toMatchObject({ status: 'succeeded', current: true });
    }
  });

  it('leaves no announcement of a release that is not there when its Finish step is told it succeeded', async () => {
    const { app } = await seedApp(slipway, 'phantom', 1);
    const rollout = { appId: app.id, appName: app.name, releaseId: randomUUID(), version: 999_999, deadlineSeconds: 1800 };
    const finish = finishRollout(
      { rollout, stateMachineArn: rollouts().stepFunctions.stateMachineArn, result: { outcome: 'COMPLETED', reason: null } },
      lambdaContext('rollout-finish'),
    );

    await expect(finish).rejects.toMatchObject({ kind: 'not_found' });
    // Announced, the app would send every read of it after the missing release first.
    expect((await findAppByName('phantom'))?.succeeding_release_version ?? null).toBeNull();
  });
});
