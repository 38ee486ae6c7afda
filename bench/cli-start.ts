import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './bundles';
import { percentile } from './burst';

/** The CLI as `npm install` builds it (cli/build.ts); the bench builds it first, so it never times a stale one. */
const CLI_BUILD = join(PROJECT_ROOT, 'cli', 'dist', 'slipway.cjs');
const LAUNCHER = join(PROJECT_ROOT, 'cli', 'slipway.mjs');

/** "Answers like git": `slipway --help` within this many times a Node that does nothing. */
export const CLI_START_TARGET_RATIO = 3;

type CliStartPair = { cliMs: number; nodeMs: number; launcherMs: number };
export type CliStartFigures = {
  pairs: CliStartPair[];
  cliMedianMs: number;
  nodeMedianMs: number;
  launcherMedianMs: number;
  /** The median of each pair's cli/node ratio: pairing keeps it fair while the machine's load drifts. */
  ratio: number;
};

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);

/** Wall time of one whole process, start to exit, its output read and thrown away. */
const timeRun = (args: string[]) => {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr.toString()}`);
  return ms;
};

/**
 * The built CLI's `--help` against `node -e 0` on the same Node, one after the other `pairs` times after a
 * warm-up of each; the launcher `npx slipway` runs (cli/slipway.mjs, with Node's compile cache) alongside.
 */
export const measureCliStart = (pairs = 15): CliStartFigures => {
  const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'cli', 'build.ts')], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`node cli/build.ts exited ${built.status}`);
  const round = (): CliStartPair => ({
    cliMs: timeRun([CLI_BUILD, '--help']),
    nodeMs: timeRun(['-e', '0']),
    launcherMs: timeRun([LAUNCHER, '--help']),
  });
  round();
  const measured = Array.from({ length: pairs }, round);
  return {
    pairs: measured,
    cliMedianMs: median(measured.map((pair) => pair.cliMs)),
    nodeMedianMs: median(measured.map((pair) => pair.nodeMs)),
    launcherMedianMs: median(measured.map((pair) => pair.launcherMs)),
    ratio: median(measured.map((pair) => pair.cliMs / pair.nodeMs)),
  };
};

export const renderCliStart = (figures: CliStartFigures): string => `## CLI start

\`node cli/dist/slipway.cjs --help\` (the CLI as \`npm install\` builds it: one CommonJS file, esbuild) against
\`node -e 0\` on the same Node, each a whole process timed from spawn to exit (spawnSync, process.hrtime), run in
turn ${figures.pairs.length} times after a warm-up of each; \`node cli/slipway.mjs --help\` (the launcher \`npx slipway\` runs,
with Node's compile cache) alongside for context. Target: the CLI's --help within ${CLI_START_TARGET_RATIO}× \`node -e 0\`, on the median of
the pairs' ratios. Before issue 24 the launcher compiled the TypeScript with tsx at every start: its --help took
376 ms, 13× \`node -e 0\` (median of 11 pairs, warm tsx cache, measured 2026-12-06 on this machine). \`npx\` adds about
a second of its own to either (\`npm link\` puts \`slipway\` on the PATH without it).

| measure | value |
|---|---|
| \`node -e 0\`, median | ${figures.nodeMedianMs.toFixed(0)} ms |
| \`slipway --help\` (built file), median | ${figures.cliMedianMs.toFixed(0)} ms |
| ratio, median of ${figures.pairs.length} pairs | ${figures.ratio.toFixed(2)}× (${figures.ratio <= CLI_START_TARGET_RATIO ? 'met' : '**missed**'}) |
| \`node cli/slipway.mjs --help\` (launcher), median | ${figures.launcherMedianMs.toFixed(0)} ms |
`;
