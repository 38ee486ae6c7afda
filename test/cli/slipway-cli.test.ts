import { copyFile, mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { startAnswerDroppingProxy } from './answer-dropping-proxy';
import { CLI_ENTRY, freshConfigHome, runCli, runCliOnTerminal } from './run-cli';
import { until } from '../support/until';

/** The `slipway` CLI as a separate process against a real local Slipway with (shortened) rollouts. */
let slipway: TestSlipway;
let env: Record<string, string>;
beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
  env = { SLIPWAY_URL: slipway.url, SLIPWAY_API_KEY: slipway.adminKey, XDG_CONFIG_HOME: await freshConfigHome(), NO_COLOR: '1' };
});
afterAll(async () => {
  await slipway?.close();
});

const cli = (...args: string[]) => runCli(args, env);
const createApp = async (name: string) => expect((await cli('apps:create', name, '--cluster', 'local', '--service', name)).code).toBe(0);

describe('deploy --wait', () => {
  it('follows a rollout to success in timestamped lines (stdout is no terminal) and exits 0', async () => {
    await createApp('cli-web');
    const run = await cli('deploy', 'registry.local/cli-web:v1', '-a', 'cli-web', '--sha', '1a2b3c4d5e6f', '--wait');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Deploy registry\.local\/cli-web:v1 \(1a2b3c4\) on cli-web: v1 queued$/m);
    expect(run.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z cli-web v1 succeeded after [\d.]+s$/m);
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('exits 1 when the rollout fails, with the deployment message', async () => {
    const run = await cli('deploy', 'registry.local/cli-web:v2-unhealthy', '-a', 'cli-web', '--wait');
    expect(run.code).toBe(1);
    expect((await slipway.call<{ description: string }>('GET', '/apps/cli-web/releases/2')).body.description).toBe('Deploy registry.local/cli-web:v2-unhealthy');
    expect(run.stdout).toMatch(/cli-web v2 failed after [\d.]+s/);
  });
});

describe('a release phase', () => {
  it('streams its output while deploy --wait follows it, fails the deploy with its exit code, and releases:output prints it again', async () => {
    expect((await cli('apps:create', 'cli-phase', '--cluster', 'local', '--service', 'cli-phase')).code).toBe(0);
    expect((await slipway.call('PATCH', '/apps/cli-phase', { body: { release_phase: { command: ['npm', 'run', 'migrate'] } } })).status).toBe(200);
    const passed = await cli('deploy', 'registry.local/cli-phase:v1', '-a', 'cli-phase', '--wait');
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/^\S+Z release phase \| Running npm run migrate in registry\.local\/cli-phase:v1$/m);
    expect(passed.stdout).toMatch(/^\S+Z release phase \| Done$/m);

    const failed = await cli('deploy', 'registry.local/cli-phase:release-fails', '-a', 'cli-phase', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/cli-phase v2 failed after [\d.]+s: release phase exited 1$/m);

    // CloudWatch may not hold the last lines yet just after the task stopped: the CLI says so, and asked again, prints them all.
    let printed = await cli('releases:output', 'v2', '-a', 'cli-phase');
    for (let attempt = 0; attempt < 20 && printed.stdout.includes('still running'); attempt++) printed = await cli('releases:output', 'v2', '-a', 'cli-phase');
    expect(printed.code).toBe(0);
    expect(printed.stdout.trim().split('\n')).toEqual(['Running npm run migrate in registry.local/cli-phase:release-fails', 'Step 1 of 1 done', 'Error: the release phase failed']);
    const info = await cli('releases:info', 'v2', '-a', 'cli-phase');
    expect(info.stdout).toMatch(/^Release phase: failed \(exit code 1\)/m);

    await slipway.call('PATCH', '/apps/cli-phase', { body: { release_phase: null } });
    expect((await cli('deploy', 'registry.local/cli-phase:v3', '-a', 'cli-phase', '--wait')).code).toBe(0);
    const none = await cli('releases:output', '-a', 'cli-phase');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('ran no release phase');
  });
});

