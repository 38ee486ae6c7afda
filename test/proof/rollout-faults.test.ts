import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECS_TRANSIENT_RETRIES } from '../../infra/rollout';
import { getRolloutLock } from '../../shared/store/rollout-store';
import { touchesKey, type DynamoCall } from '../support/dynamo-fault-proxy';
import { startFaultySlipway, type FaultySlipway } from '../support/faulty-slipway';
import { seedApp } from '../support/local-slipway';

/**
 * Rollouts under ECS and DynamoDB faults, end to end: HTTP -> local Step Functions running the
 * synthesized state machine -> step Lambdas -> ECS simulator, with DynamoDB behind the fault proxy.
 * Whatever fails, a release ends succeeded or clearly failed, and the app's lock is free for the next.
 */
let slipway: FaultySlipway;
beforeAll(async () => {
  slipway = await startFaultySlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterEach(() => slipway.faults.clear());
afterAll(() => slipway.close());

type Release = { id: string; version: number; status: string; current: boolean; rollout: { message: string | null } | null };

const rollouts = () => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  return slipway.rollouts;
};

const release = async (app: string, slug: string | undefined): Promise<Release> => {
  if (!slug) throw new Error(`no build to release on ${app}`);
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug } });
  expect(created.status).toBe(201);
  return created.body;
};

/** Waits for the release's execution to end and reads the release back over the API. */
const settled = async (app: string, created: Release) => {
  const execution = await rollouts().stepFunctions.finished(created.id);
  const read = await slipway.call<Release>('GET', `/apps/${app}/releases/${created.id}`);
  return { execution, release: read.body };
};

const expectLockFree = async (app: { id: string }) => {
  expect((await getRolloutLock(app.id)).holder).toBeNull();
};

describe('ECS faults during a rollout', () => {
  it('throttled UpdateService calls are retried by the state machine and the release succeeds', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-throttled', 1);
    rollouts().ecs.injectFault({ operation: 'UpdateService', error: 'ThrottlingException', times: 3 });

    const { execution, release: done } = await settled('ecs-throttled', await release('ecs-throttled', builds[0]));

    expect(execution.status).toBe('SUCCEEDED');
    expect(done).toMatchObject({ status: 'succeeded', current: true });
    // Five states when nothing goes wrong; each of the three retries is one more transition.
    expect(execution.transitions).toBeGreaterThanOrEqual(8);
    await expectLockFree(app);
  });

  it('UpdateService failing past its retries fails the release, keeps the last good one current and frees the lock', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-broken', 2);
    const good = await settled('ecs-broken', await release('ecs-broken', builds[0]));
    expect(good.release.status).toBe('succeeded');

    // The first call and every retry that fits in the transient-fault window.
    rollouts().ecs.injectFault({ operation: 'UpdateService', error: 'ServerException', times: 1 + ECS_TRANSIENT_RETRIES });
    const broken = await release('ecs-broken', builds[1]);
    const queuedBehind = await release('ecs-broken', builds[1]);
    const failed = await settled('ecs-broken', broken);
    const next = await settled('ecs-broken', queuedBehind);

    expect(failed.release).toMatchObject({ status: 'failed', current: false });
    expect(next.release).toMatchObject({ status: 'succeeded', current: true });
    const first = await slipway.call<Release>('GET', `/apps/ecs-broken/releases/${good.release.id}`);
    expect(first.body.current).toBe(false);
    await expectLockFree(app);
  });

  it('eight throttles and a ServiceUnavailableException from ECS are waited out: the release succeeds', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-unavailable', 1);
    rollouts().ecs.injectFault({ operation: 'UpdateService', error: 'ServiceUnavailableException', times: 1 });
    rollouts().ecs.injectFault({ operation: 'UpdateService', error: 'ThrottlingException', times: 8 });

    const { execution, release: done } = await settled('ecs-unavailable', await release('ecs-unavailable', builds[0]));

    expect(execution.status).toBe('SUCCEEDED');
    expect(done, done.rollout?.message ?? '').toMatchObject({ status: 'succeeded', current: true });
    await expectLockFree(app);
  });

  it('throttled task definition registrations in the Deploy step are retried and the release succeeds', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-register-throttled', 1);
    rollouts().ecs.injectFault({ operation: 'RegisterTaskDefinition', error: 'ThrottlingException', times: 2 });

    const { execution, release: done } = await settled('ecs-register-throttled', await release('ecs-register-throttled', builds[0]));

    expect(execution.status).toBe('SUCCEEDED');
    expect(done).toMatchObject({ status: 'succeeded', current: true });
    await expectLockFree(app);
  });

  it('ECS refusing every registration of the task definition fails the release with its reason; the next one runs', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-refused', 1);
    // The Deploy step's first attempt and its five retries.
    const message = 'Invalid container image.';
    rollouts().ecs.injectFault({ operation: 'RegisterTaskDefinition', error: 'ClientException', message, times: 6 });

    const refused = await settled('ecs-refused', await release('ecs-refused', builds[0]));
    expect(refused.release).toMatchObject({ status: 'failed', current: false });
    expect(refused.release.rollout?.message).toContain(message);

    const next = await settled('ecs-refused', await release('ecs-refused', builds[0]));
    expect(next.release).toMatchObject({ status: 'succeeded', current: true });
    await expectLockFree(app);
  });

  it('a deployment failing its health checks ends failed by the circuit breaker, and the next release still runs', async () => {
    const { app, builds } = await seedApp(slipway, 'ecs-sick', 2);
    const good = await settled('ecs-sick', await release('ecs-sick', builds[0]));
    expect(good.release.status).toBe('succeeded');

    rollouts().ecs.setServiceHealth('local', 'ecs-sick-svc', false);
    const sick = await settled('ecs-sick', await release('ecs-sick', builds[1]));
    expect(sick.release).toMatchObject({ status: 'failed', current: false });
    expect((await slipway.call<Release>('GET', `/apps/ecs-sick/releases/${good.release.id}`)).body.current).toBe(true);

    rollouts().ecs.setServiceHealth('local', 'ecs-sick-svc', true);
    const healed = await settled('ecs-sick', await release('ecs-sick', builds[1]));
    expect(healed.release).toMatchObject({ status: 'succeeded', current: true });
    await expectLockFree(app);
  });
});

