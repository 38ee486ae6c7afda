import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutsOf, seedApp, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * Releases rolling out end to end: HTTP -> release handler -> StartExecution on the local Step Functions
 * API -> the synthesized state machine -> step Lambdas and UpdateService -> the ECS simulator, whose
 * deployment events resume the rollout through the deployment-events handler.
 */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  // A slow image takes two batches of 2 s: long enough to see its rollout under way.
  slipway = await startSlipwayWithEcs({ slowBatchIntervalMs: 2_000 });
});
afterAll(() => slipway?.close());

const rollouts = () => rolloutsOf(slipway);

type Release = {
  id: string;
  version: number;
  status: string;
  current: boolean;
  started_at: string | null;
  finished_at: string | null;
  rollout: {
    desired: number;
    running_new: number;
    failed_tasks: number;
    deployment_id: string | null;
    task_definition_arn: string | null;
    message: string | null;
    strategy: string;
    phase: string | null;
    traffic_percent: number | null;
  } | null;
};

const release = async (app: string, body: Record<string, unknown>): Promise<Release> => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body });
  expect(created.status).toBe(201);
  return created.body;
};

/** Waits for the release's rollout execution to end, then reads the release as a client would. */
const settled = async (app: string, id: string): Promise<Release> => {
  const execution = await rollouts().stepFunctions.finished(id);
  expect(execution.status).toBe('SUCCEEDED');
  return (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
};

const runningTaskDefinition = async (service: string) => {
  const { services } = await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }));
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const { taskDefinition } = await slipway.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: primary?.taskDefinition }));
  const container = taskDefinition?.containerDefinitions?.[0];
  return {
    arn: taskDefinition?.taskDefinitionArn,
    image: container?.image,
    environment: Object.fromEntries((container?.environment ?? []).map((entry) => [entry.name, entry.value])),
  };
};

