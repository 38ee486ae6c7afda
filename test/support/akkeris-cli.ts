import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The third-party Akkeris CLI lives beside the repository (read-only), never inside it: in `../shared/clients/akkeris-cli`,
 * or wherever AKKERIS_CLI_DIR points.
 */
const CLI_SOURCE = process.env.AKKERIS_CLI_DIR
  ? resolve(process.env.AKKERIS_CLI_DIR)
  : resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/clients/akkeris-cli');

/**
 * Why the Akkeris CLI cannot be run here, in one line, or null when it can. A clone without `../shared` has no
 * CLI beside it; only a folder pointed at on purpose that holds no CLI is an error.
 */
export const akkerisCliAbsence = (): string | null => {
  if (existsSync(join(CLI_SOURCE, 'aka.js'))) return null;
  if (process.env.AKKERIS_CLI_DIR) throw new Error(`AKKERIS_CLI_DIR is ${CLI_SOURCE}, which holds no Akkeris CLI (no aka.js)`);
  return `Akkeris CLI suite skipped: no Akkeris CLI at ${CLI_SOURCE} (its aka.js); set AKKERIS_CLI_DIR to a checkout of it to run the suite.`;
};

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * A writable, installed copy of the CLI under the OS temp dir, made once per version of its package-lock
 * and reused by later runs. Built in a scratch folder and renamed into place, so a half-made copy is never used.
 */
export const installedAkkerisCli = async (): Promise<string> => {
  const lock = await readFile(join(CLI_SOURCE, 'package-lock.json'));
  const target = join(tmpdir(), `slipway-akkeris-cli-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
  if (await exists(join(target, 'node_modules'))) return target;
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-akkeris-cli-build-'));
  await cp(CLI_SOURCE, scratch, { recursive: true });
  await run('chmod', ['-R', 'u+w', scratch]);
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: scratch, maxBuffer: 16 << 20 });
  try {
    await rename(scratch, target);
  } catch (error) {
    // Another run installed it first; theirs is as good as ours.
    await rm(scratch, { recursive: true, force: true });
    if (!(await exists(join(target, 'node_modules')))) throw error;
  }
  return target;
};

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Runs `aka <args>` against a Slipway as a user would; the CLI exits 0 even on failure, so callers read its output. */
export const akkerisCliFor = async (options: { cliDir: string; apiUrl: string; token: string }) => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-aka-home-'));
  const aka = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await run(process.execPath, [join(options.cliDir, 'aka.js'), ...args], {
      cwd: home,
      timeout: 60_000,
      maxBuffer: 16 << 20,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AKKERIS_API_HOST: options.apiUrl,
        // Set, or the CLI starts its interactive first-run setup.
        AKKERIS_AUTH_HOST: 'auth.invalid',
        API_TOKEN: options.token,
        AKA_NO_COLORS: '1',
      },
    });
    return `${stdout}${stderr}`.replace(ANSI, '');
  };
  return { aka, close: () => rm(home, { recursive: true, force: true }) };
};
