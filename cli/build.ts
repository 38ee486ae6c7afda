import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The one JavaScript file `cli/slipway.mjs` runs; ignored by git, made by `npm install` and before `npm test`. */
export const CLI_BUILD = fileURLToPath(new URL('dist/slipway.mjs', import.meta.url));

/**
 * Bundles the CLI (its commands, the shared API schemas, yargs and zod) into one minified ES module, so a
 * start is one file for Node to load and nothing to compile on the way: about 0.4 s for esbuild.
 */
export const buildCli = () =>
  buildSync({
    entryPoints: [fileURLToPath(new URL('main.ts', import.meta.url))],
    outfile: CLI_BUILD,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'warning',
  });

// `node cli/build.ts`, as the prepare and test scripts run it (Node 24 strips the types itself).
if (process.argv[1] === fileURLToPath(import.meta.url)) buildCli();
