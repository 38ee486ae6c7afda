import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * A CI script written for Echoes' releases API (git tags, `git log` for the commits, curl and jq), run
 * unchanged against a local Slipway but for its endpoint and key, twice: one release, the second answer 303.
 */
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../support/echoes-release.sh', import.meta.url));
const hasJq = (() => {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasJq) console.warn('SKIPPED: the Echoes CI script test needs jq on the PATH, which this machine lacks (install it: apt-get install jq).');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

let slipway: TestSlipway;
let repo: string;
const git = async (...args: string[]) => (await run('git', args, { cwd: repo, env: { ...process.env, ...GIT_ENV } })).stdout.trim();

beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'mobile-app' } });
  repo = await mkdtemp(join(tmpdir(), 'slipway-echoes-ci-'));
  await git('init', '--quiet');
  await git('commit', '--quiet', '--allow-empty', '-m', 'first');
  await git('tag', 'v1.0.0');
  await git('commit', '--quiet', '--allow-empty', '-m', 'offline mode');
  await git('commit', '--quiet', '--allow-empty', '-m', 'dark theme');
  await git('tag', 'v1.1.0');
});
afterAll(async () => {
  await slipway.close();
  await rm(repo, { recursive: true, force: true });
});

describe("an Echoes client's CI script", () => {
  it.skipIf(!hasJq)('records one release of the tag with its commits, answered 303 the second time, and reports it succeeded', async () => {
    const key = await slipway.keyFor('developer', ['mobile-app']);
    const runScript = async () =>
      (await run('bash', [SCRIPT], { cwd: repo, env: { ...process.env, ...GIT_ENV, ECHOES_API: slipway.url, ECHOES_API_KEY: key } })).stdout.trim();

    const first = await runScript();
    const second = await runScript();
    const [, id, status] = /^release (\S+) (\d{3}) location: (\S+)$/i.exec(first) ?? [];
    expect(status, first).toBe('201');
    expect(second).toBe(`release ${id} 303 location: /v1/signals/releases/${id}`);

    const releases = (await slipway.call<ReleaseResponse[]>('GET', '/apps/mobile-app/releases')).body;
    expect(releases).toHaveLength(1);
    const shipped = (await git('log', '--format=%H', 'v1.0.0..v1.1.0')).split('\n');
    expect(releases[0]).toMatchObject({
      recorded: true,
      status: 'succeeded',
      current: true,
      build: { version: 'v1.1.0', commit: shipped[0], tag: await git('rev-list', '-n', '1', 'v1.1.0') },
    });
    expect(releases[0]?.commits.map((commit) => commit.sha)).toEqual(shipped);
  });
});
