import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../shared/api/metrics-responses';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { settleRollout, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
const commit = (sha: string, hours: number) => ({ sha, author: 'grace@example.com', committed_at: hoursAgo(hours), message: sha });
const SCRIPT = '<script>alert(1)</script>';

const register = async (app: string, body: Record<string, unknown>): Promise<string> => {
  const answer = await slipway.call('POST', `/apps/${app}/builds`, { body: { image: `registry.local/${app}:x`, ...body } });
  if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
  return answer.body.id;
};
const release = async (app: string, body: Record<string, unknown>, outcome: 'COMPLETED' | 'FAILED' | null) => {
  const answer = await slipway.call<ReleaseResponse>('POST', `/apps/${app}/releases`, { body });
  if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
  if (outcome) await settleRollout(answer.body, outcome);
  return answer.body;
};

/**
 * `dora` today: v1 ships c1 (committed 2 h ago) and succeeds; v2 (c2, 1 h ago) fails; v3 ships c2 again and
 * succeeds; v4 ships c3 (30 min ago) and succeeds; v5 rolls back to v3. So: 4 changes (v1-v4), 3 succeeded
 * (3 a day: elite); v2 failed and v4 was rolled back (2 of 4: low); lead times about 2 h, 1 h and 30 min
 * (p50 1 h: elite); both failures restored within seconds (elite).
 */
beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'dora', cluster: 'local', service: 'dora-svc', public_badge: true } });
  await slipway.call('POST', '/apps', { body: { name: 'private', cluster: 'local', service: 'private-svc' } });
  const b1 = await register('dora', { version: '1.0.0', commits: [commit('c0ffee1', 2)] });
  const b2 = await register('dora', { version: '1.1.0', commits: [commit('c0ffee2', 1), commit('c0ffee1', 2)] });
  const b3 = await register('dora', { version: SCRIPT, commits: [commit('c0ffee3', 0.5), commit('c0ffee2', 1)] });
  await release('dora', { slug: b1 }, 'COMPLETED');
  await release('dora', { slug: b2 }, 'FAILED');
  const v3 = await release('dora', { slug: b2 }, 'COMPLETED');
  await release('dora', { slug: b3, notes: `<p>Risky</p>${SCRIPT}` }, 'COMPLETED');
  await release('dora', { release: v3.id }, 'COMPLETED');
  await slipway.call('POST', '/pipelines', { body: { name: 'dora-line' } });
  await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'dora-line', app: 'dora', stage: 'production' } });
});
afterAll(() => slipway.close());

const expectDoraFigures = (metrics: MetricsResponse) => {
  expect(metrics.deployment_frequency).toEqual({ per_day: 3, band: 'elite', releases: 3 });
  expect(metrics.change_failure_rate).toEqual({ rate: 0.5, failures: 2, band: 'low', releases: 4 });
  expect(metrics.lead_time).toMatchObject({ commits: 3, band: 'elite', releases: 3 });
  expect(metrics.lead_time.p50_seconds).toBeGreaterThanOrEqual(3600);
  expect(metrics.lead_time.p50_seconds).toBeLessThan(3600 + 120);
  expect(metrics.lead_time.p90_seconds).toBeGreaterThanOrEqual(7200);
  expect(metrics.lead_time.p90_seconds).toBeLessThan(7200 + 120);
  expect(metrics.time_to_restore).toMatchObject({ unrestored: 0, band: 'elite', releases: 2 });
};

