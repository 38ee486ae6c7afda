import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layer table of docs/architecture.md, enforced. A file's layer is its top folder (functions/, infra/,
 * …) or, under shared/, its second one (shared/domain, shared/store, …). A layer may import itself and the
 * layers listed here, nothing else; the table is acyclic, so no two layers can import each other.
 */
const LAYERS: Record<string, readonly string[]> = {
  'shared/config': [],
  'shared/domain': [],
  // Plain domain objects for tests and the bench; no layer the service runs lists it.
  'shared/fixtures': ['shared/domain'],
  'shared/observability': ['shared/config'],
  'shared/aws': ['shared/config'],
  'shared/runtime': ['shared/domain'],
  'shared/api': ['shared/domain', 'shared/config', 'shared/runtime'],
  // The store stops at the invocation's deadline (shared/runtime/deadline.ts).
  'shared/store': ['shared/domain', 'shared/config', 'shared/aws', 'shared/observability', 'shared/runtime'],
  'shared/ecs': ['shared/domain', 'shared/config', 'shared/aws'],
  'shared/secrets': ['shared/aws'],
  'shared/rollout': [
    'shared/domain',
    'shared/config',
    'shared/store',
    'shared/ecs',
    'shared/aws',
    'shared/observability',
    'shared/runtime',
    'shared/events',
  ],
  'shared/events': ['shared/domain', 'shared/config', 'shared/api', 'shared/store', 'shared/aws', 'shared/observability'],
  'shared/idempotency': ['shared/domain', 'shared/api', 'shared/store', 'shared/runtime'],
  'shared/hooks': ['shared/domain', 'shared/config', 'shared/aws', 'shared/store', 'shared/observability'],
  'shared/operations': ['shared/domain', 'shared/store', 'shared/ecs', 'shared/rollout', 'shared/secrets', 'shared/hooks', 'shared/observability', 'shared/runtime'],
  'shared/http': ['shared/domain', 'shared/api', 'shared/idempotency', 'shared/observability', 'shared/runtime'],
  functions: [
    'shared/config',
    'shared/domain',
    'shared/api',
    'shared/http',
    'shared/operations',
    'shared/rollout',
    'shared/observability',
    'shared/events',
    'shared/hooks',
  ],
  // The CDK app bundles the dashboard it serves (web/build.ts).
  infra: ['web', 'shared/domain', 'shared/api', 'shared/store', 'shared/ecs', 'shared/rollout', 'shared/secrets', 'shared/observability'],
  // Like the CDK app, the local runtime builds the dashboard it serves (web/build.ts).
  local: [
    'functions',
    'shared/config',
    'infra',
    'web',
    'shared/domain',
    'shared/api',
    'shared/http',
    'shared/store',
    'shared/ecs',
    'shared/rollout',
    'shared/operations',
    'shared/hooks',
    'shared/observability',
    'shared/runtime',
    'shared/aws',
    'shared/secrets',
    'shared/events',
  ],
  cli: ['shared/api', 'shared/domain'],
  // The page speaks the API's shapes; its build script shares the served files' layout with shared/http.
  web: ['shared/api', 'shared/domain', 'shared/http'],
};
// The bench measures the whole server from outside (the dashboard's bundle too): any layer but the CLI.
LAYERS.bench = Object.keys(LAYERS).filter((layer) => layer !== 'cli');

/** Packages that tie code to AWS or to HTTP transport: the pure layers import none of them. */
const IMPURE_PACKAGES = /^(@aws-sdk\/|aws-lambda$|aws-cdk-lib|@middy\/|@aws-lambda-powertools\/)/;
const PURE_LAYERS = new Set(['shared/domain', 'shared/api']);

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE_FOLDERS = ['functions', 'shared', 'infra', 'local', 'cli', 'web', 'bench'];

const sourceFiles = (folder: string): string[] => {
  const path = join(ROOT, folder);
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return /\.(ts|tsx|mts|js|mjs)$/.test(path) && !path.endsWith('.d.ts') ? [folder] : [];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules')
    .flatMap((name) => sourceFiles(join(folder, name)));
};

const layerOf = (file: string): string => {
  const [top, second] = file.split('/');
  return top === 'shared' ? `shared/${second}` : (top ?? file);
};

const SPECIFIER = /(?:^|\s)(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|(?:^|\s)import\s*\(?\s*['"]([^'"]+)['"]/gm;

const importsOf = (file: string): { specifier: string; target: string | null }[] =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(SPECIFIER)].map((match) => {
    const specifier = match[1] ?? match[2] ?? '';
    return { specifier, target: specifier.startsWith('.') ? normalize(join(dirname(file), specifier)) : null };
  });

const files = SOURCE_FOLDERS.flatMap(sourceFiles);

describe('layers', () => {
  it('names a layer for every source file', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(layerOf).filter((layer) => !(layer in LAYERS))).toEqual([]);
  });

  it('lets every file import only its own layer and the layers below it', () => {
    const breaches: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      for (const { specifier, target } of importsOf(file)) {
        if (target === null) {
          if (PURE_LAYERS.has(layer) && IMPURE_PACKAGES.test(specifier)) breaches.push(`${file} -> ${specifier}`);
          continue;
        }
        const targetLayer = layerOf(relative('.', target));
        if (targetLayer === layer || LAYERS[layer]?.includes(targetLayer)) continue;
        breaches.push(`${file} -> ${specifier} (${layer} may not import ${targetLayer})`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('has no cycle between layers', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (layer: string, path: string[]) => {
      if (done.has(layer)) return;
      if (visiting.has(layer)) {
        cycles.push([...path, layer].join(' -> '));
        return;
      }
      visiting.add(layer);
      for (const below of LAYERS[layer] ?? []) visit(below, [...path, layer]);
      visiting.delete(layer);
      done.add(layer);
    };
    for (const layer of Object.keys(LAYERS)) visit(layer, []);
    expect(cycles).toEqual([]);
  });

  it('has no cycle between files', () => {
    const withoutExtension = (file: string) => file.replace(/\.(ts|tsx|mts|js|mjs)$/, '').replace(/\/index$/, '');
    const known = new Set(files.map(withoutExtension));
    const importsByFile = new Map(
      files.map((file) => [
        withoutExtension(file),
        importsOf(file)
          .map(({ target }) => (target === null ? null : withoutExtension(relative('.', target))))
          .filter((target): target is string => target !== null && known.has(target)),
      ]),
    );
    const visiting: string[] = [];
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (file: string) => {
      if (done.has(file)) return;
      const seenAt = visiting.indexOf(file);
      if (seenAt >= 0) {
        cycles.push([...visiting.slice(seenAt), file].join(' -> '));
        return;
      }
      visiting.push(file);
      for (const target of importsByFile.get(file) ?? []) visit(target);
      visiting.pop();
      done.add(file);
    };
    for (const file of importsByFile.keys()) visit(file);
    expect(cycles).toEqual([]);
  });
});
