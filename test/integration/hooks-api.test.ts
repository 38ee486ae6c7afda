import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HookPingEvent, type SlipwayEvent } from '../../shared/api/events';
import { AWS_TARGET_POLICY } from '../../shared/domain/outbound-target';
import { verifySignature } from '../../shared/domain/webhook-signature';
import { deliverInProcess } from '../../shared/events/bus';
import { hookWorker } from '../../shared/hooks/runtime';
import { indexDeliveriesOfEveryHook } from '../../shared/operations/release-index';
import { send } from '../../shared/hooks/send';
import { getStore } from '../../shared/store/client';
import { hookKey } from '../../shared/store/keys';
import { startReceiver, waitFor, type ReceivedRequest } from '../support/hook-receiver';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
let app: { id: string; name: string };
let release: Record<string, unknown>;

beforeAll(async () => {
  slipway = await startTestSlipway({ hooks: { retry: { baseDelayMs: 40, maxDelayMs: 200 } } });
  const seeded = await seedApp(slipway, 'hooked');
  app = { id: seeded.app.id, name: seeded.app.name };
  release = (await slipway.call('POST', '/apps/hooked/releases', { body: { slug: seeded.builds[0] } })).body;
});
afterAll(() => slipway.close());

const releaseEvent = (type: 'release.succeeded' | 'release.failed' = 'release.succeeded'): SlipwayEvent =>
  ({
    id: randomUUID(),
    specversion: 1,
    type,
    time: new Date().toISOString(),
    app,
    actor: { id: randomUUID(), email: 'ops@example.com' },
    data: release,
  }) as SlipwayEvent;

const deliveriesOf = async (hookId: string) => (await slipway.call('GET', `/apps/hooked/hooks/${hookId}/deliveries`)).body;

