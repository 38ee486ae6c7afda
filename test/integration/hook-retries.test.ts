import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { deliverInProcess } from '../../shared/events/bus';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/** A retry window of 400 ms instead of 24 h, through the same configuration `npm start` uses. */
let local: TestSlipway;
beforeAll(async () => {
  local = await startTestSlipway({ hooks: { retry: { baseDelayMs: 20, maxDelayMs: 40, giveUpAfterMs: 400 } } });
});
afterAll(() => local.close());

describe('a receiver that stays down', () => {
  it('gives a delivery up after the retry window, logging its last status and response excerpt, and redelivers it on request', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => (healthy ? { status: 200, body: '{"ok":true}' } : { status: 500, body: '{"error":"down"}' }));
    try {
      const seeded = await seedApp(local, 'flaky', 1);
      const hook = (await local.call('POST', '/apps/flaky/hooks', { body: { url: receiver.url, events: ['*'] } })).body;
      const release = (await local.call('POST', '/apps/flaky/releases', { body: { slug: seeded.builds[0] } })).body;
      const event = { id: randomUUID(), specversion: 1, type: 'release.failed', time: new Date().toISOString(), app: { id: seeded.app.id, name: 'flaky' }, actor: null, data: release } as SlipwayEvent;
      await deliverInProcess([event]);
      // The release's own events reach this catch-all hook too: follow the delivery of this event alone.
      const read = async () =>
        ((await local.call('GET', `/apps/flaky/hooks/${hook.id}/deliveries`)).body as { id: string; outcome: string; attempts: number }[]).filter(
          (delivery) => delivery.id === event.id,
        );
      const [gaveUp = { id: event.id, outcome: 'none', attempts: 0 }] = await waitFor(read, (log) => log[0]?.outcome === 'gave_up');
      expect(gaveUp).toMatchObject({ outcome: 'gave_up', status_code: 500, response_excerpt: '{"error":"down"}', next_attempt_at: null });
      expect(gaveUp.attempts).toBeGreaterThanOrEqual(2);
      healthy = true;
      const redelivered = await local.call('POST', `/apps/flaky/hooks/${hook.id}/deliveries/${event.id}/redeliver`);
      expect(redelivered.status).toBe(200);
      expect(redelivered.body).toMatchObject({ outcome: 'delivered', status_code: 200, attempts: gaveUp.attempts + 1 });
      // The redelivery is the newest attempt of the same log, the failures before it still there.
      const [newest, ...before] = redelivered.body.attempt_log;
      expect(newest).toMatchObject({ status_code: 200, reason: 'redelivery', response_excerpt: '{"ok":true}' });
      expect(before).toHaveLength(Math.min(gaveUp.attempts, 19));
      expect(before.every((attempt: { status_code: number; reason: string }) => attempt.status_code === 500 && attempt.reason === 'scheduled')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

});
