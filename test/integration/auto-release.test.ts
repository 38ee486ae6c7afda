import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRelease } from '../../shared/operations/releases';
import { requireApp } from '../../shared/operations/apps';
import { claimAutoRelease, findAutoReleaseMarker } from '../../shared/store/auto-release-store';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

const createApp = async (autoRelease: boolean) => {
  const name = unique(autoRelease ? 'auto' : 'manual');
  const response = await slipway.call('POST', '/apps', {
    body: { name, cluster: 'local', service: `${name}-svc`, auto_release: autoRelease },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; name: string };
};

const createBuild = async (app: string, status: 'succeeded' | 'pending') => {
  const response = await slipway.call('POST', `/apps/${app}/builds`, { body: { image: `registry.local/${app}:v1`, status } });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};

const succeed = (app: string, build: string) =>
  slipway.call('PATCH', `/apps/${app}/builds/${build}`, { body: { status: 'succeeded' } });

const releasesOf = async (app: string) => (await slipway.call('GET', `/apps/${app}/releases`)).body as Record<string, any>[];

/** A claim as a request leaves it right after claiming; with an expired lease, as if that request crashed. */
const claim = async (appId: string, buildId: string, leaseUntil = Date.now() - 1) => {
  const marker = {
    app_id: appId,
    build_id: buildId,
    release_id: crypto.randomUUID(),
    status: 'claimed' as const,
    lease_until: leaseUntil,
    release_version: null,
  };
  expect((await claimAutoRelease(marker)).claimed).toBe(true);
  return marker;
};

describe('auto-release', () => {
  it('releases a build created as succeeded, once, with trigger auto', async () => {
    const app = await createApp(true);
    const build = await createBuild(app.name, 'succeeded');
    await succeed(app.name, build.id);
    const releases = await releasesOf(app.name);
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({
      version: 1,
      slug: { id: build.id },
      trigger: 'auto',
      description: `Auto-release of build ${build.id}`,
    });
  });

  it('releases a build once when its success is reported many times at once and again later', async () => {
    const app = await createApp(true);
    const build = await createBuild(app.name, 'pending');
    expect(await releasesOf(app.name)).toEqual([]);
    const responses = await Promise.all(Array.from({ length: 10 }, () => succeed(app.name, build.id)));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    await Promise.all(Array.from({ length: 5 }, () => succeed(app.name, build.id)));
    const releases = await releasesOf(app.name);
    expect(releases.map((release) => [release.trigger, release.slug.id])).toEqual([['auto', build.id]]);
  });

  it('gives each succeeded build its own release', async () => {
    const app = await createApp(true);
    const first = await createBuild(app.name, 'succeeded');
    const second = await createBuild(app.name, 'pending');
    await succeed(app.name, second.id);
    expect((await releasesOf(app.name)).map((release) => release.slug.id)).toEqual([first.id, second.id]);
  });

  it('does not release failed builds, apps without auto_release, or downstream pipeline apps', async () => {
    const manual = await createApp(false);
    await createBuild(manual.name, 'succeeded');
    expect(await releasesOf(manual.name)).toEqual([]);

    const auto = await createApp(true);
    const failing = await createBuild(auto.name, 'pending');
    expect((await slipway.call('PATCH', `/apps/${auto.name}/builds/${failing.id}`, { body: { status: 'failed' } })).status).toBe(200);
    expect(await releasesOf(auto.name)).toEqual([]);

    const pipeline = (await slipway.call('POST', '/pipelines', { body: { name: unique('autopipe') } })).body;
    const upstream = await createApp(true);
    const downstream = await createApp(true);
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: pipeline.id, app: upstream.name, stage: 'development' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: pipeline.id, app: downstream.name, stage: 'staging' } });
    await createBuild(upstream.name, 'succeeded');
    expect(await createBuild(downstream.name, 'succeeded')).toMatchObject({ id: expect.any(String) });
    expect(await releasesOf(upstream.name)).toHaveLength(1);
    expect(await releasesOf(downstream.name)).toEqual([]);
  });

  it('rolls a crashed auto-release forward on the retried report, with the id the crashed request chose', async () => {
    const app = await createApp(true);
    const build = await createBuild(app.name, 'pending');
    const marker = await claim(app.id, build.id);
    await Promise.all([succeed(app.name, build.id), succeed(app.name, build.id)]);
    const releases = await releasesOf(app.name);
    expect(releases.map((release) => release.id)).toEqual([marker.release_id]);
    expect(await findAutoReleaseMarker(app.id, build.id)).toMatchObject({ status: 'released', release_version: 1 });
  });

  it('does not duplicate a release that a crashed request wrote before it could mark its claim', async () => {
    const app = await createApp(true);
    const build = await createBuild(app.name, 'pending');
    const marker = await claim(app.id, build.id);
    await recordRelease(
      await requireApp(app.name, { keyId: 'test', role: 'admin', apps: null, email: 'test@slipway.local' }),
      { slugId: build.id, image: `registry.local/${app.name}:v1`, description: `Auto-release of build ${build.id}`, trigger: 'auto' },
      { id: 'crashed', email: 'crashed@slipway.local' },
      marker.release_id,
    );
    await succeed(app.name, build.id);
    expect((await releasesOf(app.name)).map((release) => release.id)).toEqual([marker.release_id]);
    expect(await findAutoReleaseMarker(app.id, build.id)).toMatchObject({ status: 'released', release_version: 1 });
  });

  it('leaves a claim whose lease is live to its holder', async () => {
    const app = await createApp(true);
    const build = await createBuild(app.name, 'pending');
    const marker = await claim(app.id, build.id, Date.now() + 60_000);
    await succeed(app.name, build.id);
    expect(await releasesOf(app.name)).toEqual([]);
    expect(await findAutoReleaseMarker(app.id, build.id)).toMatchObject({ status: 'claimed', release_id: marker.release_id });
  });
});
