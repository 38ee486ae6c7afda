import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  KIND_EVENTS,
  assertSecretFollowsUrl,
  hookWants,
  isDelivered,
  nextAttemptAt,
  redactedHookUrl,
  subscribedEvents,
  truncatedUtf8,
  withAttempt,
  type DeliveryAttempt,
} from '../../shared/domain/hooks';
import { AWS_TARGET_POLICY, LOCAL_TARGET_POLICY, addressRefusal, isInternalAddress, urlRefusal } from '../../shared/domain/outbound-target';
import { Webhook } from 'standardwebhooks';
import {
  isStandardSecret,
  newStandardSecret,
  signatureHeader,
  signingSecretOf,
  standardHeaders,
  standardSecretOf,
  verifySignature,
} from '../../shared/domain/webhook-signature';

describe('which events a hook receives', () => {
  it('gets the types it lists, or all with *, and nothing while inactive', () => {
    expect(hookWants({ kind: 'webhook', active: true, events: ['release.succeeded'] }, 'release.succeeded')).toBe(true);
    expect(hookWants({ kind: 'webhook', active: true, events: ['release.succeeded'] }, 'release.failed')).toBe(false);
    expect(hookWants({ kind: 'webhook', active: true, events: ['*'] }, 'build.created')).toBe(true);
    expect(hookWants({ kind: 'webhook', active: false, events: ['*'] }, 'build.created')).toBe(false);
  });

  it("gives an integration only the events its vendor means, whatever a hook stored before lists", () => {
    expect(hookWants({ kind: 'sentry', active: true, events: ['*'] }, 'build.created')).toBe(false);
    expect(hookWants({ kind: 'sentry', active: true, events: ['*'] }, 'release.failed')).toBe(false);
    expect(hookWants({ kind: 'sentry', active: true, events: ['*'] }, 'release.succeeded')).toBe(true);
    expect(hookWants({ kind: 'bugsnag', active: true, events: ['release.failed'] }, 'release.failed')).toBe(false);
    expect(hookWants({ kind: 'slack', active: true, events: ['*'] }, 'release.failed')).toBe(true);
    expect(hookWants({ kind: 'grafana', active: true, events: ['*'] }, 'release.unknown')).toBe(true);
  });

  it("subscribes a hook asked for no events, or *, to its kind's set, and refuses others naming them", () => {
    expect(subscribedEvents('webhook', undefined)).toEqual(['*']);
    expect(subscribedEvents('sentry', undefined)).toEqual([...KIND_EVENTS.sentry]);
    expect(subscribedEvents('grafana', ['*'])).toEqual(['release.succeeded', 'release.failed', 'release.unknown']);
    expect(subscribedEvents('slack', ['release.failed'])).toEqual(['release.failed']);
    expect(() => subscribedEvents('sentry', ['release.succeeded', 'build.created', 'release.failed'])).toThrow(
      expect.objectContaining({ code: 'hook_events_not_for_kind', details: expect.objectContaining({ events: ['build.created', 'release.failed'] }) }),
    );
  });
});

