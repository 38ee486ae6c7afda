import { App, Stack } from 'aws-cdk-lib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTION_FILES } from '../../infra/http-api';
import { slipwayFunction } from '../../infra/slipway-function';
import type { HttpHandler as LocalHandler } from '../../local/api-gateway';
import { lambdaContext } from '../../local/lambda-context';

describe('function bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'slipway-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('builds a minified ESM bundle with the local esbuild, offline, that loads and exports the handler', async () => {
    const app = new App({ outdir });
    slipwayFunction(new Stack(app, 'Bundling'), 'Statuses', { entry: 'functions/statuses.ts' });
    app.synth();

    const assetDir = readdirSync(outdir).find((name) => name.startsWith('asset.'));
    expect(assetDir).toBeDefined();
    const bundle = join(outdir, assetDir!, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    // The AWS SDK is inside the bundle, not imported from the runtime's copy.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    // Minified: a handful of very long lines rather than readable source.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);

    const loaded = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');
  });
});

describe('the dashboard function bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'slipway-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('carries the built dashboard beside its code and serves it from there', async () => {
    const app = new App({ outdir });
    slipwayFunction(new Stack(app, 'Dashboard'), 'Dashboard', { entry: 'functions/dashboard.ts', addFiles: FUNCTION_FILES.dashboard });
    app.synth();

    const assetDir = join(outdir, readdirSync(outdir).find((name) => name.startsWith('asset.'))!);
    const assets = readdirSync(join(assetDir, 'dashboard', 'assets'));
    expect(assets.some((name) => /^dashboard-\w+\.js$/.test(name))).toBe(true);
    expect(assets.some((name) => /^dashboard-\w+\.css$/.test(name))).toBe(true);

    const { handler } = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as { handler: LocalHandler };
    const get = (path: string, asset?: string) =>
      handler(
        {
          version: '2.0',
          routeKey: asset ? 'GET /assets/{asset}' : 'GET /',
          rawPath: path,
          rawQueryString: '',
          headers: {},
          pathParameters: asset ? { asset } : undefined,
          requestContext: { requestId: 'bundle-test', http: { method: 'GET', path } },
          isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2,
        lambdaContext('dashboard'),
      );
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers?.['content-security-policy']).toContain("script-src 'self'");
    // The entry script (chunks' names are hashes, so the first .js found may be a lazily loaded one the page does not name).
    const script = assets.find((name) => /^dashboard-\w+\.js$/.test(name))!;
    expect(page.body).toContain(`/assets/${script}`);
    const js = await get(`/assets/${script}`, script);
    expect([js.statusCode, js.headers?.['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await get('/assets/none.js', 'none.js')).statusCode).toBe(404);
  });
});
