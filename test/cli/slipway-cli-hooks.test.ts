import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { deliverInProcess } from '../../shared/events/bus';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { freshConfigHome, runCli } from './run-cli';

/** `slipway hooks` and `hooks:deliveries` as a separate process against a local Slipway whose retries come fast. */
let slipway: TestSlipway;
let env: Record<string, string>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let hookId: string;
const sent: string[] = [];

beforeAll(async () => {
  slipway = await startTestSlipway({ hooks: { retry: { baseDelayMs: 20, maxDelayMs: 40 } } });
  env = { SLIPWAY_URL: slipway.url, SLIPWAY_API_KEY: slipway.adminKey, XDG_CONFIG_HOME: await freshConfigHome(), NO_COLOR: '1' };
  const { app } = await seedApp(slipway, 'cli-hooked', 0);
  // Each event's first two attempts fail (500, then no answer body a receiver could parse), the third is taken.
  const seen = new Map<string, number>();
  receiver = await startReceiver((request) => {
    const id = String(request.headers['webhook-id']);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    return count < 3 ? { status: 500, body: '{"error":"busy"}' } : { status: 200, body: '{"ok":true}' };
  });
  hookId = (await slipway.call('POST', '/apps/cli-hooked/hooks', { body: { url: `${receiver.url}/in`, events: ['build.created'] } })).body.id;
  for (let index = 0; index < 2; index++) {
    const event = { id: randomUUID(), specversion: 1, type: 'build.created', time: new Date().toISOString(), app: { id: app.id, name: 'cli-hooked' }, actor: null, data: {} };
    sent.push(event.id);
    await deliverInProcess([event as unknown as SlipwayEvent]);
    await waitFor(async () => receiver.received, (list) => list.length === 3 * (index + 1));
  }
  await waitFor(
    async () => (await slipway.call('GET', `/apps/cli-hooked/hooks/${hookId}/deliveries`)).body as { outcome: string }[],
    (log) => log.every((delivery) => delivery.outcome === 'delivered'),
  );
});
afterAll(async () => {
  await receiver?.close();
  await slipway?.close();
});

const cli = (...args: string[]) => runCli(args, env);

describe('slipway hooks', () => {
  it("lists an app's hooks", async () => {
    const run = await cli('hooks', '-a', 'cli-hooked');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${hookId}\\s+webhook\\s+build\\.created\\s+${receiver.url}/in\\s+yes$`, 'm'));
  });

  it('shows each delivery with every attempt it kept, the failures before the success included', async () => {
    const run = await cli('hooks:deliveries', hookId, '-a', 'cli-hooked');
    expect(run.code, run.stderr).toBe(0);
    const [newest, older] = run.stdout.split(/^=== /m).filter(Boolean);
    expect(newest).toMatch(new RegExp(`^build\\.created ${sent[1]} delivered \\(3 attempts\\)`));
    const rows = (newest ?? '').split('\n').filter((line) => /^\d{4}-/.test(line));
    expect(rows.map((row) => row.split(/\s+/).slice(1, 3))).toEqual([
      ['scheduled', '200'],
      ['scheduled', '500'],
      ['scheduled', '500'],
    ]);
    expect(rows[0]).toMatch(/\d+ms\s+\{"ok":true\}$/);
    expect(rows[2]).toMatch(/\{"error":"busy"\}$/);
    expect(older).toMatch(new RegExp(`^build\\.created ${sent[0]} delivered \\(3 attempts\\)`));
  });

  it('pages with --limit and --cursor, and prints the API objects with --json', async () => {
    const first = await cli('hooks:deliveries', hookId, '-a', 'cli-hooked', '--limit', '1');
    const cursor = /^Older deliveries follow: --cursor (\S+)$/m.exec(first.stdout)?.[1];
    expect(first.stdout).toContain(sent[1]);
    expect(cursor).toEqual(expect.any(String));
    const second = await cli('hooks:deliveries', hookId, '-a', 'cli-hooked', '--limit', '1', '--cursor', String(cursor), '--json');
    const deliveries = JSON.parse(second.stdout) as { id: string; attempt_log: { status_code: number }[] }[];
    expect(deliveries.map((delivery) => delivery.id)).toEqual([sent[0]]);
    expect(deliveries[0]?.attempt_log.map((attempt) => attempt.status_code)).toEqual([200, 500, 500]);
  });
});
