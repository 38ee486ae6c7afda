import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigVars } from '../../shared/domain/config-vars';
import { appendConfigVersion, findLatestConfigVersion } from '../../shared/store/config-store';
import { capturedOutput } from '../support/captured-output';
import { rolloutsOf, seedApp, startSlipwayWithEcs, type ApiResponse, type SlipwayWithEcs, type TestSlipway } from '../support/local-slipway';

/**
 * Config vars released with the build, over HTTP with real local rollouts: each change is a release whose
 * task definition revision (asked of the ECS simulator) carries exactly its config; a rollback makes its
 * target's config the app's again.
 */
let slipway: SlipwayWithEcs;
/** Every answer of this suite, to prove a secret value never leaves the service. */
const answers: string[] = [];
const SECRET = 'sup3r-s3cret-value-never-shown';

beforeAll(async () => {
  slipway = await startSlipwayWithEcs();
});
afterAll(() => slipway?.close());

const rollouts = () => rolloutsOf(slipway);

type Release = { id: string; version: number; status: string; description: string; trigger: string; config_version: number | null; current: boolean };

const call = async <T>(method: string, path: string, options: Parameters<TestSlipway['call']>[2] = {}): Promise<ApiResponse<T>> => {
  const response = await slipway.call<T>(method, path, options);
  answers.push(JSON.stringify(response.body), response.headers.get('location') ?? '');
  return response;
};

const settled = async (app: string, id: string): Promise<Release> => {
  const execution = await rollouts().stepFunctions.finished(id);
  expect(execution.status).toBe('SUCCEEDED');
  return (await call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
};

const releaseIdOf = (response: ApiResponse) => (response.headers.get('location') ?? '').split('/').pop() ?? '';

/** Sets/unsets config and waits for the release it made to roll out. */
const changeConfig = async (app: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const response = await call<Record<string, string>>('PATCH', `/apps/${app}/config-vars`, { body, headers });
  expect(response.status).toBe(200);
  return { config: response.body, release: await settled(app, releaseIdOf(response)) };
};

const runningContainer = async (service: string) => {
  const { services } = await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }));
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const { taskDefinition } = await slipway.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: primary?.taskDefinition }));
  const container = taskDefinition?.containerDefinitions?.[0];
  answers.push(JSON.stringify(taskDefinition));
  return {
    image: container?.image,
    environment: Object.fromEntries((container?.environment ?? []).map((entry) => [entry.name, entry.value])),
    secrets: Object.fromEntries((container?.secrets ?? []).map((entry) => [entry.name, entry.valueFrom])),
  };
};

