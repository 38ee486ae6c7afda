import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStore } from '../../shared/store/client';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

const createWithKey = (app: string, key: string, body: unknown, apiKey?: string) =>
  slipway.call('POST', `/apps/${app}/releases`, { body, headers: { 'idempotency-key': key }, ...(apiKey ? { key: apiKey } : {}) });

const versionsOf = async (app: string) =>
  (await slipway.call('GET', `/apps/${app}/releases?limit=1000`)).body.map((release: { version: number }) => release.version);

/**
 * Holds every release write until `release()` is called, so a test can keep a first request in flight
 * for as long as it needs without sleeping.
 */
const holdReleaseWrites = () => {
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const name = `hold-${randomUUID()}`;
  const { middlewareStack } = getStore().client;
  middlewareStack.add(
    (next) => async (args) => {
      const item = (args.input as { Item?: { type?: unknown } }).Item;
      if (item?.type === 'release') {
        reached();
        await gate;
      }
      return next(args);
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    arrived,
    release: () => {
      release();
      middlewareStack.remove(name);
    },
  };
};

describe('Idempotency-Key on POST /apps/{app}/releases', () => {
  it('answers an identical retry with 303 to the same release and never creates a second one', async () => {
    const { builds } = await seedApp(slipway, 'idem-retry', 1);
    const key = randomUUID();
    const first = await createWithKey('idem-retry', key, { slug: builds[0], description: 'once' });
    const retry = await createWithKey('idem-retry', key, { description: 'once', slug: builds[0] });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(303);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.body).toMatchObject({ id: first.body.id, version: 1 });
    expect(await versionsOf('idem-retry')).toEqual([1]);
  });

  it('refuses the same key with a different body (422 idempotency_key_mismatch)', async () => {
    const { builds } = await seedApp(slipway, 'idem-mismatch', 2);
    const key = randomUUID();
    expect((await createWithKey('idem-mismatch', key, { slug: builds[0] })).status).toBe(201);
    const mismatch = await createWithKey('idem-mismatch', key, { slug: builds[1] });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.code).toBe('idempotency_key_mismatch');
    expect(await versionsOf('idem-mismatch')).toEqual([1]);
  });

  it('refuses a retry while the first request is in flight (409), then replays it once done', async () => {
    const { builds } = await seedApp(slipway, 'idem-flight', 1);
    const key = randomUUID();
    const hold = holdReleaseWrites();
    const pending = createWithKey('idem-flight', key, { slug: builds[0] });
    await hold.arrived;

    const concurrent = await createWithKey('idem-flight', key, { slug: builds[0] });
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.error.code).toBe('idempotency_key_in_flight');
    expect(concurrent.headers.get('retry-after')).toBe('1');

    hold.release();
    const first = await pending;
    expect(first.status).toBe(201);
    const after = await createWithKey('idem-flight', key, { slug: builds[0] });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe(first.headers.get('location'));
    expect(await versionsOf('idem-flight')).toEqual([1]);
  });

  it('creates exactly one release when the same keyed request races with itself', async () => {
    const { builds } = await seedApp(slipway, 'idem-race', 1);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => createWithKey('idem-race', key, { slug: builds[0] })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.every((status) => [201, 303, 409].includes(status))).toBe(true);
    expect(await versionsOf('idem-race')).toEqual([1]);
  });

  it('does not let a refused first attempt poison the key: the corrected retry succeeds', async () => {
    const { builds } = await seedApp(slipway, 'idem-fix', 1);
    const key = randomUUID();
    const refused = await createWithKey('idem-fix', key, { slug: '00000000-0000-4000-8000-000000000000' });
    expect(refused.status).toBe(404);
    const corrected = await createWithKey('idem-fix', key, { slug: builds[0] });
    expect(corrected.status).toBe(201);
    expect(await versionsOf('idem-fix')).toEqual([1]);
  });

  it('scopes keys by caller and app, so the same key elsewhere is a new request', async () => {
    const a = await seedApp(slipway, 'idem-scope-a', 1);
    const b = await seedApp(slipway, 'idem-scope-b', 1);
    const developer = await slipway.keyFor('developer');
    const key = randomUUID();
    expect((await createWithKey('idem-scope-a', key, { slug: a.builds[0] })).status).toBe(201);
    expect((await createWithKey('idem-scope-a', key, { slug: a.builds[0] }, developer)).status).toBe(201);
    expect((await createWithKey('idem-scope-b', key, { slug: b.builds[0] })).status).toBe(201);
    expect(await versionsOf('idem-scope-a')).toEqual([1, 2]);
    expect(await versionsOf('idem-scope-b')).toEqual([1]);
  });

  it('refuses a malformed key and creates nothing; without a key every request creates', async () => {
    const { builds } = await seedApp(slipway, 'idem-bad', 1);
    const bad = await createWithKey('idem-bad', 'x'.repeat(256), { slug: builds[0] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_idempotency_key');
    await slipway.call('POST', '/apps/idem-bad/releases', { body: { slug: builds[0] } });
    await slipway.call('POST', '/apps/idem-bad/releases', { body: { slug: builds[0] } });
    expect(await versionsOf('idem-bad')).toEqual([1, 2]);
  });
});
