import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutsOf, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { freshConfigHome, runCli, runCliOnTerminal } from './run-cli';

/**
 * `slipway deploy --wait` on a terminal while ECS brings a 12-task service's new tasks up one by one (the simulator's
 * batch every 4 s, the tasks of a batch apart within it): the bar fills as the release's counts move.
 */
let slipway: TestSlipway;
let env: Record<string, string>;
beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.1, ecs: { batchIntervalMs: 4000 } } });
  env = { SLIPWAY_URL: slipway.url, SLIPWAY_API_KEY: slipway.adminKey, XDG_CONFIG_HOME: await freshConfigHome(), NO_COLOR: '1' };
});
afterAll(async () => {
  await slipway?.close();
});

describe('deploy --wait on a terminal', () => {
  it('advances the progress bar as the new tasks come up, not from empty straight to done', async () => {
    await rolloutsOf(slipway).ecs.ensureService('local', 'cli-fleet', { desiredCount: 12, container: 'cli-fleet' });
    const created = await runCli(['apps:create', 'cli-fleet', '--cluster', 'local', '--service', 'cli-fleet'], env);
    expect(created.code, created.stderr).toBe(0);
    const run = await runCliOnTerminal(['deploy', 'registry.local/cli-fleet:v2', '-a', 'cli-fleet', '--wait'], env);
    expect(run.code).toBe(0);
    const frames = run.stdout.split('\r\u001b[2K').map((frame) => stripVTControlCharacters(frame));
    const states = [...new Set(frames.flatMap((frame) => /^. cli-fleet v1 \w+ ([█░]{20}) /u.exec(frame)?.[1] ?? []))];
    expect(states.length, `bar states drawn: ${states.join(' | ')}`).toBeGreaterThanOrEqual(3);
    // It only ever fills up.
    const filled = states.map((state) => state.replaceAll('░', '').length);
    expect(filled).toEqual([...filled].sort((a, b) => a - b));
    expect(frames.at(-1)).toMatch(/^✔ cli-fleet v1 succeeded after \d+\.\ds/);
  });
});
