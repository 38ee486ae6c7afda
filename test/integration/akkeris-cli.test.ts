import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReleases } from '../../bench/deep-history';
import { getStore } from '../../shared/store/client';
import { akkerisCliAbsence, akkerisCliFor, installedAkkerisCli } from '../support/akkeris-cli';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { until } from '../support/until';

// A clone without ../shared has no CLI to run: the suite is skipped, saying so in one line.
const absence = akkerisCliAbsence();
if (absence) console.warn(absence);

/**
 * The unmodified Akkeris CLI (`aka`) against a local Slipway with real rollouts. The CLI exits 0 whatever
 * happens, so each command is judged by what it printed and by what Slipway recorded.
 */
let slipway: TestSlipway;
let cli: Awaited<ReturnType<typeof akkerisCliFor>>;

type Release = { id: string; version: number; status: string; current: boolean; description: string; slug: { id: string } };

const releasesOf = async (app: string) => (await slipway.call<Release[]>('GET', `/apps/${app}/releases?limit=1000`)).body;

/** True once the release is current, false if it failed; a minute at most, however busy the machine. */
const becomesCurrent = (app: string, version: number) =>
  until(`v${version} of ${app} to become current or fail`, async () => {
    const release = (await slipway.call<Release>('GET', `/apps/${app}/releases/${version}`)).body;
    return release.current ? true : release.status === 'failed' ? false : undefined;
  }, { intervalMs: 50 });

