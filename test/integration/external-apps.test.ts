import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDetailResponse, AppResponse } from '../../shared/api/app-responses';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * External apps: created without cluster and service, their releases recorded as their clients report them
 * and never rolled out. The Slipway here runs no rollouts, so any release it meant to deploy would stay queued.
 */
let slipway: TestSlipway;
const COMMIT = { sha: 'abcdef1', author: 'ada@example.com', committed_at: '2026-11-01T10:00:00Z', message: 'Offline mode' };

const build = async (app: string, body: Record<string, unknown> = {}): Promise<string> => {
  const answer = await slipway.call('POST', `/apps/${app}/builds`, { body: { version: '2.4.0', commits: [COMMIT], tag: 'v2.4.0', branch: 'main', ...body } });
  if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
  return answer.body.id;
};

// Typed loosely: refusals answer an error document.
const record = (app: string, body: Record<string, unknown>) => slipway.call<ReleaseResponse & { error: { code: string; details: Record<string, unknown> } }>('POST', `/apps/${app}/releases`, { body });

beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'web', cluster: 'local', service: 'web' } });
});
afterAll(() => slipway.close());

describe('external apps', () => {
  it('are created without cluster and service, and listed marked as external', async () => {
    const created = await slipway.call<AppResponse>('POST', '/apps', { body: { name: 'mobile-app' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'mobile-app', external: true, cluster: null, service: null, space: { name: 'external' } });
    const listed = (await slipway.call<AppResponse[]>('GET', '/apps')).body;
    expect(listed.map((app) => [app.name, app.external])).toEqual(
      expect.arrayContaining([
        ['mobile-app', true],
        ['web', false],
      ]),
    );
  });

  it('refuses half an ECS service, and deploy settings on an external app', async () => {
    const half = await slipway.call('POST', '/apps', { body: { name: 'half-app', cluster: 'local' } });
    expect(half.status).toBe(422);
    expect(half.body.error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.service']);
    expect((await slipway.call('POST', '/apps', { body: { name: 'auto-app', auto_release: true } })).status).toBe(422);
    expect((await slipway.call('GET', '/apps/half-app')).status).toBe(404);
    expect((await slipway.call('PATCH', '/apps/mobile-app', { body: { auto_rollback: true } })).body.error.code).toBe('external_app_not_deployed');
  });

  it('takes builds without an image, which an ECS app still requires', async () => {
    expect((await slipway.call('POST', '/apps/mobile-app/builds', { body: { version: '1.0.0' } })).status).toBe(201);
    const refused = await slipway.call('POST', '/apps/web/builds', { body: { version: '1.0.0' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'body.image' }] } });
  });

  it('records a release as its client reports it, with its own times and the records any release has, never rolling it out', async () => {
    const slug = await build('mobile-app');
    const answer = await record('mobile-app', {
      slug,
      status: 'succeeded',
      started_at: '2026-11-24T10:00:00+02:00',
      finished_at: '+002026-11-24T08:30:00Z',
      url: 'https://apps.example.com/mobile/2.4.0',
      name: 'Kingfisher',
      notes: '<p>Offline mode</p>',
      metadata: { store: 'play' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      status: 'succeeded',
      recorded: true,
      current: true,
      rollout: null,
      started_at: '2026-11-24T08:00:00.000Z',
      finished_at: '2026-11-24T08:30:00.000Z',
      url: 'https://apps.example.com/mobile/2.4.0',
      name: 'Kingfisher',
      notes: '<p>Offline mode</p>',
      metadata: { store: 'play' },
      build: { id: slug, version: '2.4.0', commit: 'abcdef1', tag: 'v2.4.0', branch: 'main' },
      commits: [{ sha: 'abcdef1', message: 'Offline mode' }],
    });
    const app = (await slipway.call<AppDetailResponse>('GET', '/apps/mobile-app')).body;
    expect(app.current_release).toMatchObject({ id: answer.body.id, status: 'succeeded' });
    expect(app.rollout_in_flight).toBeNull();
  });

  it('keeps a release pending until its client reports how it went; a failure after success is a failed change', async () => {
    const slug = await build('mobile-app', { version: '2.5.0' });
    const pending = await record('mobile-app', { slug, started_at: '2026-11-25T10:00:00.123Z' });
    expect(pending.body).toMatchObject({ status: 'pending', recorded: true, current: false, finished_at: null });
    // Nothing rolls it out and nothing holds the app: the next release is recorded at once beside it.
    expect((await record('mobile-app', { slug, status: 'failed' })).body.status).toBe('failed');

    const path = `/apps/mobile-app/releases/${pending.body.id}`;
    const succeeded = await slipway.call<ReleaseResponse>('PATCH', path, { body: { status: 'succeeded' } });
    expect(succeeded.status).toBe(200);
    expect(succeeded.body).toMatchObject({ status: 'succeeded', current: true });
    expect(Date.parse(succeeded.body.finished_at ?? '')).toBeGreaterThan(Date.parse('2026-11-25T10:00:00.123Z'));
    expect((await slipway.call<AppDetailResponse>('GET', '/apps/mobile-app')).body.current_release?.id).toBe(pending.body.id);

    const before = (await slipway.call('GET', '/apps/mobile-app/metrics?window=1d')).body;
    const failed = await slipway.call<ReleaseResponse>('PATCH', path, { body: { status: 'failed', finished_at: '2026-11-25T11:00:00Z' } });
    expect(failed.body).toMatchObject({ status: 'failed', finished_at: '2026-11-25T11:00:00.000Z', current: false });
    // Current is the newest succeeded release again: the one recorded succeeded before it.
    expect((await slipway.call<AppDetailResponse>('GET', '/apps/mobile-app')).body.current_release).toMatchObject({ version: 1, status: 'succeeded' });
    const after = (await slipway.call('GET', '/apps/mobile-app/metrics?window=1d')).body;
    expect(after.change_failure_rate.failures).toBe(before.change_failure_rate.failures + 1);
    expect(after.deployment_frequency.releases).toBe(before.deployment_frequency.releases - 1);
  });

  it('refuses a finish before the start, changing nothing', async () => {
    const slug = await build('mobile-app');
    const count = (await slipway.call<ReleaseResponse[]>('GET', '/apps/mobile-app/releases')).body.length;
    const refused = await record('mobile-app', { slug, status: 'succeeded', started_at: '2026-11-24T10:00:00Z', finished_at: '2026-11-24T09:00:00Z' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('finished_before_started');
    expect((await record('mobile-app', { slug, started_at: 'yesterday' })).status).toBe(422);
    expect((await slipway.call<ReleaseResponse[]>('GET', '/apps/mobile-app/releases')).body.length).toBe(count);
  });

  it('refuses what would deploy an external app, and reported status or times on an app Slipway deploys', async () => {
    const rollback = await record('mobile-app', { release: 1 });
    expect(rollback.body.error.code).toBe('external_app_not_deployed');
    const config = await slipway.call('PATCH', '/apps/mobile-app/config-vars', { body: { LOG_LEVEL: 'debug' } });
    expect([config.status, config.body.error.code]).toEqual([422, 'external_app_not_deployed']);
    expect((await slipway.call('GET', '/apps/mobile-app/config-vars')).body).toEqual({});

    const webBuild = await slipway.call('POST', '/apps/web/builds', { body: { image: 'registry.local/web:v1' } });
    const reported = await record('web', { slug: webBuild.body.id, status: 'succeeded', url: 'https://example.com' });
    expect(reported.status).toBe(422);
    expect(reported.body.error).toMatchObject({ code: 'not_an_external_app', details: { fields: ['status', 'url'] } });
    const deployed = await record('web', { slug: webBuild.body.id });
    expect(deployed.body).toMatchObject({ status: 'queued', recorded: false });
    const patched = await slipway.call('PATCH', `/apps/web/releases/${deployed.body.id}`, { body: { status: 'succeeded' } });
    expect([patched.status, patched.body.error.code]).toEqual([409, 'release_not_recorded']);
  });

  it("takes a downstream pipeline stage's rule like any app: releases only by promotion", async () => {
    await slipway.call('POST', '/apps', { body: { name: 'mobile-beta' } });
    await slipway.call('POST', '/apps', { body: { name: 'mobile-store' } });
    await slipway.call('POST', '/pipelines', { body: { name: 'mobile' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'mobile', app: 'mobile-beta', stage: 'staging' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'mobile', app: 'mobile-store', stage: 'production' } });
    const refused = await record('mobile-store', { slug: await build('mobile-store'), status: 'succeeded' });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'downstream_pipeline_app']);
    expect((await record('mobile-beta', { slug: await build('mobile-beta'), status: 'succeeded' })).status).toBe(201);
    // Nothing of an external app was deployed by Slipway, so nothing is promoted from it (nor to one).
    const promoted = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'mobile' }, source: { app: { name: 'mobile-beta' } }, targets: [{ app: { name: 'mobile-store' } }], safe: false },
    });
    expect([promoted.status, promoted.body.error.code]).toEqual([422, 'external_app_not_deployed']);
    expect((await slipway.call<ReleaseResponse[]>('GET', '/apps/mobile-store/releases')).body).toEqual([]);
  });
});