describe('config vars are part of a release', () => {
  it('releases each change, carries exactly the config into the task definition, diffs and rolls back build and config together', async () => {
    const { builds } = await seedApp(slipway, 'cfg', 2);
    const first = await call<Release>('POST', '/apps/cfg/releases', { body: { slug: builds[0] } });
    expect((await settled('cfg', first.body.id)).config_version).toBeNull();

    let v2!: Release;
    // At DEBUG, so no log level hides a leak.
    const logs = await capturedOutput('DEBUG', async () => {
      const set = await changeConfig('cfg', { FOO: 'bar', API_TOKEN: { value: SECRET, secret: true } });
      v2 = set.release;
    });
    expect(logs).not.toContain(SECRET);
    expect(v2).toMatchObject({ version: 2, trigger: 'config', description: 'Set FOO, API_TOKEN', status: 'succeeded', current: true, config_version: 1 });
    expect((await call('GET', '/apps/cfg/config-vars')).body).toEqual({ FOO: 'bar', API_TOKEN: '********' });
    const afterSet = await runningContainer('cfg-svc');
    expect(afterSet).toMatchObject({
      image: 'registry.local/cfg:v1',
      environment: { FOO: 'bar', SLIPWAY_RELEASE_ID: v2.id, SLIPWAY_RELEASE_VERSION: '2' },
      secrets: { API_TOKEN: expect.stringMatching(/^local-secret-store:\/slipway\/.+\/API_TOKEN$/) },
    });
    expect(afterSet.environment).not.toHaveProperty('API_TOKEN');

    const v3 = (await changeConfig('cfg', { FOO: null, LOG_LEVEL: 'debug' })).release;
    expect(v3).toMatchObject({ version: 3, description: 'Set LOG_LEVEL, unset FOO', config_version: 2 });
    expect((await runningContainer('cfg-svc')).environment).toEqual({
      LOG_LEVEL: 'debug',
      SLIPWAY_RELEASE_ID: v3.id,
      SLIPWAY_RELEASE_VERSION: '3',
    });

    // A deploy takes the app's current config with the new build.
    const deployed = await call<Release>('POST', '/apps/cfg/releases', { body: { slug: builds[1] } });
    const v4 = await settled('cfg', deployed.body.id);
    expect(v4.config_version).toBe(2);
    expect(await runningContainer('cfg-svc')).toMatchObject({ image: 'registry.local/cfg:v2', environment: { LOG_LEVEL: 'debug' } });

    // What rolling back to v2 would change, before doing it.
    const diff = await call('GET', '/apps/cfg/releases/2/config-diff?against=4');
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      release: { id: v2.id, version: 2, config_version: 1 },
      against: { id: v4.id, version: 4, config_version: 2 },
      added: { FOO: 'bar' },
      removed: { LOG_LEVEL: 'debug' },
      changed: {},
    });

    const rollback = await call<Release>('POST', '/apps/cfg/releases', { body: { release: v2.id } });
    const v5 = await settled('cfg', rollback.body.id);
    // The app's config becomes v2's again: a new version (the third) of the same vars, which the rollback runs.
    expect(v5).toMatchObject({ version: 5, trigger: 'rollback', description: 'Rollback to v2 (its build and config)', config_version: 3 });
    expect((await call('GET', '/apps/cfg/config-vars')).body).toEqual({ FOO: 'bar', API_TOKEN: '********' });
    const restored = await runningContainer('cfg-svc');
    expect(restored).toMatchObject({ image: 'registry.local/cfg:v1', environment: { FOO: 'bar', SLIPWAY_RELEASE_VERSION: '5' } });
    expect(restored.environment).not.toHaveProperty('LOG_LEVEL');
    expect(restored.secrets).toEqual(afterSet.secrets);

    expect(answers.join('\n')).not.toContain(SECRET);
  });

  it("makes a rollback's config the app's: config vars, the next change and the next deploy start from it", async () => {
    const { builds } = await seedApp(slipway, 'cfg-back', 2);
    const v1 = await settled('cfg-back', (await call<Release>('POST', '/apps/cfg-back/releases', { body: { slug: builds[0] } })).body.id);
    const v2 = (await changeConfig('cfg-back', { FOO: 'bar' })).release;
    const v3 = (await changeConfig('cfg-back', { FOO: null, LOG_LEVEL: 'debug' })).release;
    expect([v2.config_version, v3.config_version]).toEqual([1, 2]);

    const rollback = await call<Release>('POST', '/apps/cfg-back/releases', { body: { release: v2.version } });
    expect(rollback.status).toBe(201);
    const v4 = await settled('cfg-back', rollback.body.id);
    expect(v4).toMatchObject({ version: 4, status: 'succeeded', current: true, config_version: 3 });
    expect((await call('GET', '/apps/cfg-back/config-vars')).body).toEqual({ FOO: 'bar' });

    // A change after it builds on the restored config, not on v3's.
    const v5 = (await changeConfig('cfg-back', { EXTRA: '1' })).release;
    expect(v5).toMatchObject({ version: 5, config_version: 4 });
    expect((await call('GET', '/apps/cfg-back/config-vars')).body).toEqual({ FOO: 'bar', EXTRA: '1' });

    // So does a deploy: its release's config version holds FOO, and its container runs with it.
    const v6 = await settled('cfg-back', (await call<Release>('POST', '/apps/cfg-back/releases', { body: { slug: builds[1] } })).body.id);
    expect(v6).toMatchObject({ version: 6, config_version: 4 });
    expect((await call('GET', `/apps/cfg-back/releases/6/config-diff?against=${v2.version}`)).body).toMatchObject({
      added: { EXTRA: '1' },
      removed: {},
      changed: {},
    });
    const running = await runningContainer('cfg-back-svc');
    expect(running).toMatchObject({ image: 'registry.local/cfg-back:v2', environment: { FOO: 'bar', EXTRA: '1', SLIPWAY_RELEASE_VERSION: '6' } });
    expect(running.environment).not.toHaveProperty('LOG_LEVEL');

    // Back to v1, from before the app had config vars: the config becomes empty, and so does the container's.
    const v7 = await settled('cfg-back', (await call<Release>('POST', '/apps/cfg-back/releases', { body: { release: v1.id } })).body.id);
    expect(v7).toMatchObject({ version: 7, status: 'succeeded', config_version: 5 });
    expect((await call('GET', '/apps/cfg-back/config-vars')).body).toEqual({});
    expect((await runningContainer('cfg-back-svc')).environment).toEqual({ SLIPWAY_RELEASE_ID: v7.id, SLIPWAY_RELEASE_VERSION: '7' });
  });

  it('restores config on an automatic rollback too, writing it once however often the failure is reported', async () => {
    const { builds } = await seedApp(slipway, 'cfg-auto', 1);
    expect((await call('PATCH', '/apps/cfg-auto', { body: { auto_rollback: true } })).status).toBe(200);
    await settled('cfg-auto', (await call<Release>('POST', '/apps/cfg-auto/releases', { body: { slug: builds[0] } })).body.id);
    await changeConfig('cfg-auto', { FOO: 'bar', TOKEN: { value: SECRET, secret: true } });
    const v3 = (await changeConfig('cfg-auto', { FOO: null, TOKEN: null })).release;
    expect(v3).toMatchObject({ version: 3, current: true, config_version: 2 });

    for (const context of ['ci/smoke', 'ci/e2e']) {
      const failure = await call('POST', '/apps/cfg-auto/releases/3/statuses', { body: { context, name: context, state: 'failure' } });
      expect(failure.status).toBe(201);
    }
    const releases = (await call<Release[]>('GET', '/apps/cfg-auto/releases')).body;
    expect(releases.map((release) => release.trigger)).toEqual(['deploy', 'config', 'config', 'auto_rollback']);
    // One config version for the one rollback, the third, which it runs; the next change makes the fourth.
    const v4 = await settled('cfg-auto', releases[3]!.id);
    expect(v4).toMatchObject({ version: 4, status: 'succeeded', current: true, config_version: 3 });
    expect((await call('GET', '/apps/cfg-auto/config-vars')).body).toEqual({ FOO: 'bar', TOKEN: '********' });
    expect((await runningContainer('cfg-auto-svc')).secrets).toEqual({
      TOKEN: expect.stringMatching(/^local-secret-store:\/slipway\/.+\/TOKEN$/),
    });
    expect((await changeConfig('cfg-auto', { MORE: '1' })).release).toMatchObject({ version: 5, config_version: 4 });
    expect(answers.join('\n')).not.toContain(SECRET);
  });

  it('makes one config version per change id, however often or concurrently it is written, on top of racing changes', async () => {
    const { app } = await seedApp(slipway, 'cfg-once-id', 0);
    const actor = { id: 'test', email: '' };
    const add = (name: string) => (latest: ConfigVars) => ({ ...latest, [name]: { secret: false as const, value: name } });
    const others = Array.from({ length: 6 }, (_, index) => `OTHER_${index}`);
    const written = await Promise.all([
      ...Array.from({ length: 4 }, () => appendConfigVersion(app.id, { id: 'the-one-change', user: actor }, add('ONCE'))),
      ...others.map((name) => appendConfigVersion(app.id, { id: name, user: actor }, add(name))),
    ]);
    expect(new Set(written.slice(0, 4).map((version) => version.version)).size).toBe(1);
    expect((await appendConfigVersion(app.id, { id: 'the-one-change', user: actor }, add('AGAIN'))).version).toBe(written[0]!.version);
    const latest = await findLatestConfigVersion(app.id);
    expect(latest?.version).toBe(1 + others.length);
    expect(Object.keys(latest?.vars ?? {}).sort()).toEqual(['ONCE', ...others].sort());
    expect((await call('GET', '/apps/cfg-once-id/config-vars')).body).toEqual(Object.fromEntries(['ONCE', ...others].map((name) => [name, name])));
  });

  it('honours Idempotency-Key: a retried change makes one config version and one release', async () => {
    const { builds } = await seedApp(slipway, 'cfg-once', 1);
    const first = await call<Release>('POST', '/apps/cfg-once/releases', { body: { slug: builds[0] } });
    await settled('cfg-once', first.body.id);
    const headers = { 'idempotency-key': 'config-change-1' };
    const once = await call('PATCH', '/apps/cfg-once/config-vars', { body: { A: '1' }, headers });
    const again = await call('PATCH', '/apps/cfg-once/config-vars', { body: { A: '1' }, headers });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(once.headers.get('location'));
    const mismatch = await call('PATCH', '/apps/cfg-once/config-vars', { body: { A: '2' }, headers });
    expect(mismatch).toMatchObject({ status: 422, body: { error: { code: 'idempotency_key_mismatch' } } });
    await settled('cfg-once', releaseIdOf(once));
    const releases = await call<Release[]>('GET', '/apps/cfg-once/releases');
    expect(releases.body.map((release) => release.version)).toEqual([1, 2]);
  });

  it('loses no key when changes race, each a release of its own', async () => {
    const { builds } = await seedApp(slipway, 'cfg-race', 1);
    const first = await call<Release>('POST', '/apps/cfg-race/releases', { body: { slug: builds[0] } });
    await settled('cfg-race', first.body.id);
    const names = Array.from({ length: 8 }, (_, index) => `KEY_${index}`);
    const changes = await Promise.all(names.map((name) => call('PATCH', '/apps/cfg-race/config-vars', { body: { [name]: name.toLowerCase() } })));
    expect(changes.map((change) => change.status)).toEqual(names.map(() => 200));
    await Promise.all(changes.map((change) => settled('cfg-race', releaseIdOf(change))));
    expect((await call('GET', '/apps/cfg-race/config-vars')).body).toEqual(Object.fromEntries(names.map((name) => [name, name.toLowerCase()])));
    // Whatever order their releases got, the newest runs the config with every key.
    const releases = (await call<Release[]>('GET', '/apps/cfg-race/releases')).body;
    expect(releases.at(-1)).toMatchObject({ version: 9, config_version: 8 });
    expect((await runningContainer('cfg-race-svc')).environment).toMatchObject(Object.fromEntries(names.map((name) => [name, name.toLowerCase()])));
  });

  it('keeps config set before the first release for it, and refuses bad changes with nothing changed', async () => {
    const { builds } = await seedApp(slipway, 'cfg-new', 1);
    const early = await call('PATCH', '/apps/cfg-new/config-vars', { body: { DATABASE_URL: 'postgres://db/app' } });
    expect(early.status).toBe(200);
    expect(early.headers.get('location')).toBeNull();
    for (const [body, status, code] of [
      [{ '1BAD': 'x' }, 422, 'validation_failed'],
      [{ 'WITH-DASH': 'x' }, 422, 'validation_failed'],
      [{}, 422, 'no_config_changes'],
      [{ SLIPWAY_RELEASE_ID: 'x' }, 422, 'reserved_config_var'],
      [{ BIG: 'é'.repeat(20_000) }, 422, 'validation_failed'],
      [{ A: { value: 'x', secret: 'yes' } }, 422, 'validation_failed'],
    ] as const) {
      const refused = await call('PATCH', '/apps/cfg-new/config-vars', { body });
      expect(refused.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(refused.body).toMatchObject({ error: { code } });
    }
    expect((await call('GET', '/apps/cfg-new/config-vars')).body).toEqual({ DATABASE_URL: 'postgres://db/app' });
    const created = await call<Release>('POST', '/apps/cfg-new/releases', { body: { slug: builds[0] } });
    expect((await settled('cfg-new', created.body.id)).config_version).toBe(1);
    expect((await runningContainer('cfg-new-svc')).environment).toMatchObject({ DATABASE_URL: 'postgres://db/app' });
    const missing = await call('GET', '/apps/cfg-new/releases/1/config-diff?against=9');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'release_not_found' } } });
  });

  it('promotes the build only: each stage keeps its own config, and a stage that takes promotions only refuses a config release', async () => {
    await call('POST', '/pipelines', { body: { name: 'cfg-flow' } });
    const { builds } = await seedApp(slipway, 'cfg-dev', 1);
    await seedApp(slipway, 'cfg-stg', 0);
    await call('POST', '/pipeline-couplings', { body: { pipeline: 'cfg-flow', app: 'cfg-dev', stage: 'development' } });
    await call('POST', '/pipeline-couplings', { body: { pipeline: 'cfg-flow', app: 'cfg-stg', stage: 'staging' } });
    await call('PATCH', '/apps/cfg-dev/config-vars', { body: { STAGE: 'development', DEV_ONLY: '1' } });
    // Before its first promotion a stage has no release to remake: its config is kept for that promotion.
    expect((await call('PATCH', '/apps/cfg-stg/config-vars', { body: { STAGE: 'staging' } })).status).toBe(200);

    const dev = await call<Release>('POST', '/apps/cfg-dev/releases', { body: { slug: builds[0] } });
    await settled('cfg-dev', dev.body.id);
    const promotion = await call<{ targets: { release: { id: string } }[] }>('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'cfg-flow' }, source: { app: { name: 'cfg-dev' } }, targets: [{ app: { name: 'cfg-stg' } }] },
    });
    expect(promotion.status).toBe(201);
    await settled('cfg-stg', promotion.body.targets[0]!.release.id);
    const staging = await runningContainer('cfg-stg-svc');
    expect(staging).toMatchObject({ image: 'registry.local/cfg-dev:v1', environment: { STAGE: 'staging' } });
    expect(staging.environment).not.toHaveProperty('DEV_ONLY');

    const refused = await call('PATCH', '/apps/cfg-stg/config-vars', { body: { STAGE: 'changed' } });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'downstream_pipeline_app' } } });
    expect((await call('GET', '/apps/cfg-stg/config-vars')).body).toEqual({ STAGE: 'staging' });
  });
});