describe.skipIf(absence !== null)('the Akkeris CLI against Slipway', () => {
  beforeAll(async () => {
    const [cliDir, started] = await Promise.all([
      installedAkkerisCli(),
      startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } }),
    ]);
    slipway = started;
    cli = await akkerisCliFor({ cliDir, apiUrl: slipway.url, token: slipway.adminKey });
    for (const name of ['web-dev', 'web-stg']) {
      await slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: name } });
    }
  });
  afterAll(async () => {
    await cli?.close();
    await slipway?.close();
  });

  it('releases:create registers the image as a build and releases it; builds and releases list them', async () => {
    for (const tag of ['v1', 'v2']) {
      const output = await cli.aka('releases:create', `registry.local/web:${tag}`, '-a', 'web-dev');
      expect(output).toContain('✓');
    }
    const releases = await releasesOf('web-dev');
    expect(releases.map((release) => release.version)).toEqual([1, 2]);
    expect(await becomesCurrent('web-dev', 2)).toBe(true);

    const builds = await cli.aka('builds', '-a', 'web-dev');
    expect(builds.match(/Build Id:/g)).toHaveLength(2);
    const list = await cli.aka('releases', '-a', 'web-dev');
    expect(list).toMatch(/• v1\t.*\n• v2\t.*current/);
  });

  it('apps and apps:info show the app, what it runs and where', async () => {
    expect(await cli.aka('apps')).toMatch(/⬢ web-dev[\s\S]*⬢ web-stg/);
    const info = await cli.aka('apps:info', '-a', 'web-dev');
    expect(info).toMatch(/Organization:\s+slipway/);
    expect(info).toMatch(/Region:\s+local/);
    expect(info).toMatch(/Current Image:\s+registry\.local\/web:v2/);
    expect(info).toMatch(/Service ENV:\s+WEB-DEV_SERVICE_HOST/);
    expect(info).not.toContain('☠');
  });

  it('releases:info shows the latest release and releases:rollback rolls back to the version asked for', async () => {
    expect(await cli.aka('releases:info', '-a', 'web-dev')).toMatch(/version\s+2\n/);
    const output = await cli.aka('releases:rollback', '1', '-a', 'web-dev');
    expect(output).toContain('v1');
    expect(output).toContain('✓');
    const [v1, , v3] = await releasesOf('web-dev');
    expect(v3).toMatchObject({ version: 3, slug: v1?.slug });
    expect(await becomesCurrent('web-dev', 3)).toBe(true);
  });

  it('pipelines:create, pipelines:add, pipelines and pipelines:info set up and show a pipeline', async () => {
    expect(await cli.aka('pipelines:create', 'webline')).toContain('webline');
    await cli.aka('pipelines:add', 'webline', '-a', 'web-dev', '-s', 'development');
    await cli.aka('pipelines:add', 'webline', '-a', 'web-stg', '-s', 'staging');
    expect(await cli.aka('pipelines')).toContain('᱿ webline');
    const info = await cli.aka('pipelines:info', 'webline');
    expect(info).toMatch(/᱿ development[\s\S]*App: web-dev[\s\S]*᱿ staging[\s\S]*App: web-stg/);
  });

  it("shows Slipway's reason when it refuses, and the refusal changes nothing", async () => {
    const output = await cli.aka('releases:create', 'registry.local/web:v9', '-a', 'web-stg');
    expect(output).toMatch(/Error 422, App web-stg is at stage staging .* only promotions release there/);
    expect(output).not.toContain('<Buffer');
    expect(await releasesOf('web-stg')).toEqual([]);
  });

  it('pipelines:promote promotes the current release, or the one named, once, and reports it', async () => {
    const output = await cli.aka('pipelines:promote', '-a', 'web-dev');
    expect(output).toContain('✓');
    expect(output).toMatch(/webline pipeline\*?\*? ?\(development -> staging\)/);
    expect(output).toMatch(/Promoted: .*web-dev-local/);
    expect(output).not.toContain('☠');
    const current = (await releasesOf('web-dev')).at(-1);
    const [promoted] = await releasesOf('web-stg');
    expect(promoted).toMatchObject({ version: 1, slug: current?.slug });
    expect(await releasesOf('web-stg')).toHaveLength(1);

    const named = await cli.aka('pipelines:promote', '-a', 'web-dev', '-r', '2');
    expect(named).toContain('✓');
    const v2 = (await releasesOf('web-dev'))[1];
    expect((await releasesOf('web-stg'))[1]).toMatchObject({ version: 2, slug: v2?.slug });
  });

  it('keeps the newest of 105 releases within reach: releases, releases:info and releases:rollback 103', async () => {
    // A Slipway without rollouts, its 105 settled releases written straight into the store (every tenth failed).
    const quiet = await startTestSlipway();
    const quietCli = await akkerisCliFor({ cliDir: await installedAkkerisCli(), apiUrl: quiet.url, token: quiet.adminKey });
    try {
      const oldApp = await quiet.call('POST', '/apps', { body: { name: 'old-app', cluster: 'local', service: 'old-app' } });
      const build = await quiet.call('POST', '/apps/old-app/builds', { body: { image: 'registry.local/old:v1' } });
      await seedReleases(getStore(), { appName: 'old-app', appId: oldApp.body.id, slugId: build.body.id }, 105, Date.now());
      const newest = await quiet.call<Release[]>('GET', '/apps/old-app/releases');
      expect([newest.status, newest.body[0]?.version, newest.body.at(-1)?.version]).toEqual([200, 6, 105]);
      expect(newest.headers.get('next-range')).toBe('version ..5; order=desc, max=100');
      const list = await quietCli.aka('releases', '-a', 'old-app');
      expect(list.match(/• v\d+/g)).toEqual(Array.from({ length: 10 }, (_, index) => `• v${96 + index}`));
      expect(await quietCli.aka('releases:info', '-a', 'old-app')).toMatch(/version\s+105\n/);
      const rollback = await quietCli.aka('releases:rollback', '103', '-a', 'old-app');
      expect(rollback).toContain('v103');
      expect(rollback).not.toContain('not found');
      const v106 = (await quiet.call<Release>('GET', '/apps/old-app/releases/106')).body;
      expect(v106.description).toContain('v103');
    } finally {
      await quietCli.close();
      await quiet.close();
    }
  });
});