describe('delivery metrics over HTTP', () => {
  it("an app's four keys over a window, each with its band and the releases it rests on", async () => {
    const answer = await slipway.call<MetricsResponse>('GET', '/apps/dora/metrics?window=1d');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ pipeline: null, apps: [{ name: 'dora' }], window: { label: '1d' } });
    expectDoraFigures(answer.body);
  });

  it("a pipeline's production stage, and a window before any release", async () => {
    const answer = await slipway.call<MetricsResponse>('GET', '/pipelines/dora-line/metrics?window=1d');
    expect(answer.body).toMatchObject({ pipeline: { name: 'dora-line' }, apps: [{ name: 'dora' }] });
    expectDoraFigures(answer.body);
    const developer = await slipway.keyFor('developer', ['private']);
    const unseen = await slipway.call<MetricsResponse>('GET', '/pipelines/dora-line/metrics', { key: developer });
    expect(unseen.body.apps).toEqual([]);
    expect(unseen.body.deployment_frequency.releases).toBe(0);
  });

  it('the same figures as a Prometheus text exposition', async () => {
    const answer = await slipway.call('GET', '/apps/dora/metrics?window=1d&format=prometheus');
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = answer.body as string;
    expect(text).toContain('# TYPE slipway_change_failure_rate gauge');
    expect(text).toContain('slipway_change_failure_rate{app="dora",window="1d"} 0.5');
    expect(text).toContain('slipway_deployment_frequency_per_day{app="dora",window="1d"} 3');
    expect(text).toContain('slipway_dora_band{app="dora",window="1d",key="lead_time"} 4');
    expect(text).toContain('slipway_dora_releases{app="dora",window="1d",key="change_failure_rate"} 4');
    expect(text).toContain('slipway_current_release_version{app="dora"} 5');
    // v5 rolled back to v3, whose build is 1.1.0.
    expect(text).toContain('slipway_latest_release_info{app="dora",version="5",label="1.1.0",status="succeeded"} 1');
    const pipeline = await slipway.call('GET', '/pipelines/dora-line/metrics?format=prometheus');
    expect(pipeline.body).toContain('slipway_change_failure_rate{pipeline="dora-line",window="30d"} 0.5');
  });

  it('with step, also the window as a series of buckets, oldest first, in one answer', async () => {
    const answer = await slipway.call<MetricsResponse>('GET', '/apps/dora/metrics?window=1d&step=1h');
    expect(answer.status).toBe(200);
    expectDoraFigures(answer.body);
    const series = answer.body.series ?? [];
    expect(series).toHaveLength(24);
    expect(series[0]?.from).toBe(answer.body.window.from);
    expect(series.at(-1)?.to).toBe(answer.body.window.to);
    expect(series.every((bucket, index) => index === 0 || bucket.from === series[index - 1]?.to)).toBe(true);
    // Buckets start on the hour; the last runs from its start to now.
    expect(series.every((bucket) => bucket.from.endsWith(':00:00.000Z'))).toBe(true);
    expect(Date.parse(series.at(-1)?.from ?? '')).toBeLessThanOrEqual(Date.parse(answer.body.window.to));
    // All five releases were made moments ago: the hour they were made in holds every change, the others none.
    const busy = series.filter((bucket) => bucket.change_failure_rate.releases > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ deployment_frequency: { releases: 3 }, change_failure_rate: { rate: 0.5, failures: 2, releases: 4 } });
    expect(series.indexOf(busy[0] as (typeof series)[number])).toBeGreaterThanOrEqual(series.length - 2);
    expect(series.filter((bucket) => bucket !== busy[0]).every((bucket) => bucket.lead_time.band === null && bucket.deployment_frequency.band === null)).toBe(true);
    expect((await slipway.call<MetricsResponse>('GET', '/apps/dora/metrics?window=1d')).body.series).toBeUndefined();

    const pipeline = await slipway.call<MetricsResponse>('GET', '/pipelines/dora-line/metrics?window=2w&step=1w');
    expect(pipeline.body.series?.map((bucket) => bucket.deployment_frequency.releases)).toEqual([0, 3]);
  });

  it('refuses a step that does not cut the window into whole buckets, too many of them, or with prometheus, with a 422', async () => {
    for (const [query, message] of [
      ['window=30d&step=7d', 'must divide the window (30d) into whole steps'],
      ['window=366d&step=1h', 'would cut the window (366d) into 8784 buckets; at most 366'],
      ['window=1d&step=2d', 'must divide the window (1d) into whole steps'],
      ['window=1d&step=1h&format=prometheus', 'a series is answered as JSON only: leave out step or format'],
      ['step=0d', 'must be a number of hours, days or weeks, e.g. 30d, 12h, 2w'],
    ] as const) {
      const answer = await slipway.call('GET', `/apps/dora/metrics?${query}`);
      expect([answer.status, answer.body.error.code, answer.body.error.message]).toEqual([422, 'validation_failed', `Invalid query.step: ${message}`]);
    }
  });

  it('refuses a bad window with a 422', async () => {
    for (const window of ['0d', '400d', '1y', '-3d']) {
      const answer = await slipway.call('GET', `/apps/dora/metrics?window=${window}`);
      expect([answer.status, answer.body.error.code]).toEqual([422, 'validation_failed']);
    }
  });
});

