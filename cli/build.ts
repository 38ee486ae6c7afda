import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one JavaScript file `cli/slipway.mjs` runs; ignored by git, made by `npm install` and before `npm test`. */
export const CLI_BUILD = fileURLToPath(new URL('dist/slipway.cjs', import.meta.url));

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Stand-ins for two modules yargs loads at every start but seldom needs, each ~6-20 ms, as long as Node's own
 * start: `string-width` builds an `Intl.Segmenter` as it loads, `assert` is a dozen of Node's modules. The width
 * of printable ASCII (all of Slipway's help) is its length once escape codes are stripped, and the real module
 * measures any other text, loaded the first time some comes. yargs asserts only its own invariants, and one
 * failure it expects (no package.json above the working directory, which it catches): a plain error will do.
 */
const STAND_INS: { module: RegExp; namespace: string; contents: (real: string) => string }[] = [
  {
    module: /^string-width$/,
    namespace: 'lazy-string-width',
    // esbuild turns this `require` of a bundled module into a call that initializes it then, not at start.
    contents: (real) => `
      import { stripVTControlCharacters } from 'node:util';
      const PRINTABLE_ASCII = /^[\\x20-\\x7e]*$/;
      let measure;
      export default function stringWidth(text, options) {
        const visible = stripVTControlCharacters(String(text));
        if (PRINTABLE_ASCII.test(visible)) return visible.length;
        measure ??= require(${JSON.stringify(real)}).default;
        return measure(text, options);
      }`,
  },
  {
    module: /^(node:)?assert$/,
    namespace: 'lazy-assert',
    contents: () => `
      const fail = (message) => {
        throw Object.assign(new Error(message), { code: 'ERR_ASSERTION' });
      };
      export const strictEqual = (actual, expected, message) => {
        if (!Object.is(actual, expected)) fail(message ?? \`Expected \${String(actual)} to be \${String(expected)}\`);
      };
      export const notStrictEqual = (actual, expected, message) => {
        if (Object.is(actual, expected)) fail(message ?? \`Expected a value other than \${String(expected)}\`);
      };`,
  },
];

const standIns: Plugin = {
  name: 'slipway-cli-stand-ins',
  setup(build) {
    for (const { module, namespace, contents } of STAND_INS) {
      build.onResolve({ filter: module }, async (args) => {
        if (args.pluginData === namespace) return undefined;
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: namespace });
        return real.errors.length > 0 ? { errors: real.errors } : { path: real.path, namespace };
      });
      build.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: contents(args.path), resolveDir: PROJECT_ROOT }));
    }
  },
};

/**
 * Bundles the CLI (its commands, the shared API schemas, yargs and zod) into one minified file, so a start is
 * one file for Node to load and nothing to compile on the way; about half a second for esbuild. CommonJS,
 * because Node reads every export of a built-in module an ES module imports (node:util's, node:stream's…),
 * loading more of itself: ~8 ms a start. The API client and zod load only once a command runs (session.ts).
 */
export const buildCli = () =>
  build({
    entryPoints: [fileURLToPath(new URL('main.ts', import.meta.url))],
    outfile: CLI_BUILD,
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [standIns],
    // yargs finds its own files from import.meta.url; and knows the version without searching the disk for it.
    banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: {
      'import.meta.url': '__importMetaUrl',
      SLIPWAY_VERSION: JSON.stringify((JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { version: string }).version),
    },
  });

// `node cli/build.ts`, as the prepare and test scripts run it (Node 24 strips the types itself).
if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
