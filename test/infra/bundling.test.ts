import { App, Stack } from 'aws-cdk-lib';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayFunction } from '../../infra/slipway-function';

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