describe('on a terminal', () => {
  it('draws the rollout live in colour on one redrawn line, then leaves one clean summary line', async () => {
    await createApp('cli-tty');
    const { NO_COLOR: _noColor, ...colourEnv } = env;
    const run = await runCliOnTerminal(['deploy', 'registry.local/cli-tty:v1', '-a', 'cli-tty', '--wait'], colourEnv);
    expect(run.code).toBe(0);
    const screen = run.stdout;
    expect(screen).toContain('\u001b[?25l');
    const frames = screen.split('\r\u001b[2K');
    const progress = frames.find((frame) => / new, \d+ failed /.test(frame));
    expect(progress).toMatch(/\u001b\[3\dm/);
    expect(stripVTControlCharacters(progress ?? '')).toMatch(/^. cli-tty v1 (pending|succeeded) [█░]{20} \d+\/\d+ new, \d+ failed \d+\.\ds {2}\S/u);
    expect(frames.at(-1)).toMatch(/^\u001b\[32m✔\u001b\[39m cli-tty v1 succeeded after \d+\.\ds\r?\n\u001b\[\?25h$/);
  });

  it('lines the releases table up under its header in colour, as it does in a pipe', async () => {
    expect((await cli('deploy', 'registry.local/cli-tty:v2-unhealthy', '-a', 'cli-tty', '--wait')).code).toBe(1);
    const v1 = (await slipway.call<{ id: string }>('GET', '/apps/cli-tty/releases/1')).body;
    await slipway.call('POST', `/apps/cli-tty/releases/${v1.id}/statuses`, { body: { context: 'ci/unit', name: 'Unit tests', state: 'success' } });
    const { NO_COLOR: _noColor, ...colourEnv } = env;
    const run = await runCliOnTerminal(['releases', '-a', 'cli-tty'], colourEnv);
    expect(run.code).toBe(0);
    const lines = run.stdout.split(/\r?\n/);
    const headerAt = lines.findIndex((line) => stripVTControlCharacters(line).startsWith('VERSION'));
    const rows = lines.slice(headerAt + 1, headerAt + 3);
    expect(rows.every((row) => /\u001b\[3\dm(failed|succeeded)\u001b\[39m/.test(row))).toBe(true);
    const header = stripVTControlCharacters(lines[headerAt] ?? '');
    const columnOf = (name: string) => header.indexOf(name);
    const cellAt = (row: string, column: number) => stripVTControlCharacters(row).slice(column).split(/\s{2,}/)[0];
    expect(rows.map((row) => [cellAt(row, 0), cellAt(row, columnOf('STATUS')), cellAt(row, columnOf('CHECKS')), cellAt(row, columnOf('BY'))])).toEqual([
      // No check was posted on v2: none, not a pending that would say checks are running.
      ['v2', 'failed', 'none', expect.stringContaining('@')],
      ['v1*', 'succeeded', 'success', expect.stringContaining('@')],
    ]);
    const info = stripVTControlCharacters((await runCliOnTerminal(['releases:info', 'v1', '-a', 'cli-tty'], colourEnv)).stdout);
    expect(info).toMatch(/Checks: +success \(1 posted\)/);
  });
});

describe('rollback', () => {
  it('with no version goes back to the release that succeeded before the current one, never a failed one', async () => {
    expect((await cli('deploy', 'registry.local/cli-web:v3', '-a', 'cli-web', '--wait')).code).toBe(0);
    const before = JSON.parse((await cli('releases', '-a', 'cli-web', '--json')).stdout) as { version: number; status: string }[];
    expect(before.map((release) => [release.version, release.status])).toEqual([
      [3, 'succeeded'],
      [2, 'failed'],
      [1, 'succeeded'],
    ]);
    const run = await cli('rollback', '-a', 'cli-web', '--wait', '--json');
    expect(run.code).toBe(0);
    const release = JSON.parse(run.stdout);
    const v1 = (await slipway.call('GET', '/apps/cli-web/releases/1')).body;
    expect(release).toMatchObject({ version: 4, status: 'succeeded', trigger: 'rollback', slug: v1.slug });
    expect(run.stderr).toMatch(/cli-web v4 succeeded/);
  });

  it("rolls back to a named version, under Heroku's spelling releases:rollback too", async () => {
    const run = await cli('releases:rollback', 'v3', '-a', 'cli-web', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 5, trigger: 'rollback' });
  });
});

describe('--json', () => {
  it("prints the API's objects unchanged, as one document (releases newest first)", async () => {
    // The rollback made above may still be rolling out: both reads must see the same, settled, releases.
    await until('v5 settled', async () => ((await slipway.call<{ status: string }>('GET', '/apps/cli-web/releases/5')).body.status === 'pending' ? undefined : true));
    const run = await cli('releases', '-a', 'cli-web', '-n', '2', '--json');
    expect(run.code).toBe(0);
    const newest = (await slipway.call<{ version: number }[]>('GET', '/apps/cli-web/releases?order=desc&limit=2')).body;
    expect(newest.map((release) => release.version)).toEqual([5, 4]);
    expect(JSON.parse(run.stdout)).toEqual(newest);
  });

  it('lists releases newest first as a table too, and refuses a count that is not a whole number of at least 1', async () => {
    const table = await cli('releases', '-a', 'cli-web', '-n', '3');
    expect(table.code).toBe(0);
    expect([...table.stdout.matchAll(/^v(\d+)\*? /gm)].map((match) => Number(match[1]))).toEqual([5, 4, 3]);
    const none = await cli('releases', '-a', 'cli-web', '-n', '0');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--num must be a whole number of releases, at least 1/);
  });

  it('says why a release failed, in the list and in detail', async () => {
    const v2 = (await slipway.call<{ status: string; rollout: { message: string } }>('GET', '/apps/cli-web/releases/2')).body;
    expect(v2.status).toBe('failed');
    const reason = v2.rollout.message;
    expect(reason).toMatch(/\S/);
    const table = await cli('releases', '-a', 'cli-web', '-n', '5');
    expect(table.stdout).toMatch(/^VERSION .* REASON$/m);
    const row = table.stdout.split('\n').find((line) => line.startsWith('v2 '));
    expect(row).toMatch(/ failed /);
    expect(row?.endsWith(`  ${reason}`)).toBe(true);
    const info = await cli('releases:info', 'v2', '-a', 'cli-web');
    expect(info.stdout.split('\n').find((line) => line.startsWith('Reason:'))?.replace(/^Reason: +/, '')).toBe(reason);
  });

  it('apps:info tells what is live', async () => {
    expect((await cli('releases:wait', 'v5', '-a', 'cli-web')).code).toBe(0);
    const run = await cli('apps:info', '-a', 'cli-web');
    expect(run.stdout).toMatch(/Current release: v5/);
    expect(run.stdout).toMatch(/Image: +registry\.local\/cli-web:v3/);
    expect(run.stdout).toMatch(/Tasks: +3\/3 running/);
    expect(run.stdout).toMatch(/Rolling out: +-\n/);
    expect(run.stdout).toMatch(/Auto rollback: +no\n/);
    expect(run.stdout).toMatch(/Checks: +none required, none posted\n/);
  });
});

describe('promote', () => {
  it('promotes the current release to the next stage and follows the rollout', async () => {
    await createApp('cli-dev');
    await createApp('cli-stg');
    expect((await cli('pipelines:create', 'cli-flow')).code).toBe(0);
    expect((await cli('pipelines:couple', 'cli-flow', '-a', 'cli-dev', '--stage', 'development')).code).toBe(0);
    expect((await cli('pipelines:couple', 'cli-flow', '-a', 'cli-stg', '--stage', 'staging', '--checks', 'ci/unit')).code).toBe(0);
    expect((await cli('deploy', 'registry.local/cli-dev:v1', '-a', 'cli-dev', '--wait')).code).toBe(0);

    const unsafe = await cli('pipelines:promote', '-a', 'cli-dev');
    expect([unsafe.code, unsafe.stderr]).toEqual([4, expect.stringMatching(/409 unsafe_promotion/)]);
    expect(unsafe.stderr).toMatch(/\n {2}cli-stg: ci\/unit not posted\n.*`slipway statuses:set CONTEXT success -a cli-dev -r v1`.*--unsafe/);

    expect((await cli('apps:info', '-a', 'cli-dev')).stdout).toMatch(/Checks: +pending \(none posted; promoting needs ci\/unit\)\n/);
    expect((await cli('statuses:set', 'ci/unit', 'success', '-a', 'cli-dev')).code).toBe(0);
    expect((await cli('apps:info', '-a', 'cli-dev')).stdout).toMatch(/Checks: +success \(1 posted; promoting needs ci\/unit\)\n/);
    const run = await cli('pipelines:promote', '-a', 'cli-dev', '--wait', '--json');
    expect(run.code).toBe(0);
    const promotion = JSON.parse(run.stdout);
    expect(promotion.targets).toMatchObject([{ app: { name: 'cli-stg' }, release: { version: 1 } }]);
    expect((await slipway.call('GET', '/apps/cli-stg/releases/1')).body).toMatchObject({ status: 'succeeded', trigger: 'promotion' });
    expect((await cli('apps:info', '-a', 'cli-stg')).stdout).toMatch(/Image: +registry\.local\/cli-dev:v1\n/);
  });

  it('refuses a direct release to a downstream app with exit 4 and the API error on stderr (and on stdout under --json)', async () => {
    const run = await cli('deploy', 'registry.local/cli-stg:v9', '-a', 'cli-stg', '--json');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/Refused by Slipway \(422 downstream_pipeline_app\): /);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'downstream_pipeline_app' } });
  });

  it('uncouples an app from its pipeline, after which it releases freely', async () => {
    const run = await cli('pipelines:uncouple', '-a', 'cli-stg');
    expect([run.code, run.stdout]).toEqual([0, 'Uncoupled cli-stg from cli-flow (it was at staging).\n']);
    expect((await slipway.call('GET', '/apps/cli-stg/pipeline-couplings')).status).toBe(404);
    expect((await cli('deploy', 'registry.local/cli-stg:v9', '-a', 'cli-stg')).code).toBe(0);
  });
});