describe('a hook URL as a key that may not manage hooks sees it', () => {
  it('keeps the origin and hides any path, query or fragment, which may be the credential', () => {
    expect(redactedHookUrl('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('https://hooks.slack.com/…');
    expect(redactedHookUrl('https://ci.example.com:8443/hook?token=abc')).toBe('https://ci.example.com:8443/…');
    expect(redactedHookUrl('https://ci.example.com/?token=abc')).toBe('https://ci.example.com/…');
    expect(redactedHookUrl('https://ci.example.com/#frag')).toBe('https://ci.example.com/…');
    expect(redactedHookUrl('https://grafana.example.com/')).toBe('https://grafana.example.com');
    expect(redactedHookUrl('not a url')).toBe('/…');
  });
});

describe('moving a hook to another URL', () => {
  const grafana = { kind: 'grafana' as const, url: 'https://grafana.example.com/' };

  it('takes its secret again, naming the field, when the hook has one', () => {
    expect(() => assertSecretFollowsUrl(grafana, true, { url: 'https://elsewhere.example.com/' })).toThrow(
      expect.objectContaining({ kind: 'unprocessable', code: 'hook_secret_required', details: { field: 'secret' } }),
    );
    expect(() => assertSecretFollowsUrl({ kind: 'webhook', url: 'https://a.example.com/' }, true, { url: 'https://b.example.com/', active: false })).toThrow(/signing secret/);
    expect(() => assertSecretFollowsUrl(grafana, true, { url: 'https://elsewhere.example.com/', secret: 'glsa_new' })).not.toThrow();
  });

  it('needs nothing more for the URL it has, for other changes, or for a hook without a secret', () => {
    expect(() => assertSecretFollowsUrl(grafana, true, { url: grafana.url })).not.toThrow();
    expect(() => assertSecretFollowsUrl(grafana, true, { active: false, options: { tags: 'x' } })).not.toThrow();
    expect(() => assertSecretFollowsUrl({ kind: 'slack', url: 'https://hooks.slack.com/services/A' }, false, { url: 'https://hooks.slack.com/services/B' })).not.toThrow();
  });
});

describe('the attempt log of a delivery', () => {
  const attempt = (index: number, excerpt = ''): DeliveryAttempt => ({
    at: new Date(Date.UTC(2026, 10, 30, 0, 0, index)).toISOString(),
    status_code: 500,
    error: null,
    duration_ms: index,
    response_excerpt: excerpt,
    reason: 'scheduled',
  });

  it('keeps the newest 20 attempts, oldest first', () => {
    const log = Array.from({ length: 25 }, (_, index) => index).reduce<DeliveryAttempt[]>((kept, index) => withAttempt(kept, attempt(index)), []);
    expect(log.map((entry) => entry.duration_ms)).toEqual(Array.from({ length: 20 }, (_, index) => index + 5));
  });

  it('bounds each answer and error to a KiB of UTF-8, never cutting a character', () => {
    const [entry] = withAttempt([], { ...attempt(0, 'é'.repeat(2000)), error: '€'.repeat(1000) });
    expect(Buffer.byteLength(entry?.response_excerpt ?? '')).toBe(1024);
    expect(entry?.response_excerpt).toBe('é'.repeat(512));
    expect(Buffer.byteLength(entry?.error ?? '')).toBeLessThanOrEqual(1024);
    expect(entry?.error).toBe('€'.repeat(341));
    expect(truncatedUtf8('short', 1024)).toBe('short');
  });
});

describe('retry schedule', () => {
  const start = new Date('2026-11-30T00:00:00.000Z');

  it('backs off exponentially, with jitter between half and all of the bound', () => {
    const delays = [1, 2, 3, 4].map((attempts) => (nextAttemptAt(DEFAULT_RETRY_POLICY, start, attempts, start, 0)?.getTime() ?? 0) - start.getTime());
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000]);
    const jittered = (nextAttemptAt(DEFAULT_RETRY_POLICY, start, 1, start, 0.999)?.getTime() ?? 0) - start.getTime();
    expect(jittered).toBeGreaterThan(9_900);
    expect(jittered).toBeLessThan(10_000);
  });

  it('never waits more than the cap, and gives up after 24 hours', () => {
    const late = new Date(start.getTime() + 10 * 3_600_000);
    expect((nextAttemptAt(DEFAULT_RETRY_POLICY, start, 30, late, 1)?.getTime() ?? 0) - late.getTime()).toBe(3_600_000);
    const almostDay = new Date(start.getTime() + 86_000_000);
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, start, 30, almostDay, 0.5)).toBeNull();
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([null, 301, 404, 500].some(isDelivered)).toBe(false);
  });
});

