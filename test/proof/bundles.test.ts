import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, bundleFunction, functionEntries, type BundleFigures } from '../../bench/bundles';
import { measureDashboard } from '../../bench/dashboard';
import { TARGETS } from '../../bench/report';
import { openApiDocumentText } from '../../shared/api/openapi';
import { buildDashboard } from '../../web/build';

/**
 * Every Lambda bundled exactly as `cdk deploy` bundles it (SLIPWAY_BUNDLING): self-contained, with the AWS
 * SDK inside, and free of the weight that once tripled every bundle (`npm run bench` reports the sizes).
 */
let outDir: string;
const bundles: BundleFigures[] = [];

/** Runs an ES module's `code` in a fresh node, as Lambda starts one, with nothing of this process's environment but PATH. */
const runInFreshNode = (code: string, env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { env: { PATH: process.env.PATH ?? '', ...env } });

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'slipway-bundles-'));
  for (const { name, entry } of await functionEntries()) bundles.push(await bundleFunction(name, entry, outDir));
}, 120_000);
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('function bundles', () => {
  it('exist for every function', () => {
    expect(bundles.map((bundle) => bundle.name)).toEqual(expect.arrayContaining(['apps', 'releases', 'rollout-deploy']));
  });

  it('carry the AWS SDK inside: no import of an @aws-sdk or @smithy package is left for the runtime to resolve', async () => {
    for (const bundle of bundles) {
      const code = await readFile(bundle.file, 'utf8');
      expect(code.match(/(?:from|import\()\s*["'](?:@aws-sdk|@smithy)\/[^"']+["']/g), bundle.name).toBeNull();
    }
  });

  it('leave the X-Ray SDK out unless the deployment traces AWS SDK calls, and carry it when it does', async () => {
    const carriesXray = (bundle: BundleFigures) => bundle.inputs.some((input) => input.includes('node_modules/aws-xray-sdk-core/'));
    for (const bundle of bundles) expect(carriesXray(bundle), bundle.name).toBe(false);
    const releases = bundles.find((bundle) => bundle.name === 'releases');
    if (!releases) throw new Error('no releases bundle');
    expect(carriesXray(await bundleFunction('traced-releases', releases.entry, outDir, { traced: true }))).toBe(true);
  });

  it("build only the API schemas their routes need: none in the rollout's and events' functions, no release's in the keys function", () => {
    const apiModulesOf = (bundle: BundleFigures) => bundle.inputs.filter((input) => input.startsWith('shared/api/'));
    const routeless = bundles.filter((bundle) => /^(rollout-|ecs-|release-phase-events$)/.test(bundle.name));
    expect(routeless.length).toBeGreaterThanOrEqual(9);
    // The presenters shape events as the API does, but import the API's schemas as types only.
    for (const bundle of routeless) expect(apiModulesOf(bundle), bundle.name).toEqual(['shared/api/presenters.ts']);
    const keys = bundles.find((bundle) => bundle.name === 'keys');
    expect(keys && apiModulesOf(keys)).not.toContain('shared/api/releases.ts');
  });

  it("build no response schema but in the hook deliveries' function (which checks the events it is sent): API modules of requests hold requests only, and the OpenAPI document is made when its function is bundled", async () => {
    // A module that exports an answer's or an event's schema constructs it at import, whatever its importer uses.
    const exportsResponseSchema = async (input: string) =>
      Object.keys(await import(join(PROJECT_ROOT, input))).some((name) => /Response$|Event$/.test(name));
    const apiModules = [...new Set(bundles.flatMap((bundle) => bundle.inputs.filter((input) => input.startsWith('shared/api/'))))];
    const responseModules = new Set<string>();
    for (const input of apiModules) if (await exportsResponseSchema(input)) responseModules.add(input);
    for (const bundle of bundles) {
      const carried = bundle.inputs.filter((input) => responseModules.has(input));
      if (bundle.name === 'hook-delivery') expect(carried, bundle.name).toContain('shared/api/release-responses.ts');
      else expect(carried, bundle.name).toEqual([]);
    }
  });

  it('carry no classic zod: every schema a Lambda builds is zod/mini (classic zod is 70 KB more and attaches its methods to each schema)', () => {
    for (const bundle of bundles) {
      expect(bundle.inputs.filter((input) => input.includes('node_modules/zod/v4/classic/')), bundle.name).toEqual([]);
    }
  });

  it("load no undici at import: no bundle imports node:http as an ES module, whose every export Node reads (its WebSocket getter loads undici)", async () => {
    const probe = `const loaded = [];
for (const [name, file] of ${JSON.stringify(bundles.map((bundle) => [bundle.name, bundle.file]))}) {
  await import(file);
  if (process.moduleLoadList.some((module) => module.includes('undici'))) { loaded.push(name); break; }
}
process.stdout.write(JSON.stringify(loaded));`;
    const { stdout } = await runInFreshNode(probe, {
      SLIPWAY_LOG_LEVEL: 'SILENT',
      HOOK_QUEUE_URL: 'https://sqs.local.amazonaws.com/000000000000/slipway-hooks',
      HOOK_KMS_KEY_ID: 'alias/slipway-hooks',
    });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it("tree-shake zod: no locale but the default English one is bundled (a named `import { z }` defeats that)", () => {
    for (const bundle of bundles) {
      const locales = bundle.inputs.filter((input) => /zod\/v4\/locales\/(?!en\.js)/.test(input));
      expect(locales, bundle.name).toEqual([]);
    }
  });
});

describe('the openapi function', () => {
  it("serves the document written beside its bundle, the one the API's schemas make, and builds no schema itself", async () => {
    const openapi = bundles.find((bundle) => bundle.name === 'openapi');
    if (!openapi) throw new Error('no openapi bundle');
    expect(openapi.inputs.filter((input) => input.startsWith('shared/api/'))).not.toContain('shared/api/openapi.ts');
    const event = { version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/openapi.json', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/openapi.json' }, requestId: 'bundle-proof' }, isBase64Encoded: false };
    const probe = `const { handler } = await import(${JSON.stringify(openapi.file)});
const answer = await handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 10000, awsRequestId: 'bundle-proof' });
process.stdout.write(JSON.stringify(answer));`;
    const { stdout } = await runInFreshNode(probe, { SLIPWAY_LOG_LEVEL: 'SILENT' });
    const answer = JSON.parse(stdout) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toBe(openApiDocumentText());
  });
});

describe('stack traces of a deployed function', () => {
  /** What a fresh node (no NODE_OPTIONS: no source maps parsed at load) printed when `code` threw. */
  const stderrOfFailing = (code: string, env: Record<string, string> = {}) =>
    runInFreshNode(code, env).then(
      () => {
        throw new Error('expected the probe to throw');
      },
      (error: { stderr: string }) => error.stderr,
    );
  /** The stack's frames (Node also prints the line an uncaught error was thrown at; in Lambda its runtime reports the stack). */
  const framesOf = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('    at '));
  const namesConfigSource = (stderr: string) => {
    expect(stderr).toMatch(/Slipway's environment is not usable/);
    const frames = framesOf(stderr);
    expect(frames[0]).toMatch(/^ {4}at \S+ \(\S*shared\/config\/config\.ts:\d+:\d+\)$/);
    expect(frames.filter((frame) => frame.includes('index.mjs'))).toEqual([]);
  };

  it('name the TypeScript sources, read from a source map without the sources at the first stack formatted', async () => {
    const releases = bundles.find((bundle) => bundle.name === 'releases');
    if (!releases) throw new Error('no releases bundle');
    const map = JSON.parse(await readFile(`${releases.file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('shared/config/config.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    // A function deployed with an environment it cannot use fails as it loads: the error an operator meets first.
    namesConfigSource(await stderrOfFailing(`await import(${JSON.stringify(releases.file)});`, { SLIPWAY_LOG_LEVEL: 'LOUD' }));
  });

  it('name them for an error thrown while a request is served, and leave frames outside the bundle as Node writes them', async () => {
    const probe = await bundleFunction(
      'stack-trace-probe',
      { source: "import { configFromEnvironment } from './shared/config/config';\nexport const handler = async () => configFromEnvironment({ SLIPWAY_LOG_LEVEL: 'LOUD' });" },
      outDir,
    );
    const stderr = await stderrOfFailing(`await (await import(${JSON.stringify(probe.file)})).handler();`);
    namesConfigSource(stderr);
    expect(framesOf(stderr)).toContainEqual(expect.stringMatching(/^ {4}at (async )?file:\/\/\S*\[eval1\]:\d+:\d+$/));
  });
});

describe('the dashboard bundle', () => {
  it('ships at most 100 KB of JavaScript gzipped, and no zod (the page imports the API types only)', () => {
    expect(measureDashboard().jsGzipBytes).toBeLessThanOrEqual(TARGETS.dashboardJsGzipBytes);
    const script = [...buildDashboard()].find(([path]) => path.endsWith('.js'))?.[1] ?? '';
    expect(script).not.toMatch(/ZodError|\$ZodType/);
  });
});
