import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { appReleases } from '../support/app-releases';

/**
 * Releases rolled out by ECS's own canary, linear and blue/green engines, end to end against the ECS simulator:
 * its minute is 400 ms here, so bakes are counted in simulated minutes and no wait depends on the machine's pace.
 */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 400 });
});
afterAll(() => slipway?.close());

type Rollout = { strategy: string; phase: string | null; traffic_percent: number | null; phase_ends_at: string | null; message: string | null };
type Release = { id: string; version: number; status: string; current: boolean; rollout: Rollout | null };

const { releaseOn, settled, reaching: whileRollingOut } = appReleases<Release>(() => slipway);

describe('progressive delivery on ECS’s own engine', () => {
  it('holds a canary at 10 % for its bake, showing when the bake ends, then completes with all traffic', async () => {
    const release = await releaseOn('shop', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5 }, 'registry.local/shop:v2');
    // ECS shifts 10 % first, then holds it for the bake: its end is known once the hold began.
    const canary = await whileRollingOut('shop', release.id, 'the canary bake', (r) => r.rollout?.phase === 'canary' && r.rollout.phase_ends_at !== null);
    expect(canary.status).toBe('pending');
    expect(canary.rollout).toMatchObject({ strategy: 'canary', phase: 'canary', traffic_percent: 10, phase_ends_at: expect.any(String) });
    expect(rolloutsOf(slipway).ecs.trafficOf('local', 'shop-svc')?.map((share) => share.percent)).toEqual([90, 10]);
    const done = await settled('shop', release.id);
    expect(done).toMatchObject({ status: 'succeeded', current: true, rollout: { strategy: 'canary', phase: 'completed', traffic_percent: 100, phase_ends_at: null } });
    expect(rolloutsOf(slipway).ecs.trafficOf('local', 'shop-svc')).toHaveLength(1);
  });

  it('steps a linear rollout up its steps', async () => {
    const release = await releaseOn('steps', { strategy: 'linear', step_percent: 50, step_bake_minutes: 4 }, 'registry.local/steps:v2');
    const step = await whileRollingOut('steps', release.id, 'the first step', (r) => r.rollout?.phase === 'shifting' && r.rollout.phase_ends_at !== null);
    expect(step.rollout).toMatchObject({ strategy: 'linear', traffic_percent: 50, phase_ends_at: expect.any(String) });
    expect(await settled('steps', release.id)).toMatchObject({ status: 'succeeded', rollout: { phase: 'completed', traffic_percent: 100 } });
  });

  it('rolls a blue/green release out', async () => {
    const release = await releaseOn('blugrn', { strategy: 'blue_green', bake_minutes: 2 }, 'registry.local/blugrn:v2');
    const baking = await whileRollingOut('blugrn', release.id, 'the bake', (r) => r.rollout?.phase === 'baking' && r.rollout.phase_ends_at !== null);
    expect(baking.rollout).toMatchObject({ strategy: 'blue_green', traffic_percent: 100, phase_ends_at: expect.any(String) });
    expect(await settled('blugrn', release.id)).toMatchObject({ status: 'succeeded', current: true });
  });

  it('fails a canary an alarm stops at 10 %: the release names the alarm, the old revision serves everything', async () => {
    const release = await releaseOn('cart', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 60, alarms: ['cart-5xx'] }, 'registry.local/cart:v2');
    await whileRollingOut('cart', release.id, 'the canary phase', (r) => r.rollout?.phase === 'canary');
    const alarm = await fetch(`${rolloutsOf(slipway).ecs.endpoint}/simulator/alarms/cart-5xx`, { method: 'POST', body: JSON.stringify({ state: 'ALARM' }) });
    expect(alarm.status).toBe(200);
    const failed = await settled('cart', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toContain('cart-5xx');
    const traffic = rolloutsOf(slipway).ecs.trafficOf('local', 'cart-svc');
    expect(traffic).toEqual([{ taskDefinitionArn: expect.not.stringContaining(':2'), percent: 100 }]);
  });
});

describe('a rollback overtaking a canary', () => {
  it('stops the canary mid-bake with StopServiceDeployment: the release fails superseded, no traffic on it, then the rollback deploys', async () => {
    const v1 = await releaseOn('undo', { strategy: 'rolling' }, 'registry.local/undo:v1');
    expect(await settled('undo', v1.id)).toMatchObject({ status: 'succeeded', current: true });
    const canaryWith = (bake: number) => ({ deployment: { strategy: 'canary', canary_percent: 10, canary_bake_minutes: bake } });
    expect((await slipway.call('PATCH', '/apps/undo', { body: canaryWith(60) })).status).toBe(200);
    const build = await slipway.call('POST', '/apps/undo/builds', { body: { image: 'registry.local/undo:v2', sha: 'abcdef2' } });
    const v2 = (await slipway.call<Release>('POST', '/apps/undo/releases', { body: { slug: build.body.id } })).body;
    await whileRollingOut('undo', v2.id, 'the canary phase', (r) => r.rollout?.phase === 'canary' && r.rollout.traffic_percent === 10);
    // The rollback rolls out the way the app says when it begins: a short bake of its own.
    expect((await slipway.call('PATCH', '/apps/undo', { body: canaryWith(1) })).status).toBe(200);
    const rollback = await slipway.call<Release>('POST', '/apps/undo/releases', { body: { release: 'v1' } });
    expect(rollback.status).toBe(201);

    const canary = await settled('undo', v2.id);
    expect(canary).toMatchObject({
      status: 'failed',
      current: false,
      superseded_by: { id: rollback.body.id, version: rollback.body.version },
      rollout: { phase: 'rolling_back', traffic_percent: 0, phase_ends_at: null },
    });
    const deploymentId = (canary.rollout as Rollout & { deployment_id: string }).deployment_id;
    const described = await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: ['undo-svc'] }));
    const said = (described.services?.[0]?.events ?? []).map((event) => event.message ?? '');
    // ECS stopped the canary itself (not the rollback's UpdateService replacing it) and moved its traffic back.
    expect(said.find((message) => message.includes(`(deployment ${deploymentId}) deployment failed`))).toMatch(
      /StopServiceDeployment ROLLBACK.*All production traffic is back on the previous revision/,
    );

    const rescued = await settled('undo', rollback.body.id);
    expect(rescued).toMatchObject({ status: 'succeeded', current: true, rollout: { phase: 'completed', traffic_percent: 100 } });
    expect(rolloutsOf(slipway).ecs.trafficOf('local', 'undo-svc')).toHaveLength(1);
  });
});

describe('a strategy the service cannot deploy with', () => {
  it('is refused with a 422 naming what the service lacks, at create and with PATCH', async () => {
    await rolloutsOf(slipway).ecs.ensureService('local', 'bare-svc', { loadBalancer: false });
    const refused = await slipway.call('POST', '/apps', { body: { name: 'bare', cluster: 'local', service: 'bare-svc', deployment: { strategy: 'canary' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'strategy_needs_load_balancer',
      message: expect.stringContaining('a load balancer'),
      details: { strategy: 'canary', missing: [expect.stringContaining('loadBalancers')] },
    });
    expect((await slipway.call('POST', '/apps', { body: { name: 'bare', cluster: 'local', service: 'bare-svc' } })).status).toBe(201);
    const patched = await slipway.call('PATCH', '/apps/bare', { body: { deployment: { strategy: 'blue_green' } } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.code).toBe('strategy_needs_load_balancer');
    expect((await slipway.call('GET', '/apps/bare')).body.deployment).toEqual({ strategy: 'rolling' });
  });
});