const lockCall = (call: DynamoCall) => touchesKey('ROLLOUT_LOCK')(call);
const releaseUpdate = (call: DynamoCall) => call.operation === 'UpdateItem' && touchesKey('REL#')(call);

describe('DynamoDB faults during a rollout', () => {
  it('throttled lock and release writes are retried: every release settles, in order, and the lock ends free', async () => {
    const { app, builds } = await seedApp(slipway, 'table-throttled', 1);
    slipway.faults.inject(
      { fault: { kind: 'throttle' }, when: lockCall, times: 3 },
      { fault: { kind: 'throttle', error: 'ProvisionedThroughputExceededException' }, when: releaseUpdate, times: 3 },
    );

    const created = [await release('table-throttled', builds[0]), await release('table-throttled', builds[0])];
    for (const each of created) await rollouts().stepFunctions.finished(each.id);

    expect(slipway.faults.injected()).not.toEqual({});
    const listed = await slipway.call<Release[]>('GET', '/apps/table-throttled/releases');
    expect(listed.body.map(({ version, status, current }) => ({ version, status, current }))).toEqual([
      { version: 1, status: 'succeeded', current: false },
      { version: 2, status: 'succeeded', current: true },
    ]);
    await expectLockFree(app);
  });

  it('lock writes that land but lose their answer still leave the lock free once the releases settle', async () => {
    const { app, builds } = await seedApp(slipway, 'table-dropped', 1);
    slipway.faults.inject({ fault: { kind: 'reset_after' }, when: lockCall, times: 2 });

    const created = [await release('table-dropped', builds[0]), await release('table-dropped', builds[0])];
    for (const each of created) await rollouts().stepFunctions.finished(each.id);

    expect(slipway.faults.injected()).not.toEqual({});
    const listed = await slipway.call<Release[]>('GET', '/apps/table-dropped/releases');
    expect(listed.body.map(({ status }) => status)).toEqual(['succeeded', 'succeeded']);
    await expectLockFree(app);
  });
});
