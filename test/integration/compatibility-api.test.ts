import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApp, startTestSlipway, type ApiResponse, type TestSlipway } from '../support/local-slipway';
import { until } from '../support/until';

/** What Heroku- and Akkeris-style clients rely on, over HTTP; Slipway's own rules stay as strict as ever. */
let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterAll(() => slipway.close());

type Release = { id: string; version: number; description: string };
const versionsOf = (releases: Release[]) => releases.map((release) => release.version);

describe('Heroku list ranges on releases', () => {
  let app: string;
  beforeAll(async () => {
    const { builds } = await seedApp(slipway, 'ranged-app', 1);
    app = 'ranged-app';
    for (let index = 0; index < 12; index++) await slipway.call('POST', `/apps/${app}/releases`, { body: { slug: builds[0] } });
  });

  it('pages newest first with 206 and Next-Range until the last page, answered 200', async () => {
    const seen: number[][] = [];
    let range: string | null = 'version ..; order=desc, max=5';
    const statuses: number[] = [];
    while (range) {
      const page: ApiResponse<Release[]> = await slipway.call<Release[]>('GET', `/apps/${app}/releases`, { headers: { range } });
      statuses.push(page.status);
      seen.push(versionsOf(page.body));
      range = page.headers.get('next-range');
    }
    expect(seen).toEqual([[12, 11, 10, 9, 8], [7, 6, 5, 4, 3], [2, 1]]);
    expect(statuses).toEqual([206, 206, 200]);
  });

  it('pages oldest first by default order, within bounds', async () => {
    const first = await slipway.call<Release[]>('GET', `/apps/${app}/releases`, { headers: { range: 'version 3..8; max=4' } });
    expect([first.status, versionsOf(first.body)]).toEqual([206, [3, 4, 5, 6]]);
    const rest = await slipway.call<Release[]>('GET', `/apps/${app}/releases`, { headers: { range: first.headers.get('next-range') ?? '' } });
    expect([rest.status, versionsOf(rest.body), rest.headers.get('next-range')]).toEqual([200, [7, 8], null]);
  });

  it('keeps limit/cursor with Next-Cursor for older clients, and refuses mixing them with Range', async () => {
    const page = await slipway.call<Release[]>('GET', `/apps/${app}/releases?limit=10`);
    expect([page.status, versionsOf(page.body)]).toEqual([200, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    expect(page.headers.get('next-cursor')).toBeTruthy();
    const mixed = await slipway.call('GET', `/apps/${app}/releases?limit=10`, { headers: { range: 'version ..' } });
    expect([mixed.status, mixed.body.error.code]).toEqual([400, 'invalid_range']);
    const bad = await slipway.call('GET', `/apps/${app}/releases`, { headers: { range: 'version ..; max=5000' } });
    expect([bad.status, bad.body.id, bad.body.message]).toEqual([400, 'invalid_range', bad.body.error.message]);
  });
});

describe('builds of a long-lived app', () => {
  it('lists the newest 100 builds, oldest first, unless limit asks for the oldest', async () => {
    await seedApp(slipway, 'many-builds', 0);
    for (let index = 1; index <= 102; index++) {
      await slipway.call('POST', '/apps/many-builds/builds', { body: { image: `registry.local/many:v${index}` } });
    }
    const imagesOf = (builds: { source_blob: { image: string } }[]) => builds.map((build) => build.source_blob.image.split(':')[1]);
    const listed = (await slipway.call<{ created_at: string; source_blob: { image: string } }[]>('GET', '/apps/many-builds/builds')).body;
    const newest = imagesOf(listed);
    // Builds made in the same millisecond have no order between them, so only the ends are asserted.
    expect([newest.length, newest.includes('v102'), newest.includes('v1')]).toEqual([100, true, false]);
    expect(listed.map((build) => build.created_at)).toEqual(listed.map((build) => build.created_at).sort());
    expect(imagesOf((await slipway.call('GET', '/apps/many-builds/builds?limit=2')).body)).toEqual(['v1', 'v2']);
  });
});

describe('Akkeris shapes', () => {
  it('gives every refusal a top-level message and id beside the error object', async () => {
    const response = await slipway.call('GET', '/apps/no-such-app');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: { code: 'app_not_found', message: "No app matches 'no-such-app'.", details: { app: 'no-such-app' } },
      id: 'app_not_found',
      message: "No app matches 'no-such-app'.",
    });
  });

  it('takes builds as {url, checksum: "", sha: ""}, and refuses an image and url that disagree or a checksum', async () => {
    await seedApp(slipway, 'akk-builds', 0);
    const build = await slipway.call('POST', '/apps/akk-builds/builds', { body: { url: 'registry.local/a:v1', checksum: '', sha: '', repo: '', branch: '' } });
    expect(build.status).toBe(201);
    expect(build.body.source_blob).toMatchObject({ image: 'registry.local/a:v1', commit: null });
    for (const body of [
      { image: 'registry.local/a:v1', url: 'registry.local/a:v2' },
      { url: 'registry.local/a:v1', checksum: 'abc' },
      { sha: '' },
    ]) {
      const refused = await slipway.call('POST', '/apps/akk-builds/builds', { body });
      expect([refused.status, refused.body.id], JSON.stringify(body)).toEqual([422, 'validation_failed']);
    }
    expect((await slipway.call('GET', '/apps/akk-builds/builds')).body).toHaveLength(1);
  });

  it("takes Akkeris' version label on a release as its description; the version number stays Slipway's", async () => {
    const { builds } = await seedApp(slipway, 'akk-labels', 1);
    const release = await slipway.call<Release>('POST', '/apps/akk-labels/releases', { body: { slug: builds[0], version: '2.4.1' } });
    expect([release.status, release.body.version, release.body.description]).toEqual([201, 1, '2.4.1']);
  });

  it('answers app features and pipeline stages', async () => {
    await seedApp(slipway, 'akk-features', 0);
    expect((await slipway.call('GET', '/apps/akk-features/features')).body).toEqual([
      expect.objectContaining({ name: 'auto-release', enabled: false }),
    ]);
    expect((await slipway.call('GET', '/pipeline-stages')).body).toEqual({
      review: 'development',
      development: 'staging',
      staging: 'production',
      production: null,
    });
  });

  it('takes {id, name} pairs in promotions when both name the same thing and refuses them with 422 when not', async () => {
    const { app: source, builds } = await seedApp(slipway, 'akk-dev', 1);
    const { app: target } = await seedApp(slipway, 'akk-prod', 0);
    const pipeline = await slipway.call('POST', '/pipelines', { body: { name: 'akk-line' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'akk-line', app: 'akk-dev', stage: 'development' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'akk-line', app: 'akk-prod', stage: 'production' } });
    const release = await slipway.call<Release>('POST', '/apps/akk-dev/releases', { body: { slug: builds[0] } });
    // Only a release that rolled out is promotable.
    await until('v1 of akk-dev to succeed', async () => ((await slipway.call('GET', '/apps/akk-dev/releases/1')).body.status === 'succeeded' ? true : undefined));
    const body = (overrides: { pipelineName?: string; targetName?: string; outerRelease?: string }) => ({
      pipeline: { id: pipeline.body.id, name: overrides.pipelineName ?? 'akk-line' },
      source: {
        app: { id: source.id, name: 'akk-dev', release: { id: release.body.id } },
        ...(overrides.outerRelease ? { release: { id: overrides.outerRelease } } : {}),
      },
      targets: [{ app: { id: target.id, name: overrides.targetName ?? 'akk-prod' } }],
      safe: false,
    });

    const refusals = [
      await slipway.call('POST', '/pipeline-promotions', { body: body({ pipelineName: 'akk-other' }) }),
      await slipway.call('POST', '/pipeline-promotions', { body: body({ targetName: 'akk-dev' }) }),
      await slipway.call('POST', '/pipeline-promotions', { body: body({ outerRelease: '5b2f0c1e-0000-4000-8000-000000000000' }) }),
      await slipway.call('POST', '/pipeline-promotions', { body: { ...body({}), targets: [{ app: { id: 'akk-prod', name: 'akk-dev' } }] } }),
    ];
    expect(refusals.map((refusal) => [refusal.status, refusal.body.id])).toEqual([
      [422, 'reference_mismatch'],
      [422, 'reference_mismatch'],
      [422, 'validation_failed'],
      [422, 'validation_failed'],
    ]);
    expect((await slipway.call('GET', '/apps/akk-prod/releases')).body).toEqual([]);

    const promoted = await slipway.call('POST', '/pipeline-promotions', { body: body({}) });
    expect(promoted.status).toBe(201);
    expect(promoted.body.source).toMatchObject({ app: { name: 'akk-dev' }, release: { id: release.body.id }, space: { name: 'local' } });
    expect(versionsOf((await slipway.call<Release[]>('GET', '/apps/akk-prod/releases')).body)).toEqual([1]);
  });
});