describe('webhooks', () => {
  it('retries a receiver that fails 3 times, then delivers the envelope, which a Standard Webhooks library verifies, and logs every attempt', async () => {
    const receiver = await startReceiver((_request, index) => (index < 3 ? { status: 503, body: '{"busy":true}' } : { status: 204 }));
    try {
      const created = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: `${receiver.url}/slipway`, events: ['release.succeeded'] } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ secret: expect.stringMatching(/^whsec_/), legacy_signature: false, previous_secret_expires_at: null });
      const event = releaseEvent();
      await deliverInProcess([event, releaseEvent('release.failed')]);
      const [delivery] = await waitFor(() => deliveriesOf(created.body.id), (log) => log[0]?.outcome === 'delivered');
      expect(delivery).toMatchObject({ id: event.id, event: { id: event.id, type: 'release.succeeded' }, attempts: 4, outcome: 'delivered', status_code: 204, next_attempt_at: null });
      // Every attempt, newest first: the three failures too, each with when, what came back and how long it took.
      expect(delivery.attempt_log).toMatchObject([
        { status_code: 204, error: null, response_excerpt: '', reason: 'scheduled' },
        ...Array.from({ length: 3 }, () => ({ status_code: 503, error: null, response_excerpt: '{"busy":true}', reason: 'scheduled' })),
      ]);
      const times = delivery.attempt_log.map((attempt: { at: string }) => Date.parse(attempt.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(new Set(times).size).toBe(4);
      for (const attempt of delivery.attempt_log) expect(attempt.duration_ms).toEqual(expect.any(Number));
      expect(receiver.received).toHaveLength(4);
      const last = receiver.received[3] as ReceivedRequest;
      expect(last).toMatchObject({ method: 'POST', path: '/slipway', headers: { 'webhook-id': event.id, 'webhook-timestamp': expect.stringMatching(/^\d+$/) } });
      // As a receiver built with the standardwebhooks package checks it, with the secret exactly as it was shown.
      const receiverSide = new Webhook(created.body.secret);
      const headers = last.headers as Record<string, string>;
      expect(receiverSide.verify(last.body, headers)).toEqual(event);
      expect(() => receiverSide.verify(last.body.replace('"release.succeeded"', '"release.failed"'), headers)).toThrow(/No matching signature/);
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(last.body, headers)).toThrow(/No matching signature/);
      // The same request replayed six minutes later is refused for its timestamp.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 });
      try {
        expect(() => receiverSide.verify(last.body, headers)).toThrow(/timestamp too old/);
      } finally {
        vi.useRealTimers();
      }
      // A hook made now has no need of Slipway's own headers.
      expect(Object.keys(last.headers).filter((name) => name.startsWith('slipway-'))).toEqual([]);
      // The same event handed over again (the bus delivers at least once) is not sent again.
      await deliverInProcess([event]);
      expect(receiver.received).toHaveLength(4);
    } finally {
      await receiver.close();
    }
  });

  it('delivers the event a real release commits (through the outbox and the in-process bus), signed', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const created = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: receiver.url, events: ['release.created'] } });
      const builds = (await slipway.call('GET', '/apps/hooked/builds')).body;
      const made = await slipway.call('POST', '/apps/hooked/releases', { body: { slug: builds[1].id } });
      expect(made.status).toBe(201);
      const received = await waitFor(async () => receiver.received, (list) => list.length > 0);
      const body = new Webhook(created.body.secret).verify(received[0]?.body ?? '', received[0]?.headers as Record<string, string>);
      expect(body).toMatchObject({ type: 'release.created', app: { name: 'hooked' }, data: { id: made.body.id } });
      await slipway.call('DELETE', `/apps/hooked/hooks/${created.body.id}`);
    } finally {
      await receiver.close();
    }
  });

  it('keeps signing a hook made before Standard Webhooks as its receiver expects, and with Standard Webhooks under the secret it has', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      // A hook as Slipway stored it before: no secret encoding, no legacy_signature, a base64url secret.
      const id = randomUUID();
      const oldSecret = 'whsec_Zm9vYmFy-_b2xkLXN0eWxlLXNlY3JldA_-x';
      const at = new Date().toISOString();
      const { client, tableName } = getStore();
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...hookKey(app.id, id),
            type: 'hook',
            ...{ id, app_id: app.id, kind: 'webhook', url: receiver.url, events: ['release.succeeded'], active: true, options: {}, created_at: at, updated_at: at },
            secret_sealed: await hookWorker().secrets.seal(oldSecret),
          },
        }),
      );
      expect((await slipway.call('GET', `/apps/hooked/hooks/${id}`)).body).toMatchObject({ legacy_signature: true, has_secret: true });
      const event = releaseEvent();
      await deliverInProcess([event]);
      const [first] = await waitFor(async () => receiver.received, (list) => list.length === 1);
      const headers = first?.headers as Record<string, string>;
      // Its receiver keeps working unchanged…
      expect(headers).toMatchObject({ 'slipway-event': 'release.succeeded', 'slipway-event-id': event.id });
      expect(verifySignature(oldSecret, headers['slipway-signature'] ?? '', first?.body ?? '', Math.floor(Date.now() / 1000))).toBe(true);
      // …and one moved to a Standard Webhooks library takes the same secret as whsec_ + the base64 of its text.
      expect(new Webhook(`whsec_${Buffer.from(oldSecret).toString('base64')}`).verify(first?.body ?? '', headers)).toEqual(event);

      // Once moved, its owner turns the legacy headers off.
      const patched = await slipway.call('PATCH', `/apps/hooked/hooks/${id}`, { body: { legacy_signature: false } });
      expect(patched).toMatchObject({ status: 200, body: { legacy_signature: false } });
      await deliverInProcess([releaseEvent()]);
      const [, second] = await waitFor(async () => receiver.received, (list) => list.length === 2);
      expect(Object.keys(second?.headers ?? {}).filter((name) => name.startsWith('slipway-'))).toEqual([]);
      expect(new Webhook(`whsec_${Buffer.from(oldSecret).toString('base64')}`).verify(second?.body ?? '', second?.headers as Record<string, string>)).toBeTruthy();
      await slipway.call('DELETE', `/apps/hooked/hooks/${id}`);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a webhook secret a Standard Webhooks library could not take, naming the field', async () => {
    const before = (await slipway.call('GET', '/apps/hooked/hooks')).body.length;
    for (const secret of ['my-own-secret', `whsec_${Buffer.alloc(32, 251).toString('base64url')}`, `whsec_${Buffer.alloc(16, 1).toString('base64')}`]) {
      const refused = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/x', events: ['*'], secret } });
      expect(refused.status, secret).toBe(422);
      expect(refused.body.error, secret).toMatchObject({ code: 'hook_secret_invalid', details: { field: 'secret' } });
    }
    expect((await slipway.call('GET', '/apps/hooked/hooks')).body).toHaveLength(before);
    const grafana = await slipway.call('POST', '/apps/hooked/hooks', { body: { kind: 'grafana', url: 'http://127.0.0.1:9/', events: ['*'], secret: 'glsa_any-vendor-token' } });
    expect(grafana.status).toBe(201);
    expect((await slipway.call('PATCH', `/apps/hooked/hooks/${grafana.body.id}`, { body: { legacy_signature: true } })).body.error).toMatchObject({
      code: 'hook_legacy_signature_not_webhook',
    });
    await slipway.call('DELETE', `/apps/hooked/hooks/${grafana.body.id}`);
  });

  it('rotates a secret with no delivery failing: the old one signs beside the new for the window asked, then stops', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const created = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: receiver.url, events: ['release.succeeded'] } });
      const developer = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/rotate-secret`, { key: await slipway.keyFor('developer') });
      expect(developer.status).toBe(403);
      const rotated = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/rotate-secret`, { body: { previous_secret_valid_seconds: 3600 } });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(3500_000);
      expect((await slipway.call('GET', `/apps/hooked/hooks/${created.body.id}`)).body.previous_secret_expires_at).toBe(rotated.body.previous_secret_expires_at);

      await deliverInProcess([releaseEvent()]);
      const [during] = await waitFor(async () => receiver.received, (list) => list.length === 1);
      const headers = during?.headers as Record<string, string>;
      expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
      // A receiver still on the old secret and one already on the new both take it.
      expect(new Webhook(created.body.secret).verify(during?.body ?? '', headers)).toBeTruthy();
      expect(new Webhook(rotated.body.secret).verify(during?.body ?? '', headers)).toBeTruthy();

      // A rotation that keeps nothing: only the newest secret signs, the ones before no longer do.
      const now = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/rotate-secret`, { body: { previous_secret_valid_seconds: 0 } });
      expect(now.body.previous_secret_expires_at).toBeNull();
      await deliverInProcess([releaseEvent()]);
      const [, after] = await waitFor(async () => receiver.received, (list) => list.length === 2);
      const afterHeaders = after?.headers as Record<string, string>;
      expect(new Webhook(now.body.secret).verify(after?.body ?? '', afterHeaders)).toBeTruthy();
      for (const old of [created.body.secret, rotated.body.secret]) expect(() => new Webhook(old).verify(after?.body ?? '', afterHeaders)).toThrow(/No matching signature/);

      // A secret of one's own must be a Standard Webhooks secret; a vendor token is not rotated here.
      const mine = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/rotate-secret`, { body: { secret: 'my-own-secret' } });
      expect(mine.body.error).toMatchObject({ code: 'hook_secret_invalid', details: { field: 'secret' } });
      const slack = await slipway.call('POST', '/apps/hooked/hooks', { body: { kind: 'grafana', url: 'http://127.0.0.1:9/', events: ['*'], secret: 'glsa_token' } });
      const vendor = await slipway.call('POST', `/apps/hooked/hooks/${slack.body.id}/rotate-secret`);
      expect(vendor).toMatchObject({ status: 422, body: { error: { code: 'hook_secret_not_rotatable' } } });
      for (const id of [created.body.id, slack.body.id]) await slipway.call('DELETE', `/apps/hooked/hooks/${id}`);
    } finally {
      await receiver.close();
    }
  });

  it("pings a webhook now, once, answering with the receiver's status, and logs it as a delivery", async () => {
    let status = 503;
    const receiver = await startReceiver(() => ({ status, body: status === 200 ? '{"pong":true}' : '{"error":"down"}' }));
    try {
      const created = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: `${receiver.url}/in`, events: ['release.succeeded'] } });
      const failed = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/ping`);
      expect(failed).toMatchObject({
        status: 200,
        body: { event: { type: 'ping' }, attempts: 1, outcome: 'gave_up', status_code: 503, response_excerpt: '{"error":"down"}', next_attempt_at: null },
      });
      expect(receiver.received).toHaveLength(1);
      const ping = new Webhook(created.body.secret).verify(receiver.received[0]?.body ?? '', receiver.received[0]?.headers as Record<string, string>);
      expect(ping).toMatchObject({ id: failed.body.id, type: 'ping', app: { name: 'hooked' }, actor: { email: expect.any(String) }, data: { hook: { id: created.body.id } } });
      expect(HookPingEvent.safeParse(ping).success).toBe(true);

      status = 200;
      const ok = await slipway.call('POST', `/apps/hooked/hooks/${created.body.id}/ping`);
      expect(ok.body).toMatchObject({ outcome: 'delivered', status_code: 200, response_excerpt: '{"pong":true}' });
      const log = await deliveriesOf(created.body.id);
      expect(log.map((delivery: { id: string }) => delivery.id).sort()).toEqual([failed.body.id, ok.body.id].sort());
      // Never retried by itself: the failed ping stays one attempt.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.received).toHaveLength(2);

      const sentry = await slipway.call('POST', '/apps/hooked/hooks', { body: { kind: 'sentry', url: `${receiver.url}/`, events: ['release.succeeded'], secret: 'sntrys_token', options: { project: 'web' } } });
      const refused = await slipway.call('POST', `/apps/hooked/hooks/${sentry.body.id}/ping`);
      expect(refused).toMatchObject({ status: 422, body: { error: { code: 'hook_ping_unsupported', details: { kind: 'sentry' } } } });
      expect(receiver.received).toHaveLength(2);
      for (const id of [created.body.id, sentry.body.id]) await slipway.call('DELETE', `/apps/hooked/hooks/${id}`);
    } finally {
      await receiver.close();
    }
  });

  it('logs an attempt that got no answer with its error, and pages the delivery log with a cursor, newest first', async () => {
    const down = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/nobody-listens', events: ['release.succeeded'] } });
    const ping = await slipway.call('POST', `/apps/hooked/hooks/${down.body.id}/ping`);
    expect(ping.body.attempt_log).toEqual([
      { at: expect.any(String), status_code: null, error: expect.stringMatching(/ECONNREFUSED/), duration_ms: expect.any(Number), response_excerpt: '', reason: 'ping' },
    ]);
    await slipway.call('DELETE', `/apps/hooked/hooks/${down.body.id}`);

    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const hook = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: receiver.url, events: ['release.succeeded'] } });
      const sent: string[] = [];
      for (let index = 0; index < 5; index++) {
        const event = releaseEvent();
        sent.push(event.id);
        await deliverInProcess([event]);
        await waitFor(async () => receiver.received, (list) => list.length === index + 1);
      }
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof slipway.call>> = await slipway.call('GET', `/apps/hooked/hooks/${hook.body.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        pages.push((page.body as { id: string }[]).map((delivery) => delivery.id));
        cursor = page.headers.get('next-cursor');
      } while (cursor && pages.length < 10);
      expect(pages).toEqual([sent.slice(3).reverse(), sent.slice(1, 3).reverse(), [sent[0]]]);
      const refused = await slipway.call('GET', `/apps/hooked/hooks/${hook.body.id}/deliveries?cursor=not-one-of-ours`);
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor' } } });
      await slipway.call('DELETE', `/apps/hooked/hooks/${hook.body.id}`);
    } finally {
      await receiver.close();
    }
  });

  it('lists a delivery recorded before every attempt was kept, as a log of its last attempt, once the upgrade step indexed it', async () => {
    const hook = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/old', events: ['release.succeeded'] } });
    const event = releaseEvent();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    // The item as the store wrote deliveries before: its last attempt only (the excerpt saying what went wrong), no time key.
    await getStore().client.send(
      new PutCommand({
        TableName: getStore().tableName,
        Item: {
          pk: `HOOK#${hook.body.id}`,
          sk: `DELIVERY#${event.id}`,
          type: 'hook_delivery',
          ...{ id: event.id, hook_id: hook.body.id, event_id: event.id, event_type: event.type, event, attempts: 3, outcome: 'gave_up', next_attempt_at: null, created_at: at },
          last: { at, status_code: 502, duration_ms: 31, response_excerpt: 'Bad Gateway' },
        },
      }),
    );
    expect(await deliveriesOf(hook.body.id)).toEqual([]);
    const reported: string[] = [];
    expect(await indexDeliveriesOfEveryHook((app, count) => reported.push(`${app}:${count}`))).toBeGreaterThanOrEqual(1);
    expect(reported).toContain('hooked:1');
    expect(await deliveriesOf(hook.body.id)).toEqual([
      expect.objectContaining({
        id: event.id,
        attempts: 3,
        outcome: 'gave_up',
        status_code: 502,
        response_excerpt: 'Bad Gateway',
        attempt_log: [{ at, status_code: 502, error: null, duration_ms: 31, response_excerpt: 'Bad Gateway', reason: 'scheduled' }],
      }),
    ]);
    expect(await indexDeliveriesOfEveryHook(() => undefined)).toBe(0);
    await slipway.call('DELETE', `/apps/hooked/hooks/${hook.body.id}`);
  });

  it('never returns a secret after creation; reading needs read, managing an operator or admin key', async () => {
    const mine = `whsec_${Buffer.alloc(32, 'my-own-secret').toString('base64')}`;
    const created = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/x', events: ['*'], secret: mine } });
    expect(created.body.secret).toBe(mine);
    const read = await slipway.call('GET', `/apps/hooked/hooks/${created.body.id}`, { key: await slipway.keyFor('developer') });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ has_secret: true, active: true, kind: 'webhook' });
    expect(JSON.stringify(read.body)).not.toContain(mine);
    expect(JSON.stringify((await slipway.call('GET', '/apps/hooked/hooks')).body)).not.toContain(mine);
    const developer = await slipway.call('PATCH', `/apps/hooked/hooks/${created.body.id}`, { body: { active: false }, key: await slipway.keyFor('developer') });
    expect(developer.status).toBe(403);
    const operator = await slipway.call('PATCH', `/apps/hooked/hooks/${created.body.id}`, { body: { active: false }, key: await slipway.keyFor('operator') });
    expect(operator).toMatchObject({ status: 200, body: { active: false } });
    expect((await slipway.call('DELETE', `/apps/hooked/hooks/${created.body.id}`)).status).toBe(200);
    expect((await slipway.call('GET', `/apps/hooked/hooks/${created.body.id}`)).status).toBe(404);
  });

  it("shows a hook's whole URL only to keys that may manage hooks; the others see its origin", async () => {
    const slack = await slipway.call('POST', '/apps/hooked/hooks', { body: { kind: 'slack', url: 'http://127.0.0.1:9/services/T0001/B0002/Cred3ntial', events: ['*'] } });
    const tokened = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/in?token=t0psecret', events: ['*'] } });
    const bare = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/', events: ['*'] } });
    try {
      expect(slack.body).toMatchObject({ url: 'http://127.0.0.1:9/services/T0001/B0002/Cred3ntial', url_redacted: false });
      for (const role of ['developer', 'pipeline'] as const) {
        const key = await slipway.keyFor(role);
        const one = await slipway.call('GET', `/apps/hooked/hooks/${slack.body.id}`, { key });
        expect(one.body, role).toMatchObject({ kind: 'slack', url: 'http://127.0.0.1:9/…', url_redacted: true });
        const list = await slipway.call('GET', '/apps/hooked/hooks', { key });
        expect(JSON.stringify(list.body), role).not.toMatch(/Cred3ntial|T0001|t0psecret/);
        const shown = Object.fromEntries(list.body.map((hook: { id: string; url: string }) => [hook.id, hook.url]));
        expect(shown[tokened.body.id]).toBe('http://127.0.0.1:9/…');
        expect(shown[bare.body.id]).toBe('http://127.0.0.1:9');
      }
      const operator = await slipway.call('GET', `/apps/hooked/hooks/${slack.body.id}`, { key: await slipway.keyFor('operator', ['hooked']) });
      expect(operator.body).toMatchObject({ url: 'http://127.0.0.1:9/services/T0001/B0002/Cred3ntial', url_redacted: false });
    } finally {
      for (const hook of [slack, tokened, bare]) await slipway.call('DELETE', `/apps/hooked/hooks/${hook.body.id}`);
    }
  });

  it("never sends a hook's token to a new URL: moving a hook takes its secret again (422 naming the field), else it goes where it went", async () => {
    const admins = await startReceiver(() => ({ status: 200 }));
    const theirs = await startReceiver(() => ({ status: 200 }));
    try {
      const grafana = await slipway.call('POST', '/apps/hooked/hooks', {
        body: { kind: 'grafana', url: `${admins.url}/`, events: ['release.succeeded'], secret: 'glsa_admins_token' },
      });
      const operator = await slipway.keyFor('operator', ['hooked']);
      const moved = await slipway.call('PATCH', `/apps/hooked/hooks/${grafana.body.id}`, { body: { url: `${theirs.url}/` }, key: operator });
      expect(moved.status).toBe(422);
      expect(moved.body.error).toMatchObject({ code: 'hook_secret_required', details: { field: 'secret' } });
      expect(moved.body.error.message).toMatch(/send "secret" along with the new "url"/);
      expect((await slipway.call('GET', `/apps/hooked/hooks/${grafana.body.id}`)).body.url).toBe(`${admins.url}/`);
      // The same URL again, or any other change, needs no secret.
      expect((await slipway.call('PATCH', `/apps/hooked/hooks/${grafana.body.id}`, { body: { url: `${admins.url}/`, active: true }, key: operator })).status).toBe(200);
      await deliverInProcess([releaseEvent()]);
      await waitFor(async () => admins.received, (list) => list.length === 1);
      expect(admins.received[0]?.headers.authorization).toBe('Bearer glsa_admins_token');

      // With a token of their own the hook moves, and only that token goes there.
      const withToken = await slipway.call('PATCH', `/apps/hooked/hooks/${grafana.body.id}`, { body: { url: `${theirs.url}/`, secret: 'glsa_their_token' }, key: operator });
      expect(withToken).toMatchObject({ status: 200, body: { url: `${theirs.url}/`, has_secret: true } });
      await deliverInProcess([releaseEvent()]);
      await waitFor(async () => theirs.received, (list) => list.length === 1);
      expect(theirs.received.map((request) => request.headers.authorization)).toEqual(['Bearer glsa_their_token']);
      expect(admins.received).toHaveLength(1);
      await slipway.call('DELETE', `/apps/hooked/hooks/${grafana.body.id}`);
    } finally {
      await admins.close();
      await theirs.close();
    }
  });

  it("a webhook's signing secret follows its URL too; a Slack hook, which has none, moves freely", async () => {
    const webhook = await slipway.call('POST', '/apps/hooked/hooks', { body: { url: 'http://127.0.0.1:9/old', events: ['*'] } });
    const refused = await slipway.call('PATCH', `/apps/hooked/hooks/${webhook.body.id}`, { body: { url: 'http://127.0.0.1:9/new' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'hook_secret_required', details: { field: 'secret' } });
    expect(refused.body.error.message).toMatch(/signing secret/);
    expect((await slipway.call('PATCH', `/apps/hooked/hooks/${webhook.body.id}`, { body: { url: 'http://127.0.0.1:9/new', secret: `whsec_${Buffer.alloc(32, 'new').toString('base64')}` } })).status).toBe(200);
    const slack = await slipway.call('POST', '/apps/hooked/hooks', { body: { kind: 'slack', url: 'http://127.0.0.1:9/services/A', events: ['*'] } });
    const movedSlack = await slipway.call('PATCH', `/apps/hooked/hooks/${slack.body.id}`, { body: { url: 'http://127.0.0.1:9/services/B' } });
    expect(movedSlack).toMatchObject({ status: 200, body: { url: 'http://127.0.0.1:9/services/B', has_secret: false } });
    for (const hook of [webhook, slack]) await slipway.call('DELETE', `/apps/hooked/hooks/${hook.body.id}`);
  });

  it('refuses bad hooks with a 4xx JSON error and stores nothing', async () => {
    const before = (await slipway.call('GET', '/apps/hooked/hooks')).body.length;
    for (const body of [
      { url: 'ftp://127.0.0.1/x', events: ['*'] },
      { url: 'http://127.0.0.1/x', events: ['release.exploded'] },
      { url: 'http://127.0.0.1/x', events: [] },
      { kind: 'sentry', url: 'http://127.0.0.1/api/0/organizations/acme/', events: ['*'], secret: 'sntrys_token' },
      { kind: 'grafana', url: 'http://127.0.0.1/', events: ['*'] },
      { url: 'http://127.0.0.1/x', events: ['*'], surprise: true },
    ]) {
      const answer = await slipway.call('POST', '/apps/hooked/hooks', { body });
      expect(answer.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(body)).toBeLessThan(500);
      expect(answer.body.error.code).toEqual(expect.any(String));
    }
    expect((await slipway.call('GET', '/apps/hooked/hooks')).body).toHaveLength(before);
  });
});

describe('outbound targets in the AWS configuration', () => {
  it('refuses a name that resolves to a loopback address, and plain http, without connecting', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const request = { method: 'POST' as const, headers: {}, body: '{}' };
      const viaName = await send(AWS_TARGET_POLICY, { ...request, url: `https://localhost:${receiver.port}/hook` });
      expect(viaName).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: localhost resolves to (127\.0\.0\.1|::1)/) });
      const viaAddress = await send(AWS_TARGET_POLICY, { ...request, url: `https://10.0.0.8/hook` });
      expect(viaAddress.error).toMatch(/10\.0\.0\.8, a private/);
      const plain = await send(AWS_TARGET_POLICY, { ...request, url: `${receiver.url}/hook` });
      expect(plain.error).toBe('refused: the URL must use https');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
