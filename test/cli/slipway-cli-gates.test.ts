import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';
import { freshConfigHome, runCli, startCliOnTerminal } from './run-cli';

/**
 * The CLI driving canary releases against a local Slipway whose ECS simulator counts a minute as 300 ms: it
 * sets an app's strategy and gate, follows a release through its phases and gate, approves, promotes, aborts.
 */
let slipway: SlipwayWithEcs;
let env: Record<string, string>;
beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 300 });
  env = { SLIPWAY_URL: slipway.url, SLIPWAY_API_KEY: slipway.adminKey, XDG_CONFIG_HOME: await freshConfigHome(), NO_COLOR: '1' };
});
afterAll(async () => {
  await slipway?.close();
});

type Release = { status: string; rollout: { phase: string | null; traffic_percent: number | null } | null };

const cli = (...args: string[]) => runCli(args, env);
const answering = (stdin: string, ...args: string[]) => runCli(args, env, stdin);
const reaching = (app: string, phase: string) =>
  until(`${app} v1 in phase ${phase}`, async () => {
    const release = (await slipway.call<Release>('GET', `/apps/${app}/releases/1`)).body;
    return release.rollout?.phase === phase ? release : undefined;
  });
const createCanary = async (app: string, ...settings: string[]) => {
  const run = await cli('apps:create', app, '--cluster', 'local', '--service', app, '--strategy', 'canary', '--canary-percent', '10', ...settings);
  expect([run.code, run.stdout]).toEqual([0, `Created ${app} (local/${app}, canary deployments).\n`]);
};

/** The frames a live view drew, without colours; each redraw starts by clearing the line. */
const framesOf = (screen: string) => screen.split('\r\u001b[2K').map((frame) => stripVTControlCharacters(frame));

describe('a gated canary on a terminal', () => {
  it('redraws its phase, traffic share and what the gate waits for as they change, until releases:approve lets it complete', async () => {
    await createCanary('cli-gated', '--canary-bake', '1', '--gate-checks', 'ci/smoke', '--gate-approval', '--gate-timeout', '600');
    const { NO_COLOR: _noColor, ...terminalEnv } = env;
    const deploy = startCliOnTerminal(['deploy', 'registry.local/cli-gated:v1', '-a', 'cli-gated', '--wait'], terminalEnv);
    try {
      const showing = (pattern: RegExp) => until(`the screen to show ${pattern}`, async () => framesOf(deploy.drawn()).findIndex((frame) => pattern.test(frame)) + 1 || undefined);
      const gated = await showing(/ cli-gated v1 pending █{2}░{18} at the gate 10% · waiting for ci\/smoke, approval until \d\d:\d\d:\d\d /u);

      const check = await cli('statuses:set', 'ci/smoke', 'success', '-a', 'cli-gated', '-r', 'v1');
      expect(check.code).toBe(0);
      const approvalOnly = await showing(/ cli-gated v1 pending █{2}░{18} at the gate 10% · waiting for approval until \d\d:\d\d:\d\d /u);
      expect(approvalOnly).toBeGreaterThan(gated);

      const developer = await runCli(['releases:approve', '-a', 'cli-gated'], { ...env, SLIPWAY_API_KEY: await slipway.keyFor('developer', ['cli-gated']) });
      expect([developer.code, developer.stderr]).toEqual([4, expect.stringMatching(/Refused by Slipway \(403 /)]);

      const approve = await cli('releases:approve', '-a', 'cli-gated');
      expect([approve.code, approve.stdout]).toEqual([0, 'Approved cli-gated v1: its traffic shifts on.\n']);
      const ended = await deploy.ended;
      expect(ended.code).toBe(0);
      expect(framesOf(ended.stdout).at(-1)).toMatch(/^✔ cli-gated v1 succeeded after \d+\.\ds\r?\n$/);
    } finally {
      deploy.stop();
    }
    const info = await cli('releases:info', 'v1', '-a', 'cli-gated');
    expect(info.stdout).toMatch(/^Approved by: +.+ at \d{4}-/m);
  });
});

describe('releases:abort', () => {
  it('asks first, naming the version; aborted, the release a pipe follows ends failed at 10 % with who aborted it', async () => {
    await createCanary('cli-abort', '--canary-bake', '600');
    const following = cli('deploy', 'registry.local/cli-abort:v1', '-a', 'cli-abort', '--wait');
    await reaching('cli-abort', 'canary');

    const unanswered = await cli('releases:abort', '-a', 'cli-abort');
    expect(unanswered.code).toBe(2);
    expect(unanswered.stderr).toContain('Abort v1 of cli-abort? All traffic goes back to the previous revision. [y/N] ');
    expect(unanswered.stderr).toContain('Not aborted: v1 of cli-abort rolls on (answer y, or pass --yes or --confirm cli-abort)');
    expect((await answering('n\n', 'releases:abort', '-a', 'cli-abort')).code).toBe(2);
    expect((await cli('releases:abort', '-a', 'cli-abort', '--confirm', 'cli-gated')).stderr).toMatch(/--confirm cli-gated does not name the app \(cli-abort\)/);
    expect((await slipway.call<Release>('GET', '/apps/cli-abort/releases/1')).body.status).toBe('pending');

    const abort = await answering('y\n', 'releases:abort', '-a', 'cli-abort');
    expect([abort.code, abort.stdout]).toEqual([0, 'Aborted cli-abort v1: ECS shifts all traffic back to the previous revision; the release ends failed.\n']);

    const run = await following;
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toContainEqual(expect.stringMatching(/^\S+Z cli-abort v1 pending canary 10% until \d\d:\d\d:\d\d: /));
    expect(lines.at(-1)).toMatch(/^\S+Z cli-abort v1 failed after [\d.]+s: Aborted by .+\.$/);
    // A line is printed only when what it says changed.
    const said = lines.map((line) => line.replace(/^\S+ /, ''));
    expect(said.filter((line, index) => line === said[index - 1])).toEqual([]);
  });
});

describe('releases:promote', () => {
  it('cuts a long canary bake short and follows the release to success; approving it afterwards is refused with the reason', async () => {
    await createCanary('cli-hurry', '--canary-bake', '600');
    expect((await cli('deploy', 'registry.local/cli-hurry:v1', '-a', 'cli-hurry')).code).toBe(0);
    await reaching('cli-hurry', 'canary');
    const promote = await cli('releases:promote', 'v1', '-a', 'cli-hurry', '--wait');
    expect(promote.code).toBe(0);
    expect(promote.stdout).toMatch(/^Promoted cli-hurry v1: its bakes and gate are skipped, all production traffic shifts to it now\.\n/);
    expect(promote.stdout).toMatch(/cli-hurry v1 succeeded after [\d.]+s\n$/);

    const late = await cli('releases:approve', 'v1', '-a', 'cli-hurry');
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/409 release_not_at_gate\): Release v1 cannot be approved at its gate: /);
    const none = await cli('releases:promote', '-a', 'cli-hurry');
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('cli-hurry has no release rolling out: name one (v7)')]);
  });
});

