import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayEvent } from '../../shared/api/events';
import { promotionFinishedEvent } from '../../shared/domain/events';
import { subscribe } from '../../shared/events/bus';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Every event type, observed while real local rollouts run: on the in-process bus (the same relay and
 * envelopes as in AWS, up to the publisher's last step) and at a catch-all webhook of each app, a real
 * HTTP receiver. A `slow` image never gets anywhere within the deadline, so its release ends unknown.
 */
let slipway: TestSlipway;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startTestSlipway({
    rollouts: { timeScale: 0.002, deadlineSeconds: 5, ecs: { batchIntervalMs: 5, slowBatchIntervalMs: 600_000 } },
  });
  receiver = await startReceiver(() => ({ status: 200 }));
  unsubscribe = subscribe(async (event) => {
    seen.push(SlipwayEvent.parse(event));
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
  await receiver?.close();
});

/** An app with a webhook that takes every event, made before anything happens to the app. */
const appWithCatchAllHook = async (name: string) => {
  expect((await slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: `${name}-svc` } })).status).toBe(201);
  const hook = await slipway.call('POST', `/apps/${name}/hooks`, { body: { url: `${receiver.url}/${name}`, events: ['*'] } });
  expect(hook.status).toBe(201);
};

type Release = { id: string; version: number; status: string };

const rollouts = () => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  return slipway.rollouts;
};

