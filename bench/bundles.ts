import { build, type Metafile } from 'esbuild';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { FunctionName } from '../shared/api/routes';
import { FUNCTION_FILES } from '../infra/http-api';
import { LAMBDA_ALIASES, SLIPWAY_BUNDLING, TRACED_BUNDLING } from '../infra/slipway-function';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');

export type BundleFigures = {
  name: string;
  entry: string | { source: string };
  file: string;
  bytes: number;
  /** Gzip size: about what the function's deployment zip carries, for comparison only (the target is on `bytes`). */
  gzipBytes: number;
  /** The largest inputs by bytes they contribute to the bundle, to explain a size. */
  heaviest: { path: string; bytes: number }[];
  /** Every package's bytes in the bundle (Slipway's own code as `slipway`), largest first. */
  packages: { path: string; bytes: number }[];
  /** Every source file that contributed to the bundle. */
  inputs: string[];
};

/** Every Lambda entry point: one file per function under functions/. */
export const functionEntries = async (): Promise<{ name: string; entry: string }[]> =>
  (await readdir(FUNCTIONS_DIR))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => ({ name: basename(file, '.ts'), entry: join(FUNCTIONS_DIR, file) }));

const bytesByPackage = (metafile: Metafile, output: string): BundleFigures['packages'] => {
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const match = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const owner = match?.[1] ?? 'slipway';
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + input.bytesInOutput);
  }
  return [...byPackage]
    .map(([path, bytes]) => ({ path, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
};

/**
 * Bundles one function the way `NodejsFunction` does with SLIPWAY_BUNDLING (esbuild, platform node,
 * everything bundled including the AWS SDK) and measures the `index.mjs` Lambda would load.
 */
export const bundleFunction = async (
  name: string,
  entry: string | { source: string },
  outDir: string,
  /** Bundled for a deployment that traces each AWS SDK call (TRACED_BUNDLING): with the X-Ray SDK. */
  options: { traced?: boolean } = {},
): Promise<BundleFigures> => {
  const bundling = options.traced ? TRACED_BUNDLING : SLIPWAY_BUNDLING;
  const outfile = join(outDir, name, 'index.mjs');
  const result = await build({
    // A generated entry (a cold-start floor) resolves its imports from the project, as functions/ do.
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.source, resolveDir: PROJECT_ROOT, loader: 'ts' as const } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    inject: [...bundling.inject],
    mainFields: [...bundling.mainFields],
    banner: { js: bundling.banner },
    alias: { ...LAMBDA_ALIASES },
    define: { ...bundling.define },
    metafile: true,
    logLevel: 'error',
  });
  // The files CDK adds beside the code (the dashboard's), so a cold init serves what it would in Lambda.
  FUNCTION_FILES[name as FunctionName]?.(join(outDir, name));
  const output = Object.keys(result.metafile.outputs).find((path) => path.endsWith('index.mjs')) ?? '';
  return {
    name,
    entry,
    file: outfile,
    bytes: (await stat(outfile)).size,
    gzipBytes: gzipSync(await readFile(outfile), { level: 9 }).byteLength,
    heaviest: bytesByPackage(result.metafile, output).slice(0, 5),
    packages: bytesByPackage(result.metafile, output),
    inputs: Object.keys(result.metafile.outputs[output]?.inputs ?? {}),
  };
};
