import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayEvent } from '../../shared/api/events';
import { subscribe } from '../../shared/events/bus';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Every event type, observed on the in-process bus while real local rollouts run: the same relay and
 * envelopes as in AWS, up to the publisher's last step.
 */
let slipway: TestSlipway;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
  unsubscribe = subscribe(async (event) => {
    seen.push(SlipwayEvent.parse(event));
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

type Release = { id: string; version: number; status: string };

const settled = async (id: string) => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  expect((await slipway.rollouts.stepFunctions.finished(id)).status).toBe('SUCCEEDED');
};

const eventually = async <T>(find: () => T | undefined, what: string): Promise<T> => {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} event; saw ${seen.map((event) => event.type).join(', ')}`);
};

const eventOf = (type: SlipwayEvent['type'], about: (event: SlipwayEvent) => boolean) =>
  eventually(() => seen.find((event) => event.type === type && about(event)), type);

const dataId = (id: string) => (event: SlipwayEvent) => (event.data as { id: string }).id === id;

describe('events of a release lifecycle', () => {
  it('announces builds, releases, rollouts, outcomes, rollbacks and status checks with the API key as actor', async () => {
    const me = (await slipway.call<{ id: string; email: string }>('GET', '/whoami')).body;
    expect((await slipway.call('POST', '/apps', { body: { name: 'evt-app', cluster: 'local', service: 'evt-svc' } })).status).toBe(201);
    const good = (await slipway.call<{ id: string }>('POST', '/apps/evt-app/builds', { body: { image: 'registry.local/evt:v1', status: 'pending' } })).body;
    const built = await eventOf('build.created', dataId(good.id));
    expect(built).toMatchObject({ specversion: 1, app: { name: 'evt-app' }, data: { status: 'pending' } });
    expect((await slipway.call('PATCH', `/apps/evt-app/builds/${good.id}`, { body: { status: 'succeeded' } })).status).toBe(200);
    await eventOf('build.succeeded', dataId(good.id));
    const broken = (await slipway.call<{ id: string }>('POST', '/apps/evt-app/builds', { body: { image: 'registry.local/evt:v2', status: 'pending' } })).body;
    await slipway.call('PATCH', `/apps/evt-app/builds/${broken.id}`, { body: { status: 'failed' } });
    await eventOf('build.failed', dataId(broken.id));
    const bad = (await slipway.call<{ id: string }>('POST', '/apps/evt-app/builds', { body: { image: 'registry.local/evt:v3-unhealthy' } })).body;
    await eventOf('build.succeeded', dataId(bad.id));

    const v1 = (await slipway.call<Release>('POST', '/apps/evt-app/releases', { body: { slug: good.id } })).body;
    await settled(v1.id);
    const created = await eventOf('release.created', dataId(v1.id));
    expect(created.actor?.id).toBeTruthy();
    expect(created.actor?.email).toBe(me.email);
    await eventOf('release.rollout_started', dataId(v1.id));
    const succeeded = await eventOf('release.succeeded', dataId(v1.id));
    expect(succeeded).toMatchObject({ actor: null, data: { status: 'succeeded', current: true } });

    const posted = (await slipway.call('POST', `/apps/evt-app/releases/${v1.id}/statuses`, { body: { context: 'ci/unit', name: 'Unit', state: 'pending' } })).status;
    expect(posted).toBe(201);
    await eventOf('status.posted', (event) => (event.data as { context: string; release: { id: string } }).release.id === v1.id);
    await slipway.call('PATCH', `/apps/evt-app/releases/${v1.id}/statuses/ci%2Funit`, { body: { state: 'success' } });
    const changed = await eventOf('status.changed', (event) => (event.data as { release: { id: string } }).release.id === v1.id);
    expect(changed.data).toMatchObject({ context: 'ci/unit', state: 'success' });
    const state = await eventOf('release.state_changed', (event) => (event.data as { release: { id: string } }).release.id === v1.id);
    expect(state.data).toMatchObject({ state: 'success' });

    const v2 = (await slipway.call<Release>('POST', '/apps/evt-app/releases', { body: { slug: bad.id } })).body;
    await settled(v2.id);
    expect((await eventOf('release.failed', dataId(v2.id))).data).toMatchObject({ status: 'failed', current: false });

    const v3 = (await slipway.call<Release>('POST', '/apps/evt-app/releases', { body: { release: v1.id } })).body;
    await settled(v3.id);
    expect((await eventOf('release.rollback', dataId(v3.id))).data).toMatchObject({ trigger: 'rollback' });
    await eventOf('release.created', dataId(v3.id));
  });

  it('announces couplings and promotions', async () => {
    await slipway.call('POST', '/pipelines', { body: { name: 'evt-flow' } });
    expect((await slipway.call('POST', '/apps', { body: { name: 'evt-stg', cluster: 'local', service: 'evt-stg-svc' } })).status).toBe(201);
    for (const [app, stage] of [
      ['evt-app', 'development'],
      ['evt-stg', 'staging'],
    ] as const) {
      const coupled = await slipway.call<{ id: string }>('POST', '/pipeline-couplings', { body: { pipeline: 'evt-flow', app, stage } });
      expect(coupled.status).toBe(201);
      expect((await eventOf('pipeline.coupled', dataId(coupled.body.id))).app?.name).toBe(app);
    }
    const promotion = await slipway.call<{ id: string }>('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'evt-flow' }, source: { app: { name: 'evt-app' } }, targets: [{ app: { name: 'evt-stg' } }] },
    });
    expect(promotion.status).toBe(201);
    expect((await eventOf('promotion.created', dataId(promotion.body.id))).data).toMatchObject({ pipeline: { name: 'evt-flow' } });
  });

  it('publishes each event once on a quiet run, ids unique', () => {
    const ids = seen.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
