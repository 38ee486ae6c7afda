import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRolloutLock } from '../../shared/store/rollout-store';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * Rollbacks over HTTP against real local rollouts. A `slow` image deploys one batch every ten minutes in
 * the ECS simulator here, so a bad rollout stays in flight until something overtakes it.
 */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ slowBatchIntervalMs: 600_000 });
});
afterAll(() => slipway?.close());

const rollouts = () => rolloutsOf(slipway);
const POLL = { intervalMs: 20 };

type Release = {
  id: string;
  version: number;
  status: string;
  current: boolean;
  trigger: string;
  description: string;
  user: { id: string; email: string };
  superseded_by: { id: string; version: number } | null;
  rollout: { deployment_id: string | null; message: string | null } | null;
};

const read = async (app: string, ref: string | number) => (await slipway.call<Release>('GET', `/apps/${app}/releases/${ref}`)).body;

const settledRelease = (app: string, ref: string | number) =>
  until(async () => `${app} ${ref} to settle: ${JSON.stringify(await read(app, ref))}`, async () => {
    const release = await read(app, ref);
    return ['succeeded', 'failed', 'unknown'].includes(release.status) ? release : undefined;
  }, POLL);

/** An app with v1 live (image :good) and builds for the given images; returns the build ids by image tag. */
const appWithGoodV1 = async (name: string, tags: string[]) => {
  expect((await slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: `${name}-svc` } })).status).toBe(201);
  const builds: Record<string, string> = {};
  for (const tag of ['good', ...tags]) {
    const build = await slipway.call<{ id: string }>('POST', `/apps/${name}/builds`, { body: { image: `registry.local/${name}:${tag}` } });
    builds[tag] = build.body.id;
  }
  const v1 = await slipway.call<Release>('POST', `/apps/${name}/releases`, { body: { slug: builds.good } });
  expect((await settledRelease(name, v1.body.id)).status).toBe('succeeded');
  return builds;
};

const deploy = async (app: string, slug: string | undefined) => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug } });
  expect(created.status).toBe(201);
  return created.body;
};

/** Starts the slow bad rollout and waits until ECS is deploying it. */
const badRolloutInFlight = async (app: string, slug: string | undefined) => {
  const bad = await deploy(app, slug);
  await until('the bad deployment to start', async () => ((await read(app, bad.id)).rollout?.deployment_id ? true : undefined), POLL);
  return bad;
};

const serviceImages = async (service: string) => {
  const { services } = await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }));
  const deployments = services?.[0]?.deployments ?? [];
  const images: string[] = [];
  for (const deployment of deployments) {
    const { taskDefinition } = await slipway.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: deployment.taskDefinition }));
    images.push(taskDefinition?.containerDefinitions?.[0]?.image ?? '');
  }
  return { images, running: services?.[0]?.runningCount };
};

describe('a rollback overtakes', () => {
  it.each([0, 1, 3])('the slow bad rollout in flight and %i queued releases, which never run after it', async (queued) => {
    const app = `overtake-${queued}`;
    const builds = await appWithGoodV1(app, ['bad-slow', ...Array.from({ length: queued }, (_, index) => `next-${index}`)]);
    const bad = await badRolloutInFlight(app, builds['bad-slow']);
    const waiting = [];
    for (let index = 0; index < queued; index++) waiting.push(await deploy(app, builds[`next-${index}`]));

    const posted = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { release: 'v1' } });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ version: 3 + queued, trigger: 'rollback', description: 'Rollback to v1 (its build and config)' });

    const rollback = await settledRelease(app, posted.body.id);
    expect(rollback).toMatchObject({ status: 'succeeded', current: true });
    expect(await read(app, bad.id)).toMatchObject({
      status: 'failed',
      current: false,
      superseded_by: { id: rollback.id, version: rollback.version },
      rollout: { message: `Superseded by rollback v${rollback.version}: its deployment was replaced before it completed.` },
    });
    for (const release of waiting) {
      expect(await read(app, release.id)).toMatchObject({
        status: 'failed',
        superseded_by: { id: rollback.id },
        rollout: { message: `Superseded by rollback v${rollback.version}: it never ran.` },
      });
    }
    expect(await serviceImages(`${app}-svc`)).toEqual({ images: [`registry.local/${app}:good`], running: 3 });
    const detail = (await slipway.call('GET', `/apps/${app}`)).body;
    expect(detail).toMatchObject({
      current_release: { id: rollback.id, version: rollback.version, image: `registry.local/${app}:good`, status: 'succeeded' },
      rollout_in_flight: null,
    });
    expect((await getRolloutLock(detail.id)).holder).toBeNull();
    // Every execution ended: the superseded ones did not linger in the queue.
    for (const release of [bad, ...waiting]) expect((await rollouts().stepFunctions.finished(release.id)).status).toBe('SUCCEEDED');
  });

  it('and a release created after the rollback still runs after it', async () => {
    const app = 'overtake-after';
    const builds = await appWithGoodV1(app, ['bad-slow', 'fix']);
    await badRolloutInFlight(app, builds['bad-slow']);
    const rollback = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { release: 1 } });
    const fix = await deploy(app, builds.fix);
    expect((await settledRelease(app, rollback.body.id)).status).toBe('succeeded');
    expect(await settledRelease(app, fix.id)).toMatchObject({ status: 'succeeded', current: true, superseded_by: null });
  });
});

