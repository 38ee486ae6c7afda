import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { freshConfigHome, runCli } from './run-cli';

/** A Slipway without rollouts: releases stay queued, so a wait can only time out. */
let slipway: TestSlipway;
let env: Record<string, string>;
beforeAll(async () => {
  slipway = await startTestSlipway();
  env = { SLIPWAY_URL: slipway.url, SLIPWAY_API_KEY: slipway.adminKey, XDG_CONFIG_HOME: await freshConfigHome(), NO_COLOR: '1' };
});
afterAll(async () => {
  await slipway?.close();
});

it('exits 3 when a rollout does not settle within --timeout, and says how to follow it again', async () => {
  expect((await runCli(['apps:create', 'cli-idle', '--cluster', 'local', '--service', 'idle'], env)).code).toBe(0);
  const run = await runCli(['deploy', 'registry.local/cli-idle:v1', '-a', 'cli-idle', '--wait', '--timeout', '1'], env);
  expect(run.code).toBe(3);
  expect(run.stdout).toMatch(/cli-idle v1 queued\n.*stopped waiting after [\d.]+s\n$/);
  expect(run.stderr).toMatch(/Timed out after 1s .*`slipway releases:wait [0-9a-f-]{36} -a cli-idle` follows it again/);
});