describe('badges', () => {
  it('show the current version and state, escaped, cacheable, without a key when the app opted in', async () => {
    const answer = await slipway.call('GET', '/apps/dora/badge.svg', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('public, max-age=60');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = answer.body as string;
    // v5 rolled back to v3's build, 1.1.0.
    expect(svg).toContain('>1.1.0</text>');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('escape a version label with markup: no script element can reach the SVG or break the exposition', async () => {
    const b = await register('private', { version: '<script>alert("1")</script>' });
    await release('private', { slug: b }, 'COMPLETED');
    const svg = (await slipway.call('GET', '/apps/private/badge.svg')).body as string;
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;');
    const text = (await slipway.call('GET', '/apps/private/metrics?format=prometheus')).body as string;
    expect(text).toContain('label="<script>alert(\\"1\\")</script>"');
  });

  it("answer an app that did not opt in only to a key that covers it, and a bad key with 401", async () => {
    expect((await slipway.call('GET', '/apps/private/badge.svg', { key: null })).status).toBe(404);
    expect((await slipway.call('GET', '/apps/nonesuch/badge.svg', { key: null })).status).toBe(404);
    const withKey = await slipway.call('GET', '/apps/private/badge.svg');
    expect([withKey.status, withKey.headers.get('cache-control')]).toEqual([200, 'private, max-age=60']);
    const other = await slipway.keyFor('developer', ['dora']);
    expect((await slipway.call('GET', '/apps/private/badge.svg', { key: other })).status).toBe(404);
    const bad = await slipway.call('GET', '/apps/dora/badge.svg', { key: 'slw_not-a-key' });
    expect([bad.status, bad.body.error.code]).toEqual([401, 'unauthorized']);
  });

  it('become public, and private again, when an admin changes the app (others may not)', async () => {
    const developer = await slipway.keyFor('developer');
    const refused = await slipway.call('PATCH', '/apps/private', { body: { public_badge: true }, key: developer });
    expect([refused.status, (await slipway.call('GET', '/apps/private/badge.svg', { key: null })).status]).toEqual([403, 404]);
    const opened = await slipway.call('PATCH', '/apps/private', { body: { public_badge: true } });
    expect([opened.status, opened.body.public_badge]).toEqual([200, true]);
    expect((await slipway.call('GET', '/apps/private/badge.svg', { key: null })).status).toBe(200);
    await slipway.call('PATCH', '/apps/private', { body: { public_badge: false } });
    expect((await slipway.call('GET', '/apps/private/badge.svg', { key: null })).status).toBe(404);
    const invalid = await slipway.call('PATCH', '/apps/private', { body: { public_badge: true, name: 'renamed' } });
    expect([invalid.status, invalid.body.error.code]).toEqual([422, 'validation_failed']);
  });

  it('show a newer release that is not current, in its colour', async () => {
    const b = await register('private', { version: '2.0.0' });
    await release('private', { slug: b }, 'FAILED');
    const svg = (await slipway.call('GET', '/apps/private/badge.svg')).body as string;
    expect(svg).toContain('(v2 failed)');
    expect(svg).toContain('fill="#e05d44"');
  });
});

describe('release notes', () => {
  it('are kept as given and only ever served as JSON data', async () => {
    const answer = await slipway.call<ReleaseResponse>('GET', '/apps/dora/releases/4');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.body.notes).toBe(`<p>Risky</p>${SCRIPT}`);
  });
});