describe('apps:deployment', () => {
  it('shows and replaces the strategy; an option the strategy does not take is a usage error, a value out of bounds the API refuses', async () => {
    await createCanary('cli-strategy', '--canary-bake', '5', '--gate-checks', 'ci/smoke,qa/e2e', '--gate-approval');
    const shown = await cli('apps:deployment', '-a', 'cli-strategy');
    expect(shown.stdout).toBe(
      [
        '=== cli-strategy deployment',
        'Strategy:   canary: a share of production traffic first, for its bake, then all of it',
        'Canary:     10% of production traffic for 5 min, then all of it',
        'Final bake: none',
        'Alarms:     none',
        "Gate:       waits for ci/smoke success, qa/e2e success and an operator's approval; rolls back after 60 min",
        '',
      ].join('\n'),
    );

    const set = await cli('apps:deployment:set', '-a', 'cli-strategy', '--strategy', 'linear', '--step-percent', '25', '--step-bake', '2', '--bake', '3', '--alarms', 'cli-5xx,cli-latency', '--json');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ strategy: 'linear', step_percent: 25, step_bake_minutes: 2, bake_minutes: 3, alarms: ['cli-5xx', 'cli-latency'] });
    expect((await slipway.call<{ deployment: unknown }>('GET', '/apps/cli-strategy')).body.deployment).toEqual(JSON.parse(set.stdout));

    const misplaced = await cli('apps:deployment:set', '-a', 'cli-strategy', '--strategy', 'blue_green', '--canary-percent', '10');
    expect([misplaced.code, misplaced.stderr]).toEqual([2, expect.stringContaining('--canary-percent does not apply to --strategy blue_green (only canary)')]);
    const noStrategy = await cli('apps:create', 'cli-nostrategy', '--cluster', 'local', '--service', 'x', '--gate-approval');
    expect([noStrategy.code, noStrategy.stderr]).toEqual([2, expect.stringContaining('--gate-approval sets a deployment strategy\'s setting: give --strategy too')]);
    const outOfBounds = await cli('apps:deployment:set', '-a', 'cli-strategy', '--strategy', 'canary', '--canary-percent', '0.05');
    expect([outOfBounds.code, outOfBounds.stderr]).toEqual([4, expect.stringMatching(/422 validation_failed\): .*canary_percent/)]);
    expect((await cli('apps:info', '-a', 'cli-strategy')).stdout).toMatch(/^Deployment: +linear /m);
  });

  it('and the release actions are listed in --help and completed by the shell', async () => {
    const commands = ['apps:deployment', 'apps:deployment:set', 'releases:approve', 'releases:promote', 'releases:abort'];
    const help = (await cli('--help')).stdout;
    for (const command of commands) expect(help).toMatch(new RegExp(`slipway ${command}\\b`));
    expect((await cli('--get-yargs-completions', 'releases:')).stdout.split('\n')).toEqual(expect.arrayContaining(commands.slice(2)));
    expect((await cli('--get-yargs-completions', 'apps:')).stdout.split('\n')).toEqual(expect.arrayContaining(commands.slice(0, 2)));
    const abortHelp = (await cli('releases:abort', '--help')).stdout;
    expect(abortHelp).toMatch(/--confirm/);
    expect(abortHelp).toMatch(/--yes/);
  });
});
