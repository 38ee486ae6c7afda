import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI_ENTRY = resolve(import.meta.dirname, '../../cli/slipway.mjs');

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** A private config dir per test file, so no test reads or writes the developer's own login. */
export const freshConfigHome = () => mkdtemp(join(tmpdir(), 'slipway-cli-'));

/** The environment a CLI run sees: only what the test gives, plus PATH and a fast poll. */
const cliEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  SLIPWAY_POLL_MS: '50',
  ...env,
});

const outcomeOf = (child: ChildProcessWithoutNullStreams, stdin: string): Promise<CliRun> =>
  new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

/** Where a run starts (default: this repository) and from which copy of the launcher. */
export type RunPlace = { cwd?: string; entry?: string };

/** Runs `slipway ...args` as a separate process, as a user or a CI job would. */
export const runCli = (args: string[], env: Record<string, string>, stdin = '', { cwd, entry = CLI_ENTRY }: RunPlace = {}) =>
  outcomeOf(spawn(process.execPath, [entry, ...args], { env: cliEnv(env), cwd }), stdin);

/** `slipway ...args` on a pseudo-terminal (util-linux `script`), so it sees a TTY as on a person's screen. */
const spawnOnTerminal = (args: string[], env: Record<string, string>) => {
  const command = [process.execPath, CLI_ENTRY, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  return spawn('script', ['-qfec', command, '/dev/null'], { env: { ...cliEnv(env), TERM: 'xterm-256color' } });
};

/** Runs `slipway ...args` on a pseudo-terminal; returns everything it drew, escape sequences included. */
export const runCliOnTerminal = (args: string[], env: Record<string, string>) => outcomeOf(spawnOnTerminal(args, env), '');

/**
 * Starts `slipway ...args` on a pseudo-terminal and lets a test read the screen while it runs: `drawn()` is
 * everything drawn so far; `ended` settles as runCliOnTerminal's answer does.
 */
export const startCliOnTerminal = (args: string[], env: Record<string, string>) => {
  const child = spawnOnTerminal(args, env);
  let drawn = '';
  child.stdout.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
  return { drawn: () => drawn, ended: outcomeOf(child, ''), stop: () => child.kill() };
};
