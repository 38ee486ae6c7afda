import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { subscribe } from '../../shared/events/bus';
import { mutateRelease } from '../../shared/store/releases-store';
import { takeNotedOutboxes } from '../../shared/store/outbox-store';
import { SWEEP_INTERVAL_MS } from '../../local/event-sweeper';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The outbox's promise: an event is committed with its change, so a process that dies between the commit
 * and its own publish cannot lose it (the sweeper publishes it) and a change that was never committed
 * announces nothing. The crash is simulated at the exact point it would hurt: after the conditional write,
 * before the in-request relay (whose noted keys a dead process would have lost).
 */
let slipway: TestSlipway;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startTestSlipway();
  unsubscribe = subscribe(async (event) => {
    seen.push(event);
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

const waitFor = async (condition: () => boolean, ms: number) => {
  for (let waited = 0; waited < ms && !condition(); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
};

describe('the event outbox', () => {
  it('publishes a committed change whose process died before publishing it, through the sweeper', async () => {
    const { app, builds } = await seedApp(slipway, 'outbox-crash', 1);
    const created = await slipway.call<{ id: string; version: number }>('POST', '/apps/outbox-crash/releases', { body: { slug: builds[0] } });
    const appId = (app as { id: string }).id;

    const committedAt = Date.now();
    await mutateRelease(
      appId,
      created.body.version,
      () => ({ status: 'failed', finished_at: new Date().toISOString() }),
      null,
    );
    takeNotedOutboxes(); // the crash: the in-request relay never runs
    expect(seen.some((event) => event.type === 'release.failed')).toBe(false);

    await waitFor(() => seen.some((event) => event.type === 'release.failed'), 4 * SWEEP_INTERVAL_MS);
    const failed = seen.filter((event) => event.type === 'release.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ app: { name: 'outbox-crash' }, actor: null, data: { id: created.body.id, status: 'failed' } });
    expect(Date.now() - committedAt).toBeLessThan(4 * SWEEP_INTERVAL_MS);
  });

  it('announces nothing for a change that was not committed', async () => {
    const { builds } = await seedApp(slipway, 'outbox-refused', 1);
    const refused = await slipway.call('POST', '/apps/outbox-refused/releases', { body: { slug: builds[0], description: 'x'.repeat(5000) } });
    expect(refused.status).toBe(422);
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_INTERVAL_MS));
    expect(seen.filter((event) => event.app?.name === 'outbox-refused').map((event) => event.type)).toEqual(['build.created', 'build.succeeded']);
  });
});