describe('GET /apps/{app}', () => {
  it('shows the current release and the rollout in flight', async () => {
    const app = 'live-view';
    const builds = await appWithGoodV1(app, ['bad-slow']);
    const bad = await badRolloutInFlight(app, builds['bad-slow']);
    const detail = (await slipway.call('GET', `/apps/${app}`)).body;
    expect(detail.current_release).toMatchObject({ version: 1, image: `registry.local/${app}:good`, status: 'succeeded', state: 'pending' });
    expect(detail.current_release.finished_at).not.toBeNull();
    expect(detail.rollout_in_flight).toMatchObject({ id: bad.id, version: 2, status: 'pending', image: `registry.local/${app}:bad-slow` });
    expect(detail.rollout_in_flight.rollout.deployment_id).toEqual(expect.any(String));
    await settledRelease(app, (await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { release: 'v1' } })).body.id);
  });
});

describe('rolling back to a release that never succeeded', () => {
  it('is refused with 409 rollback_target_not_succeeded, and allowed with force', async () => {
    const app = 'broken-target';
    const builds = await appWithGoodV1(app, ['v2-unhealthy']);
    const broken = await settledRelease(app, (await deploy(app, builds['v2-unhealthy'])).id);
    expect(broken.status).toBe('failed');

    const refused = await slipway.call('POST', `/apps/${app}/releases`, { body: { release: broken.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'rollback_target_not_succeeded',
      details: { release: broken.id, version: 2, status: 'failed' },
    });
    const byVersion = await slipway.call('POST', `/apps/${app}/releases`, { body: { release: 'v2' } });
    expect(byVersion.status).toBe(409);
    expect((await slipway.call<Release[]>('GET', `/apps/${app}/releases`)).body).toHaveLength(2);

    const forced = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { release: 2, force: true } });
    expect(forced.status).toBe(201);
    expect(forced.body).toMatchObject({ version: 3, description: 'Rollback to v2 (its build and config)', trigger: 'rollback' });
    expect((await settledRelease(app, forced.body.id)).status).toBe('failed');
  });

  it.each([['v0'], ['v12'], [0], ['seven'], [1e20], [1.5], ['v99999999999']])('answers %j with 4xx and records nothing', async (target) => {
    const app = 'bad-targets';
    if ((await slipway.call('GET', `/apps/${app}`)).status === 404) await appWithGoodV1(app, []);
    const answer = await slipway.call('POST', `/apps/${app}/releases`, { body: { release: target } });
    expect(answer.status).toBe(target === 'v12' ? 404 : 422);
    expect((await slipway.call<Release[]>('GET', `/apps/${app}/releases`)).body).toHaveLength(1);
  });
});

describe('automatic rollback', () => {
  const releasesOf = async (app: string) => (await slipway.call<Release[]>('GET', `/apps/${app}/releases`)).body;
  const check = (app: string, version: number, state: string, context = 'ci/smoke') =>
    slipway.call('POST', `/apps/${app}/releases/${version}/statuses`, { body: { context, name: 'Smoke', state } });

  it('is off by default, and PATCH /apps/{app} turns it on with a bake window', async () => {
    const app = 'auto-off';
    const builds = await appWithGoodV1(app, ['v2']);
    await settledRelease(app, (await deploy(app, builds.v2)).id);
    expect((await check(app, 2, 'failure')).status).toBe(201);
    expect(await releasesOf(app)).toHaveLength(2);

    const patched = await slipway.call('PATCH', `/apps/${app}`, { body: { auto_rollback: true, bake_window_seconds: 120 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ auto_rollback: true, bake_window_seconds: 120, current_release: { version: 2 } });
    const developer = await slipway.keyFor('developer', [app]);
    expect((await slipway.call('PATCH', `/apps/${app}`, { body: { auto_rollback: false }, key: developer })).status).toBe(403);
    for (const body of [{}, { bake_window_seconds: 0 }, { auto_rollback: 'yes' }, { auto_release: true }]) {
      expect((await slipway.call('PATCH', `/apps/${app}`, { body })).status).toBe(422);
    }
    expect((await slipway.call('GET', `/apps/${app}`)).body).toMatchObject({ auto_rollback: true, bake_window_seconds: 120 });
  });

  it('rolls a live release back to the last good one when a check fails in its bake window, once, and never loops', async () => {
    const app = 'auto-on';
    expect((await slipway.call('POST', '/apps', { body: { name: app, cluster: 'local', service: `${app}-svc`, auto_rollback: true } })).body)
      .toMatchObject({ auto_rollback: true, bake_window_seconds: 600 });
    const builds: string[] = [];
    for (const tag of ['good', 'bad']) {
      builds.push((await slipway.call<{ id: string }>('POST', `/apps/${app}/builds`, { body: { image: `registry.local/${app}:${tag}` } })).body.id);
    }
    expect((await settledRelease(app, (await deploy(app, builds[0])).id)).status).toBe('succeeded');
    const bad = await settledRelease(app, (await deploy(app, builds[1])).id);
    expect(bad).toMatchObject({ version: 2, status: 'succeeded', current: true });

    expect((await check(app, 2, 'failure')).status).toBe(201);
    expect((await slipway.call('PATCH', `/apps/${app}/releases/2/statuses/ci%2Fsmoke`, { body: { state: 'error' } })).status).toBe(200);
    const history = await releasesOf(app);
    expect(history).toHaveLength(3);
    const rollback = await settledRelease(app, 3);
    expect(rollback).toMatchObject({ status: 'succeeded', current: true, trigger: 'auto_rollback', user: { id: 'slipway:auto-rollback' } });
    expect(rollback.description).toMatch(/^Rollback to v1 \(its build and config\): check ci\/smoke reported failure on v2 \d+ s after it went live$/);
    expect((await slipway.call('GET', `/apps/${app}`)).body.current_release).toMatchObject({ version: 3, image: `registry.local/${app}:good` });

    // A failing check on the rollback itself does not roll it back: no loop.
    expect((await check(app, 3, 'failure')).status).toBe(201);
    expect(await releasesOf(app)).toHaveLength(3);
  });
});