describe('Standard Webhooks signatures', () => {
  const body = '{"id":"e1","type":"release.succeeded"}';
  const now = () => Math.floor(Date.now() / 1000);

  it('makes secrets a Standard Webhooks library takes as they are, and signs so that it verifies them', () => {
    const secret = newStandardSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = standardHeaders([signingSecretOf(secret, 'standard').key], 'e1', now(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newStandardSecret()).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'e2' })).toThrow(/No matching signature/);
  });

  it('signs with every key given, space-separated, so either secret verifies during a rotation', () => {
    const [current, previous] = [newStandardSecret(), newStandardSecret()];
    const headers = standardHeaders([current, previous].map((secret) => signingSecretOf(secret, 'standard').key), 'e1', now(), body);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });

  it("keys a secret stored before as its text, whose Standard Webhooks form is whsec_ and the text's base64", () => {
    const old = 'whsec_Ab-_cd3fGh1jKl2mNo3pQr4sTu5vWx6y';
    const stored = signingSecretOf(old, 'text');
    expect(stored.key.equals(Buffer.from(old, 'utf8'))).toBe(true);
    expect(standardSecretOf(old, 'text')).toBe(`whsec_${Buffer.from(old).toString('base64')}`);
    const headers = standardHeaders([stored.key], 'e1', now(), body);
    expect(new Webhook(standardSecretOf(old, 'text')).verify(body, headers)).toBeTruthy();
  });

  it('takes only whsec_ and the standard base64 of 24 to 64 bytes as a signing secret', () => {
    expect(isStandardSecret(`whsec_${Buffer.alloc(24, 7).toString('base64')}`)).toBe(true);
    expect(isStandardSecret(`whsec_${Buffer.alloc(64, 7).toString('base64')}`)).toBe(true);
    for (const secret of [
      `whsec_${Buffer.alloc(23, 7).toString('base64')}`,
      `whsec_${Buffer.alloc(65, 7).toString('base64')}`,
      `whsec_${Buffer.alloc(32, 251).toString('base64url')}`,
      Buffer.alloc(32, 7).toString('base64'),
      'my-own-secret',
    ]) {
      expect(isStandardSecret(secret), secret).toBe(false);
    }
  });
});

describe('Slipway-Signature (legacy)', () => {
  const body = '{"id":"e1"}';

  it('verifies with the secret, and not with another secret, another body or an old timestamp', () => {
    const header = signatureHeader('s3cret', 1_800_000_000, body);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', header, body, 1_800_000_010)).toBe(true);
    expect(verifySignature('other', header, body, 1_800_000_010)).toBe(false);
    expect(verifySignature('s3cret', header, `${body} `, 1_800_000_010)).toBe(false);
    expect(verifySignature('s3cret', header, body, 1_800_001_000)).toBe(false);
  });
});

describe('outbound targets', () => {
  it('refuses private, loopback, link-local and metadata addresses, IPv4 and IPv6', () => {
    for (const address of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '0.0.0.0']) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8']) {
      expect(isInternalAddress(address), address).toBe(false);
    }
  });

  it('in AWS: https only, and one internal address among public ones is enough to refuse', () => {
    expect(urlRefusal(AWS_TARGET_POLICY, 'http://example.com/hook')).toBe('must use https');
    expect(urlRefusal(AWS_TARGET_POLICY, 'https://user:pw@example.com/')).toMatch(/credentials/);
    expect(urlRefusal(AWS_TARGET_POLICY, 'https://example.com/hook')).toBeNull();
    expect(addressRefusal(AWS_TARGET_POLICY, ['93.184.216.34', '10.0.0.5'])).toMatch(/10\.0\.0\.5/);
    expect(addressRefusal(AWS_TARGET_POLICY, ['93.184.216.34'])).toBeNull();
  });

  it('locally: http and loopback allowed, other schemes not', () => {
    expect(urlRefusal(LOCAL_TARGET_POLICY, 'http://127.0.0.1:8080/')).toBeNull();
    expect(addressRefusal(LOCAL_TARGET_POLICY, ['127.0.0.1'])).toBeNull();
    expect(urlRefusal(LOCAL_TARGET_POLICY, 'ftp://127.0.0.1/')).toBe('must use http or https');
  });
});
