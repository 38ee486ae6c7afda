import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Releases Slipway did not run, seen downstream as any release is: webhooks and integrations, the delivery
 * metrics (lead time from their commits' times where Slipway knows them), Prometheus and the badge.
 */
let slipway: TestSlipway;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const COMMITTED_AT = '2026-11-01T10:00:00.000Z';

const delivered = (path: string) => receiver.received.filter((request) => request.path === path).map((request) => JSON.parse(request.body));
const typesAt = (path: string) => delivered(path).map((event: { type: string }) => event.type);

beforeAll(async () => {
  slipway = await startTestSlipway({ hooks: { retry: { baseDelayMs: 40, maxDelayMs: 200 } } });
  receiver = await startReceiver(() => ({ status: 200 }));
  for (const name of ['mobile-app', 'firmware']) {
    await slipway.call('POST', '/apps', { body: { name, public_badge: true } });
    await slipway.call('POST', `/apps/${name}/hooks`, { body: { url: `${receiver.url}/${name}`, events: ['*'] } });
  }
  await slipway.call('POST', '/apps/mobile-app/hooks', {
    body: { kind: 'sentry', url: `${receiver.url}/sentry/`, secret: 'sentry-token', options: { project: 'mobile' }, events: ['release.succeeded'] },
  });
  // A build Slipway knows lists the commit an Echoes client later names by sha alone.
  await slipway.call('POST', '/apps/mobile-app/builds', {
    body: { version: '0.9.0', commits: [{ sha: 'aaaaaaa1', committed_at: COMMITTED_AT, message: 'first' }] },
  });
});
afterAll(async () => {
  await slipway?.close();
  await receiver?.close();
});

describe('recorded releases downstream', () => {
  it('reach webhooks and integrations, marked as recorded, as their clients report them', async () => {
    const declared = await slipway.call('POST', '/v1/signals/releases', { body: { version: 'v1.0.0', commits: ['aaaaaaa1'], deliverables: ['mobile-app'] } });
    await slipway.call('PATCH', `/v1/signals/releases/${declared.body.id}`, { body: { status: 'success' } });
    await waitFor(async () => typesAt('/mobile-app'), (types) => types.includes('release.succeeded'), 60_000);
    expect(typesAt('/mobile-app')).toEqual(expect.arrayContaining(['build.created', 'release.created', 'release.succeeded']));
    const succeeded = delivered('/mobile-app').find((event: { type: string }) => event.type === 'release.succeeded');
    expect(succeeded.data).toMatchObject({ recorded: true, status: 'succeeded', build: { version: 'v1.0.0' } });
    await waitFor(async () => receiver.received.filter((request) => request.path.startsWith('/sentry/')), (requests) => requests.length >= 2, 60_000);
    expect(JSON.parse(receiver.received.find((request) => request.path === '/sentry/releases/')?.body ?? '{}')).toMatchObject({
      version: 'mobile-app@v1',
      projects: ['mobile'],
    });

    const key = await slipway.keyFor('developer', ['firmware']);
    await slipway.call('POST', '/components/firmware/deployments/', { key, body: { version: 'v7', host: 'gw-1', stage: 'production' } });
    await slipway.call('POST', '/components/firmware/deployments/', { key, body: { version: 'v7', host: 'gw-2', stage: 'production' } });
    await waitFor(async () => typesAt('/firmware').filter((type: string) => type === 'release.deployed'), (deployed) => deployed.length >= 2, 60_000);
    const deployed = delivered('/firmware').filter((event: { type: string }) => event.type === 'release.deployed');
    expect(deployed.at(-1).data.deployments.map((deployment: { host: string }) => deployment.host).sort()).toEqual(['gw-1', 'gw-2']);
  });

  it('count in the delivery metrics, lead time from the commit times Slipway knows, Prometheus and the badge', async () => {
    const metrics = (await slipway.call('GET', '/apps/mobile-app/metrics?window=1d')).body;
    expect(metrics.deployment_frequency.releases).toBe(1);
    expect(metrics.lead_time).toMatchObject({ commits: 1, releases: 1 });
    expect(metrics.lead_time.p50_seconds).toBeGreaterThan(0);

    const exposition = (await slipway.call('GET', '/apps/mobile-app/metrics?format=prometheus')).body as string;
    expect(exposition).toContain('slipway_latest_release_info{app="mobile-app",version="1",label="v1.0.0",status="succeeded"} 1');
    expect(exposition).toMatch(/slipway_current_release_version\{app="mobile-app"\} 1/);
    const badge = (await slipway.call('GET', '/apps/firmware/badge.svg', { key: null })).body as string;
    expect(badge).toContain('v7');

    // A failure reported after success is a failed change; a later release that succeeds restores it.
    const [release] = (await slipway.call('GET', '/apps/mobile-app/releases')).body;
    await slipway.call('PATCH', `/apps/mobile-app/releases/${release.id}`, { body: { status: 'failed' } });
    const fix = await slipway.call('POST', '/v1/signals/releases', { body: { version: 'v1.0.1', commits: [], deliverables: ['mobile-app'] } });
    await slipway.call('PATCH', `/v1/signals/releases/${fix.body.id}`, { body: { status: 'success' } });
    const after = (await slipway.call('GET', '/apps/mobile-app/metrics?window=1d')).body;
    expect(after.change_failure_rate).toMatchObject({ failures: 1, releases: 2 });
    expect(after.time_to_restore).toMatchObject({ releases: 1, unrestored: 0 });
  });
});