describe('a flaky network', () => {
  it('never doubles a release: a deploy whose answer was lost retries with its Idempotency-Key and gets the same release', async () => {
    await createApp('cli-flaky');
    const proxy = await startAnswerDroppingProxy(slipway.url, { method: 'POST', path: /^\/apps\/cli-flaky\/releases$/ }, 2);
    try {
      const run = await runCli(['deploy', 'registry.local/cli-flaky:v1', '-a', 'cli-flaky', '--json'], { ...env, SLIPWAY_URL: proxy.url });
      expect(run.code).toBe(0);
      expect(proxy.forwarded.filter((call) => call === 'POST /apps/cli-flaky/releases')).toHaveLength(3);
      const releases = (await slipway.call<{ id: string }[]>('GET', '/apps/cli-flaky/releases')).body;
      expect(releases.map((release) => release.id)).toEqual([JSON.parse(run.stdout).id]);
    } finally {
      await proxy.close();
    }
  });
});

describe('config', () => {
  it('sets, masks secrets and unsets config vars, each change a release of the current build', async () => {
    await createApp('cli-cfg');
    expect((await cli('deploy', 'registry.local/cli-cfg:v1', '-a', 'cli-cfg', '--wait')).code).toBe(0);
    const set = await cli('config:set', 'LOG_LEVEL=debug', 'URL=https://x.example/?a=b', '-a', 'cli-cfg');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/URL\s+https:\/\/x\.example\/\?a=b/);
    expect((await cli('config:set', 'TOKEN=s3cr3t-cli', '--secret', '-a', 'cli-cfg')).code).toBe(0);
    expect((await cli('config:unset', 'LOG_LEVEL', '-a', 'cli-cfg')).code).toBe(0);
    const shown = await cli('config', '-a', 'cli-cfg', '--json');
    expect(JSON.parse(shown.stdout)).toEqual({ URL: 'https://x.example/?a=b', TOKEN: '********' });
    const releases = JSON.parse((await cli('releases', '-a', 'cli-cfg', '--json')).stdout) as { description: string }[];
    expect(releases.map((release) => release.description).slice(0, 3)).toEqual(['Unset LOG_LEVEL', 'Set TOKEN', 'Set LOG_LEVEL, URL']);
    const bad = await cli('config:set', 'not-posix=1', '-a', 'cli-cfg');
    expect(bad.code).toBe(2);
  });

  it('says which release each change made (version and id), or that none was made before the first', async () => {
    await createApp('cli-cfg-new');
    const early = await cli('config:set', 'MODE=early', '-a', 'cli-cfg-new');
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/^No release made: cli-cfg-new has no current release yet; its first release runs with this config\.$/m);
    expect((await cli('deploy', 'registry.local/cli-cfg-new:v1', '-a', 'cli-cfg-new', '--wait')).code).toBe(0);
    const set = await cli('config:set', 'MODE=later', '-a', 'cli-cfg-new');
    const unset = await cli('config:unset', 'MODE', '-a', 'cli-cfg-new');
    const [v2, v3] = await Promise.all([2, 3].map(async (version) => (await slipway.call<{ id: string }>('GET', `/apps/cli-cfg-new/releases/${version}`)).body.id));
    expect(set.stdout).toMatch(new RegExp(`^Set MODE on cli-cfg-new: v2 \\(${v2}\\) (queued|pending|succeeded)$`, 'm'));
    expect(unset.stdout).toMatch(new RegExp(`^Unset MODE on cli-cfg-new: v3 \\(${v3}\\) (queued|pending|succeeded)$`, 'm'));
  });
});

