import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKeyOf, type RouteKey } from '../../shared/api/routes';
import { conformanceCheckerFor } from '../support/openapi-conformance';
import { seedApp, startTestSlipway, type ApiResponse, type TestSlipway } from '../support/local-slipway';

const run = promisify(execFile);

let slipway: TestSlipway;
let document: Parameters<typeof conformanceCheckerFor>[0];
let workDir: string;
beforeAll(async () => {
  slipway = await startTestSlipway();
  document = (await slipway.call('GET', '/openapi.json', { key: null })).body;
  workDir = await mkdtemp(join(tmpdir(), 'slipway-openapi-'));
  await writeFile(join(workDir, 'openapi.json'), JSON.stringify(document));
  await writeFile(join(workDir, '.spectral.yaml'), 'extends: ["spectral:oas"]\n');
});
afterAll(async () => {
  await slipway.close();
  await rm(workDir, { recursive: true, force: true });
});

/** The linters exit non-zero on findings; their JSON report is what the tests read either way. */
const reportOf = async (command: string, args: string[]): Promise<string> => {
  try {
    return (await run(join(process.cwd(), 'node_modules/.bin', command), args, { cwd: workDir, maxBuffer: 16 << 20 })).stdout;
  } catch (error) {
    return (error as { stdout?: string }).stdout ?? '';
  }
};