const settled = async (id: string) => {
  expect((await rollouts().stepFunctions.finished(id)).status).toBe('SUCCEEDED');
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
    await appWithCatchAllHook('evt-app');
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

    const slow = (await slipway.call<{ id: string }>('POST', '/apps/evt-app/builds', { body: { image: 'registry.local/evt:v4-slow' } })).body;
    const v4 = (await slipway.call<Release>('POST', '/apps/evt-app/releases', { body: { slug: slow.id } })).body;
    await rollouts().stepFunctions.finished(v4.id);
    expect((await eventOf('release.unknown', dataId(v4.id))).data).toMatchObject({ status: 'unknown', current: false });
  });

  it('announces couplings, promotions from creation to their end, and uncouplings', async () => {
    await slipway.call('POST', '/pipelines', { body: { name: 'evt-flow' } });
    await appWithCatchAllHook('evt-stg');
    const couplings: Record<string, string> = {};
    for (const [app, stage] of [
      ['evt-app', 'development'],
      ['evt-stg', 'staging'],
    ] as const) {
      const coupled = await slipway.call<{ id: string }>('POST', '/pipeline-couplings', { body: { pipeline: 'evt-flow', app, stage } });
      expect(coupled.status).toBe(201);
      couplings[app] = coupled.body.id;
      expect((await eventOf('pipeline.coupled', dataId(coupled.body.id))).app?.name).toBe(app);
    }
    const promotion = await slipway.call<{ id: string; targets: { release: { id: string } }[] }>('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'evt-flow' }, source: { app: { name: 'evt-app' } }, targets: [{ app: { name: 'evt-stg' } }] },
    });
    expect(promotion.status).toBe(201);
    expect((await eventOf('promotion.created', dataId(promotion.body.id))).data).toMatchObject({ pipeline: { name: 'evt-flow' }, status: 'pending' });
    await settled(promotion.body.targets[0]?.release.id ?? '');
    const finished = await eventOf('promotion.finished', dataId(promotion.body.id));
    expect(finished).toMatchObject({
      id: promotionFinishedEvent(promotion.body.id).id,
      app: { name: 'evt-app' },
      actor: null,
      data: { status: 'succeeded', targets: [{ app: { name: 'evt-stg' }, status: 'succeeded', error_message: null }] },
    });

    expect((await slipway.call('DELETE', `/pipeline-couplings/${couplings['evt-stg']}`)).status).toBe(200);
    const uncoupled = await eventOf('pipeline.uncoupled', dataId(couplings['evt-stg'] ?? ''));
    expect(uncoupled).toMatchObject({ app: { name: 'evt-stg' }, actor: { email: expect.any(String) }, data: { stage: 'staging' } });
  });

  it("announces an external app's recorded releases as reported, and each deployment its client reports", async () => {
    expect((await slipway.call('POST', '/apps', { body: { name: 'evt-device' } })).status).toBe(201);
    const hook = await slipway.call('POST', '/apps/evt-device/hooks', { body: { url: `${receiver.url}/evt-device`, events: ['*'] } });
    expect(hook.status).toBe(201);
    const deployed = await slipway.call('POST', '/components/evt-device/deployments', { body: { version: 'v1', host: 'gw-1', stage: 'production' } });
    expect(deployed.status).toBe(201);
    const [release] = (await slipway.call<Release[]>('GET', '/apps/evt-device/releases')).body;
    expect((await eventOf('release.created', dataId(release?.id ?? ''))).data).toMatchObject({ recorded: true });
    await eventOf('release.succeeded', dataId(release?.id ?? ''));
    const listed = await eventOf('release.deployed', dataId(release?.id ?? ''));
    expect(listed.data).toMatchObject({ deployments: [{ host: 'gw-1', stage: 'production', status: 'succeeded' }] });
  });

  it('announces each phase of a gated canary, and its gate waiting for an approval', async () => {
    await appWithCatchAllHook('evt-canary');
    const gate = { approval: true, timeout_minutes: 60 };
    expect((await slipway.call('PATCH', '/apps/evt-canary', { body: { deployment: { strategy: 'canary', canary_percent: 20, canary_bake_minutes: 1, gate } } })).status).toBe(200);
    const build = (await slipway.call<{ id: string }>('POST', '/apps/evt-canary/builds', { body: { image: 'registry.local/evt-canary:v1' } })).body;
    const release = (await slipway.call<Release>('POST', '/apps/evt-canary/releases', { body: { slug: build.id } })).body;
    const awaiting = await eventOf('release.awaiting_approval', dataId(release.id));
    expect(awaiting.data).toMatchObject({ status: 'pending', rollout: { traffic_percent: 20, gate: { waiting_for: ['approval'] } } });
    // Asked as soon as the gate holds the deployment, during the canary's bake, so the approval may come before the bake is up.
    expect(['canary', 'awaiting_approval']).toContain((awaiting.data as Release & { rollout: { phase: string } }).rollout.phase);
    expect((await slipway.call('POST', `/apps/evt-canary/releases/${release.id}/actions/approve`)).status).toBe(200);
    await settled(release.id);
    const phases = seen.filter((event) => event.type === 'release.phase_changed' && dataId(release.id)(event));
    expect(phases.length).toBeGreaterThanOrEqual(2);
  });

  it('publishes each event once on a quiet run, ids unique', () => {
    const ids = seen.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('delivers every event type of the schema to the catch-all webhooks, each in the documented envelope', async () => {
    // zod/mini keeps a union's variants and a literal's values on their defs (one value per variant's type).
    const types = SlipwayEvent.def.options.flatMap((variant) => variant.shape.type.def.values);
    const delivered = () => receiver.received.map((request) => ({ request, event: SlipwayEvent.parse(JSON.parse(request.body)) }));
    const missing = (await waitFor(
      async () => types.filter((type) => !delivered().some(({ event }) => event.type === type)),
      (left) => left.length === 0,
    ));
    expect(missing).toEqual([]);
    for (const { request, event } of delivered()) {
      expect(request.path).toBe(`/${event.app?.name}`);
      expect(request.headers).toMatchObject({ 'webhook-id': event.id, 'webhook-signature': expect.stringMatching(/^v1,/) });
      expect(Object.keys(event).sort()).toEqual(['actor', 'app', 'data', 'id', 'specversion', 'time', 'type']);
      expect(Date.parse(event.time)).not.toBeNaN();
    }
    const ids = delivered().map(({ event }) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