describe('usage and configuration', () => {
  it('completes command names for the shell', async () => {
    const run = await cli('--get-yargs-completions', 'pipelines:');
    expect(run.stdout.split('\n')).toEqual(expect.arrayContaining(['pipelines:promote', 'pipelines:couple']));
    expect((await cli('completion')).stdout).toContain('_slipway_yargs_completions');
  });

  it("knows Heroku's and Akkeris' spellings: in --help and in completion, bash's and zsh's", async () => {
    const spellings = ['logout', 'whoami', 'pipelines:uncouple', 'releases:rollback'];
    const help = (await cli('--help')).stdout;
    for (const name of spellings) expect(help).toMatch(new RegExp(`(slipway |aliases: )${name}\\b`));
    expect((await cli('--get-yargs-completions', '')).stdout.split('\n')).toEqual(expect.arrayContaining(spellings));
    const zsh = (await runCli(['--get-yargs-completions', ''], { ...env, SHELL: '/bin/zsh' })).stdout.split('\n');
    expect(zsh).toContainEqual(expect.stringMatching(/^releases\\:rollback:release an earlier release again/));
  });

  it('whoami tells who the key is: holder, role, apps, and where it is used', async () => {
    const admin = await cli('whoami');
    const key = (await slipway.call<{ key_id: string; email: string }>('GET', '/whoami')).body;
    expect(admin.stdout).toMatch(new RegExp(`^=== ${key.email}\nEndpoint: +${slipway.url}\nRole: +admin\nApps: +all\nKey: +${key.key_id}\n$`));
    expect(JSON.parse((await cli('whoami', '--json')).stdout)).toEqual(key);
    const developer = await runCli(['whoami'], { ...env, SLIPWAY_API_KEY: await slipway.keyFor('developer', ['cli-web', 'cli-cfg']) });
    expect(developer.stdout).toMatch(/^Role: +developer\nApps: +cli-web, cli-cfg\n/m);
  });

  it('logout forgets the stored login of a profile, and says when there was none', async () => {
    const configHome = await freshConfigHome();
    const login = await runCli(['login', '--profile', 'local'], { XDG_CONFIG_HOME: configHome }, `${slipway.url}\n${slipway.adminKey}\n`);
    expect(login.code).toBe(0);
    const logout = await runCli(['logout', '--profile', 'local'], { XDG_CONFIG_HOME: configHome });
    const file = join(configHome, 'slipway', 'config.json');
    expect([logout.code, logout.stdout]).toEqual([0, `Logged out of ${slipway.url}: profile "local" removed from ${file}.\n`]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ profiles: {} });
    expect((await runCli(['apps', '--profile', 'local'], { XDG_CONFIG_HOME: configHome })).code).toBe(2);
    const again = await runCli(['logout', '--profile', 'local'], { XDG_CONFIG_HOME: configHome });
    expect([again.code, again.stdout]).toEqual([0, `No login stored for profile "local" in ${file}: nothing to forget.\n`]);
  });

  it('runs the build npm install made, and when there is none says to run npm install (exit 2) instead of compiling', async () => {
    const unbuilt = join(await mkdtemp(join(tmpdir(), 'slipway-unbuilt-')), 'slipway.mjs');
    await copyFile(CLI_ENTRY, unbuilt);
    const run = await runCli(['--help'], env, '', { entry: unbuilt });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^slipway is not built \(no .*\/dist\/slipway\.cjs\): run `npm install` in the Slipway repository\.\n$/);
  });

  it('tells its version wherever it is run, not only inside this repository', async () => {
    const version = (JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    const run = await runCli(['--version'], env, '', { cwd: await mkdtemp(join(tmpdir(), 'slipway-elsewhere-')) });
    expect([run.code, run.stdout]).toEqual([0, `${version}\n`]);
  });

  it('names the endpoint that did not answer, and why (exit 3)', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const { port } = closed.address() as { port: number };
    await new Promise((done) => closed.close(done));
    const url = `http://127.0.0.1:${port}`;
    const run = await runCli(['apps:create', 'cli-nowhere', '--cluster', 'local', '--service', 'nowhere'], { ...env, SLIPWAY_URL: url });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Slipway at ${url} did not answer: fetch failed (ECONNREFUSED)\n`);
  });

  it('exits 2 and says how to log in when there is no key, and suggests a command for a typo', async () => {
    const noKey = await runCli(['releases', '-a', 'cli-web'], { SLIPWAY_URL: slipway.url, XDG_CONFIG_HOME: await freshConfigHome() });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/No API key for profile "default": run `slipway login` or set SLIPWAY_API_KEY/);
    const typo = await cli('relases', '-a', 'cli-web');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Did you mean releases\?/);
  });

  it('login checks the key, stores it for the profile in a 0600 file, and never prints it', async () => {
    const configHome = await freshConfigHome();
    const wrong = await runCli(['login', '--profile', 'local'], { XDG_CONFIG_HOME: configHome }, `${slipway.url}\nslw_wrong\n`);
    expect(wrong.code).toBe(4);
    const login = await runCli(['login', '--profile', 'local'], { XDG_CONFIG_HOME: configHome }, `${slipway.url}\n${slipway.adminKey}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout + login.stderr).not.toContain(slipway.adminKey);
    const file = join(configHome, 'slipway', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const apps = await runCli(['apps', '--profile', 'local', '--json'], { XDG_CONFIG_HOME: configHome });
    expect(apps.code).toBe(0);
    expect(JSON.parse(apps.stdout).map((app: { name: string }) => app.name)).toContain('cli-web');
    const otherProfile = await runCli(['apps'], { XDG_CONFIG_HOME: configHome });
    expect(otherProfile.code).toBe(2);
  });

  it('keeps profiles named like Object.prototype members apart, and finds none that was never stored', async () => {
    const configHome = await freshConfigHome();
    for (const profile of ['__proto__', 'constructor']) {
      const login = await runCli(['login', '--profile', profile], { XDG_CONFIG_HOME: configHome }, `${slipway.url}
${slipway.adminKey}
`);
      expect(login.code, login.stderr).toBe(0);
    }
    const stored = JSON.parse(await readFile(join(configHome, 'slipway', 'config.json'), 'utf8'));
    expect(Object.keys(stored.profiles)).toEqual(['__proto__', 'constructor']);
    for (const profile of ['__proto__', 'constructor']) {
      const apps = await runCli(['apps', '--profile', profile, '--json'], { XDG_CONFIG_HOME: configHome });
      expect(apps.code, `${profile}: ${apps.stderr}`).toBe(0);
    }
    const never = await runCli(['apps', '--profile', 'toString'], { XDG_CONFIG_HOME: configHome });
    expect(never.code).toBe(2);
    expect(never.stderr).toMatch(/No Slipway endpoint for profile "toString"/);
  });
});