describe('a release rolls out', () => {
  it('goes queued -> pending -> succeeded, becomes current and shows its rollout', async () => {
    const { builds } = await seedApp(slipway, 'web', 1);
    const created = await release('web', { slug: builds[0] });
    expect(created).toMatchObject({ status: 'queued', started_at: null, current: false });

    const done = await settled('web', created.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      current: true,
      rollout: { desired: 3, running_new: 3, failed_tasks: 0, deployment_id: expect.any(String) },
    });
    // started_at is written only when the rollout marks the release pending.
    expect(done.started_at).not.toBeNull();
    expect(Date.parse(done.finished_at ?? '')).toBeGreaterThanOrEqual(Date.parse(done.started_at ?? ''));

    const running = await runningTaskDefinition('web-svc');
    expect(running.arn).toBe(done.rollout?.task_definition_arn);
    expect(running.image).toBe('registry.local/web:v1');
    expect(running.environment).toMatchObject({ SLIPWAY_RELEASE_ID: created.id, SLIPWAY_RELEASE_VERSION: '1' });
  });

  it('shows its strategy and phase: scaling up while ECS deploys it, completed with all traffic at the end', async () => {
    await seedApp(slipway, 'phased', 0);
    const build = await slipway.call<{ id: string }>('POST', '/apps/phased/builds', { body: { image: 'registry.local/phased:v1-slow' } });
    const created = await release('phased', { slug: build.body.id });
    expect(created.rollout?.phase ?? null).toBeNull();

    const read = async () => (await slipway.call<Release>('GET', `/apps/phased/releases/${created.id}`)).body;
    const underWay = await until(
      'the release to be scaling up, or settled',
      async () => {
        const current = await read();
        return current.rollout?.phase === 'scaling_up' || current.finished_at ? current : undefined;
      },
      { intervalMs: 50 },
    );
    expect(underWay).toMatchObject({ status: 'pending', rollout: { strategy: 'rolling', phase: 'scaling_up' } });
    expect(underWay.rollout?.traffic_percent).toBeLessThan(100);

    expect(await settled('phased', created.id)).toMatchObject({
      status: 'succeeded',
      rollout: { strategy: 'rolling', phase: 'completed', traffic_percent: 100, running_new: 3 },
    });
  });

  it('takes six state transitions when nothing else is rolling out (the release phase choice among them)', async () => {
    const { builds } = await seedApp(slipway, 'counted', 1);
    const created = await release('counted', { slug: builds[0] });
    await settled('counted', created.id);
    expect(rollouts().stepFunctions.execution(created.id)?.transitions).toBe(6);
  });

  it('fails when its new tasks fail health checks, and the previous release stays current', async () => {
    const { builds } = await seedApp(slipway, 'shaky', 1);
    const good = await release('shaky', { slug: builds[0] });
    const goodDone = await settled('shaky', good.id);
    const bad = await slipway.call('POST', '/apps/shaky/builds', { body: { image: 'registry.local/shaky:v2-unhealthy' } });
    const broken = await release('shaky', { slug: bad.body.id });

    const failed = await settled('shaky', broken.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toMatch(/circuit breaker/);
    expect(failed.finished_at).not.toBeNull();
    expect((await slipway.call<Release>('GET', `/apps/shaky/releases/${good.id}`)).body.current).toBe(true);
    // The circuit breaker rolled the service back to the good release's revision.
    expect((await runningTaskDefinition('shaky-svc')).arn).toBe(goodDone.rollout?.task_definition_arn);
  });

  it('fails while the simulator holds the service unhealthy, and succeeds again once it is healthy', async () => {
    const { builds } = await seedApp(slipway, 'sick', 2);
    const good = await release('sick', { slug: builds[0] });
    await settled('sick', good.id);
    rollouts().ecs.setServiceHealth('local', 'sick-svc', false);
    const failing = await release('sick', { slug: builds[1] });
    expect(await settled('sick', failing.id)).toMatchObject({ status: 'failed', current: false });
    expect((await slipway.call<Release>('GET', `/apps/sick/releases/${good.id}`)).body.current).toBe(true);

    rollouts().ecs.setServiceHealth('local', 'sick-svc', true);
    const retried = await release('sick', { slug: builds[1] });
    expect(await settled('sick', retried.id)).toMatchObject({ status: 'succeeded', current: true });
  });

  it("rolls back to v1 by deploying v1's image", async () => {
    const { builds } = await seedApp(slipway, 'undo', 2);
    const v1 = await release('undo', { slug: builds[0] });
    await settled('undo', v1.id);
    const v2 = await release('undo', { slug: builds[1] });
    await settled('undo', v2.id);
    expect((await runningTaskDefinition('undo-svc')).image).toBe('registry.local/undo:v2');

    const v3 = await release('undo', { release: v1.id });
    const done = await settled('undo', v3.id);
    expect(done).toMatchObject({ version: 3, status: 'succeeded', current: true });
    const running = await runningTaskDefinition('undo-svc');
    expect(running.image).toBe('registry.local/undo:v1');
    expect(running.environment).toMatchObject({ SLIPWAY_RELEASE_ID: v3.id, SLIPWAY_RELEASE_VERSION: '3' });
  });

  it('runs releases created together one at a time, in version order, leaving exactly one current', async () => {
    const { builds } = await seedApp(slipway, 'busy', 3);
    const created = await Promise.all(builds.map((slug) => release('busy', { slug })));
    const byVersion = (await Promise.all(created.map((entry) => settled('busy', entry.id)))).sort(
      (a, b) => a.version - b.version,
    );
    expect(byVersion.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (let index = 1; index < byVersion.length; index++) {
      const previous = byVersion[index - 1]!;
      const next = byVersion[index]!;
      expect(Date.parse(next.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(previous.finished_at ?? ''));
    }
    const list = (await slipway.call<Release[]>('GET', '/apps/busy/releases')).body;
    expect(list.filter((entry) => entry.current).map((entry) => entry.version)).toEqual([3]);
  });

  it('retries UpdateService when ECS throttles, with each retry counted as a transition', async () => {
    const { builds } = await seedApp(slipway, 'throttled', 1);
    rollouts().ecs.injectFault({ operation: 'UpdateService', error: 'ThrottlingException', times: 2 });
    const created = await release('throttled', { slug: builds[0] });
    expect(await settled('throttled', created.id)).toMatchObject({ status: 'succeeded', current: true });
    expect(rollouts().stepFunctions.execution(created.id)?.transitions).toBe(8);
  });
});
