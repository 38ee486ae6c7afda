import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';

/** An app's `deployment`: the strategy its releases roll out with, set at create or with PATCH, validated as ECS validates it. */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs();
});
afterAll(() => slipway?.close());

const createApp = (name: string, deployment?: unknown) =>
  slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: `${name}-svc`, ...(deployment === undefined ? {} : { deployment }) } });

describe('an app’s deployment strategy', () => {
  it('is rolling unless the app says otherwise', async () => {
    const created = await createApp('plain');
    expect(created.status).toBe(201);
    expect(created.body.deployment).toEqual({ strategy: 'rolling' });
  });

  it('is set at create, with ECS’s defaults filled in, and shown on the app', async () => {
    const created = await createApp('canaried', { strategy: 'canary', canary_percent: 10, alarms: ['canaried-5xx'] });
    expect(created.status).toBe(201);
    const expected = { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 10, bake_minutes: 0, alarms: ['canaried-5xx'] };
    expect(created.body.deployment).toEqual(expected);
    expect((await slipway.call('GET', '/apps/canaried')).body.deployment).toEqual(expected);
  });

  it('is changed by an operator with PATCH', async () => {
    await createApp('stepped');
    const operator = await slipway.keyFor('operator', ['stepped']);
    const patched = await slipway.call('PATCH', '/apps/stepped', { key: operator, body: { deployment: { strategy: 'linear', step_percent: 25, step_bake_minutes: 2 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.deployment).toEqual({ strategy: 'linear', step_percent: 25, step_bake_minutes: 2, bake_minutes: 0 });
    const developer = await slipway.keyFor('developer', ['stepped']);
    expect((await slipway.call('PATCH', '/apps/stepped', { key: developer, body: { deployment: { strategy: 'rolling' } } })).status).toBe(403);
  });

  it.each([
    ['a canary share not in steps of 0.1', { strategy: 'canary', canary_percent: 12.34 }, 'body.deployment.canary_percent'],
    ['a linear step under 3 %', { strategy: 'linear', step_percent: 2 }, 'body.deployment.step_percent'],
    ['a bake over 1440 minutes', { strategy: 'blue_green', bake_minutes: 2000 }, 'body.deployment.bake_minutes'],
    ['a gate on rolling, which shifts no traffic to hold', { strategy: 'rolling', gate: { approval: true } }, 'body.deployment'],
    ['a gate that waits for nothing', { strategy: 'canary', gate: { checks: [] } }, 'body.deployment.gate'],
    ['an unknown strategy', { strategy: 'big_bang' }, 'body.deployment.strategy'],
  ])('refuses %s with a 422 naming the field', async (_, deployment, path) => {
    const refused = await createApp(`bad-${Math.random().toString(36).slice(2, 8)}`, deployment);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: { issues: [expect.objectContaining({ path })] } });
  });

  it('is refused for an external app, which Slipway never deploys, at create and with PATCH', async () => {
    const refused = await slipway.call('POST', '/apps', { body: { name: 'ext-canary', deployment: { strategy: 'canary' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('validation_failed');
    expect((await slipway.call('POST', '/apps', { body: { name: 'ext-plain' } })).status).toBe(201);
    const patched = await slipway.call('PATCH', '/apps/ext-plain', { body: { deployment: { strategy: 'rolling' } } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.code).toBe('external_app_not_deployed');
  });
});