describe('the OpenAPI document', () => {
  it('lints clean with Redocly (recommended rules)', async () => {
    const report = JSON.parse(await reportOf('redocly', ['lint', 'openapi.json', '--format', 'json'])) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("lints clean with Spectral's spectral:oas ruleset, warnings included", async () => {
    const output = await reportOf('spectral', ['lint', 'openapi.json', '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet']);
    const findings = JSON.parse(output) as { code: string; message: string }[];
    expect(findings.map((finding) => `${finding.code}: ${finding.message}`)).toEqual([]);
  });

  it('describes the real answers of every route: statuses, bodies and headers', async () => {
    const check = conformanceCheckerFor(document);
    const seen = new Map<RouteKey, number[]>();
    const problems: string[] = [];
    const call = async (route: RouteKey, path: string, options: Parameters<TestSlipway['call']>[2] = {}): Promise<ApiResponse<{ id: string; key: string }>> => {
      const [method = '', template = ''] = route.split(' ');
      const response = await slipway.call<{ id: string; key: string }>(method, path, options);
      problems.push(...check(method, template, response));
      seen.set(route, [...(seen.get(route) ?? []), response.status]);
      return response;
    };

    const { app, builds } = await seedApp(slipway, 'conform-web', 2);
    await seedApp(slipway, 'conform-stage', 0);
    await call('POST /apps', '/apps', { body: { name: 'conform-api', cluster: 'local', service: 'api' } });
    await call('POST /apps', '/apps', { body: { name: 'conform-api', cluster: 'local', service: 'api' } });
    await call('GET /apps', '/apps');
    await call('GET /apps/{app}', '/apps/conform-web');
    await call('GET /apps/{app}', '/apps/conform-none');
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: { auto_rollback: true, bake_window_seconds: 300 } });
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: {} });
    await call('GET /apps/{app}/features', '/apps/conform-web/features');
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: { public_badge: true } });
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: { public_badge: 'yes' } });
    await call('GET /apps/{app}/metrics', '/apps/conform-web/metrics?window=7d');
    await call('GET /apps/{app}/metrics', '/apps/conform-web/metrics?format=prometheus');
    await call('GET /apps/{app}/metrics', '/apps/conform-web/metrics?window=forever');
    await call('GET /apps/{app}/badge.svg', '/apps/conform-web/badge.svg');
    await call('GET /apps/{app}/badge.svg', '/apps/conform-web/badge.svg', { key: null });
    const build = await call('POST /apps/{app}/builds', '/apps/conform-web/builds', {
      body: { url: 'registry.local/web:v3', checksum: '', sha: '', status: 'pending' },
    });
    await call('POST /apps/{app}/builds', '/apps/conform-web/builds', { body: { image: 'Not An Image' } });
    await call('GET /apps/{app}/builds', '/apps/conform-web/builds');
    await call('GET /apps/{app}/builds/{build}', `/apps/conform-web/builds/${build.body.id}`);
    await call('PATCH /apps/{app}/builds/{build}', `/apps/conform-web/builds/${build.body.id}`, { body: { status: 'failed' } });
    await call('GET /slugs/{slug}', `/slugs/${builds[0]}`);
    const release = await call('POST /apps/{app}/releases', '/apps/conform-web/releases', {
      body: { slug: builds[0] },
      headers: { 'idempotency-key': 'conform-1' },
    });
    await call('POST /apps/{app}/releases', '/apps/conform-web/releases', { body: { slug: builds[0] }, headers: { 'idempotency-key': 'conform-1' } });
    await call('POST /apps/{app}/releases', '/apps/conform-web/releases', { body: { slug: builds[1], version: 'v2.0' } });
    await call('GET /apps/{app}/releases', '/apps/conform-web/releases');
    await call('GET /apps/{app}/releases', '/apps/conform-web/releases?limit=1');
    await call('GET /apps/{app}/releases', '/apps/conform-web/releases?sort=-created_date&build_id[]=ci-1');
    await call('GET /apps/{app}/releases', '/apps/conform-web/releases', { headers: { range: 'version ..; order=desc, max=1' } });
    await call('GET /apps/{app}/releases', '/apps/conform-web/releases?cursor=nonsense');
    await call('GET /apps/{app}/releases/{release}', `/apps/conform-web/releases/${release.body.id}`);
    await call('GET /apps/{app}/releases/{release}', '/apps/conform-web/releases/2');
    await call('GET /apps/{app}/releases/{release}/release-phase/output', '/apps/conform-web/releases/2/release-phase/output');
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: { release_phase: { command: ['npm', 'run', 'migrate'] } } });
    await call('PATCH /apps/{app}', '/apps/conform-web', { body: { release_phase: null } });
    await call('POST /apps/{app}/releases', '/apps/conform-web/releases', { body: { release: 'v1' } });
    // A rolling release has no gate or bake to act on: 409 for each operator action.
    await call('POST /apps/{app}/releases/{release}/actions/approve', '/apps/conform-web/releases/1/actions/approve');
    await call('POST /apps/{app}/releases/{release}/actions/promote', '/apps/conform-web/releases/1/actions/promote');
    await call('POST /apps/{app}/releases/{release}/actions/abort', '/apps/conform-web/releases/1/actions/abort');
    await call('POST /apps', '/apps', { body: { name: 'conform-mobile' } });
    const recordedBuild = await call('POST /apps/{app}/builds', '/apps/conform-mobile/builds', { body: { version: '1.0.0', sha: 'abcdef1' } });
    const recorded = await call('POST /apps/{app}/releases', '/apps/conform-mobile/releases', {
      body: { slug: recordedBuild.body.id, started_at: '2026-11-24T10:00:00Z', url: 'https://example.com/1.0.0', name: 'First' },
    });
    await call('PATCH /apps/{app}/releases/{release}', `/apps/conform-mobile/releases/${recorded.body.id}`, { body: { status: 'succeeded' } });
    await call('PATCH /apps/{app}/releases/{release}', `/apps/conform-web/releases/${release.body.id}`, { body: { status: 'failed' } });
    await call('GET /apps/{app}', '/apps/conform-mobile');
    const signal = { version: 'v2.0.0', commits: ['abcdef1'], date: '+002026-11-24T10:00:00Z', deliverables: ['conform-mobile'], url: 'https://example.com/2' };
    const declared = await call('POST /v1/signals/releases', '/v1/signals/releases', { body: signal });
    await call('POST /v1/signals/releases', '/v1/signals/releases', { body: signal });
    await call('POST /v1/signals/releases', '/v1/signals/releases', { body: { ...signal, deliverables: ['conform-web'] } });
    await call('GET /v1/signals/releases/{signal}', `/v1/signals/releases/${declared.body.id}`);
    await call('PATCH /v1/signals/releases/{signal}', `/v1/signals/releases/${declared.body.id}`, { body: { status: 'success' } });
    await call('PATCH /v1/signals/releases/{signal}', `/v1/signals/releases/${declared.body.id}`, { body: { status: 'maybe' } });
    await call('POST /components/{app}/deployments', '/components/conform-mobile/deployments/', {
      body: { version: 'v2.0.0', result: 'success', host: 'gw-1', stage: 'production', meta_data: { rack: 4 } },
    });
    await call('POST /components/{app}/deployments', '/components/conform-web/deployments', { body: { version: 'v2.0.0' } });
    await call('GET /components/{app}/deployments', '/components/conform-mobile/deployments');
    await call('PATCH /apps/{app}/config-vars', '/apps/conform-web/config-vars', {
      body: { LOG_LEVEL: 'debug', TOKEN: { value: 'x', secret: true }, OLD: null },
      headers: { 'idempotency-key': 'conform-config-1' },
    });
    await call('PATCH /apps/{app}/config-vars', '/apps/conform-web/config-vars', { body: { 'not-posix': 'x' } });
    await call('GET /apps/{app}/config-vars', '/apps/conform-web/config-vars');
    await call('GET /apps/{app}/releases/{release}/config-diff', '/apps/conform-web/releases/2/config-diff?against=1');
    await call('GET /apps/{app}/releases/{release}/config-diff', '/apps/conform-web/releases/2/config-diff');
    const statusPath = `/apps/conform-web/releases/${release.body.id}/statuses`;
    await call('POST /apps/{app}/releases/{release}/statuses', statusPath, { body: { context: 'ci/unit', name: 'Unit', state: 'success' } });
    await call('GET /apps/{app}/releases/{release}/statuses', statusPath);
    await call('GET /apps/{app}/releases/{release}/statuses/{context}', `${statusPath}/ci%2Funit`);
    await call('PATCH /apps/{app}/releases/{release}/statuses/{context}', `${statusPath}/ci%2Funit`, { body: { state: 'failure' } });
    const pipeline = await call('POST /pipelines', '/pipelines', { body: { name: 'conform-line' } });
    await call('GET /pipelines', '/pipelines');
    await call('GET /pipelines/{pipeline}', '/pipelines/conform-line');
    await call('POST /pipeline-couplings', '/pipeline-couplings', { body: { pipeline: 'conform-line', app: 'conform-web', stage: 'development' } });
    const downstream = await call('POST /pipeline-couplings', '/pipeline-couplings', {
      body: { pipeline: 'conform-line', app: 'conform-stage', stage: 'staging' },
    });
    await call('GET /pipelines/{pipeline}/pipeline-couplings', `/pipelines/${pipeline.body.id}/pipeline-couplings`);
    await call('GET /pipelines/{pipeline}/metrics', '/pipelines/conform-line/metrics');
    await call('GET /pipelines/{pipeline}/metrics', '/pipelines/conform-line/metrics?format=prometheus&window=2w');
    await call('GET /apps/{app}/pipeline-couplings', '/apps/conform-web/pipeline-couplings');
    await call('GET /pipeline-stages', '/pipeline-stages');
    const promotion = await call('POST /pipeline-promotions', '/pipeline-promotions', {
      body: {
        pipeline: { id: pipeline.body.id, name: 'conform-line' },
        source: { app: { id: app.id, name: 'conform-web', release: { id: release.body.id } } },
        targets: [{ app: { name: 'conform-stage' } }],
        safe: false,
      },
    });
    await call('POST /pipeline-promotions', '/pipeline-promotions', {
      body: { pipeline: { id: pipeline.body.id, name: 'another' }, source: { app: { name: 'conform-web' } }, targets: [{ app: { name: 'conform-stage' } }] },
    });
    await call('GET /pipeline-promotions/{promotion}', `/pipeline-promotions/${promotion.body.id}`);
    await call('DELETE /pipeline-couplings/{coupling}', `/pipeline-couplings/${downstream.body.id}`);
    const hook = await call('POST /apps/{app}/hooks', '/apps/conform-web/hooks', { body: { url: 'http://127.0.0.1:9/hook', events: ['release.succeeded'] } });
    await call('POST /apps/{app}/hooks', '/apps/conform-web/hooks', { body: { kind: 'sentry', url: 'http://127.0.0.1:9/', events: ['*'] } });
    await call('GET /apps/{app}/hooks', '/apps/conform-web/hooks');
    await call('GET /apps/{app}/hooks/{hook}', `/apps/conform-web/hooks/${hook.body.id}`);
    await call('PATCH /apps/{app}/hooks/{hook}', `/apps/conform-web/hooks/${hook.body.id}`, { body: { active: false } });
    await call('GET /apps/{app}/hooks/{hook}/deliveries', `/apps/conform-web/hooks/${hook.body.id}/deliveries`);
    await call('POST /apps/{app}/hooks/{hook}/deliveries/{delivery}/redeliver', `/apps/conform-web/hooks/${hook.body.id}/deliveries/${hook.body.id}/redeliver`);
    await call('POST /apps/{app}/hooks/{hook}/rotate-secret', `/apps/conform-web/hooks/${hook.body.id}/rotate-secret`, { body: { previous_secret_valid_seconds: 60 } });
    await call('POST /apps/{app}/hooks/{hook}/rotate-secret', `/apps/conform-web/hooks/${hook.body.id}/rotate-secret`, { body: { secret: 'not-standard' } });
    await call('POST /apps/{app}/hooks/{hook}/ping', `/apps/conform-web/hooks/${hook.body.id}/ping`);
    await call('DELETE /apps/{app}/hooks/{hook}', `/apps/conform-web/hooks/${hook.body.id}`);
    const key = await call('POST /api-keys', '/api-keys', { body: { role: 'developer' } });
    await call('GET /api-keys', '/api-keys');
    await call('DELETE /api-keys/{key}', `/api-keys/${key.body.id}`);
    await call('GET /apps', '/apps', { key: key.body.key });
    await call('GET /openapi.json', '/openapi.json', { key: null });
    await call('GET /whoami', '/whoami');
    const page = await call('GET /', '/', { key: null });
    const asset = /src="\/?assets\/([^"]+)"/.exec(String(page.body))?.[1];
    expect(asset, 'the page names its script').toBeDefined();
    await call('GET /assets/{asset}', `/assets/${asset}`, { key: null });
    await call('GET /assets/{asset}', '/assets/no-such-file.js', { key: null });
    await call('GET /apps/{app}', '/apps/conform-web', { key: null });
    await call('GET /apps/{app}/builds', '/apps/conform-web/builds?limit=0');
    await call('POST /apps', '/apps', { rawBody: '{not json' });

    expect(problems).toEqual([]);
    const appAnswer = await slipway.call('GET', '/apps/conform-web');
    expect(check('GET', '/apps/{app}', { ...appAnswer, body: { ...appAnswer.body, simple_name: 42 } }), 'the checker must be able to fail').not.toEqual([]);
    expect(check('GET', '/apps/{app}', { ...appAnswer, status: 418 })).not.toEqual([]);
    expect(ROUTES.map(routeKeyOf).filter((route) => !seen.has(route))).toEqual([]);
  });

  it('documents the 405 that an unknown method on a known path gets, with its Allow header', async () => {
    const response = await slipway.call('DELETE', '/apps');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, GET');
    expect(response.body).toMatchObject({ id: 'method_not_allowed', error: { code: 'method_not_allowed', details: { allowed: ['POST', 'GET'] } } });
    expect(conformanceCheckerFor(document)('GET', '/apps', response)).toEqual([]);
  });
});
