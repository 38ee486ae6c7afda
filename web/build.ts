import { buildSync } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_ASSETS_DIR, DASHBOARD_INDEX, type DashboardFiles } from '../shared/http/dashboard';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the dashboard in memory: one minified ES module, the chunks it shares with views loaded later and
 * those views (the metrics, with uPlot), one stylesheet, each named by content hash, and the page that loads
 * them, preloading the chunks the module needs at once. Fast enough (well under a second) to run at a local
 * server's first request and while the CDK app bundles the dashboard function.
 */
export const buildDashboard = (): DashboardFiles => {
  const result = buildSync({
    entryPoints: { dashboard: join(webDir, 'src/main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    // A view that loads a big library (the metrics' uPlot) is a chunk of its own, fetched when it is opened.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: join(webDir, DASHBOARD_ASSETS_DIR),
    write: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  const assets = new Map(result.outputFiles.map((file) => [`${DASHBOARD_ASSETS_DIR}/${basename(file.path)}`, file.text]));
  const named = (extension: string) => {
    const path = [...assets.keys()].find((name) => name.startsWith(`${DASHBOARD_ASSETS_DIR}/dashboard-`) && name.endsWith(extension));
    if (!path) throw new Error(`the dashboard build made no ${extension} file`);
    return `/${path}`;
  };
  const script = named('.js');
  const entry = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(script))?.[1];
  const preloads = (entry?.imports ?? [])
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => `<link rel="modulepreload" href="/${DASHBOARD_ASSETS_DIR}/${basename(imported.path)}" />`)
    .join('\n    ');
  const page = readFileSync(join(webDir, 'index.html'), 'utf8')
    .replace('{{script}}', script)
    .replace('{{style}}', named('.css'))
    .replace('{{preloads}}', preloads);
  return new Map([[DASHBOARD_INDEX, page], ...assets]);
};

/** Writes the built dashboard into `dir`, where `readDashboardFiles` finds it. */
export const writeDashboard = (dir: string): void => {
  for (const [path, text] of buildDashboard()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};
