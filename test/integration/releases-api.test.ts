import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

describe('releases over HTTP', () => {
  it('deploys builds, rolls back to v1 and lists v1..v3 in order', async () => {
    const { builds } = await seedApp(slipway, 'orders');
    const v1 = await slipway.call('POST', '/apps/orders/releases', { body: { slug: builds[0] } });
    await settleAsSucceeded(v1.body);
    const v2 = await slipway.call('POST', '/apps/orders/releases', { body: { slug: builds[1], description: 'ship it' } });
    const v3 = await slipway.call('POST', '/apps/orders/releases', { body: { release: v1.body.id } });

    expect([v1.status, v2.status, v3.status]).toEqual([201, 201, 201]);
    expect(v3.headers.get('location')).toBe(`/apps/orders/releases/${v3.body.id}`);
    expect(v3.body).toMatchObject({
      version: 3,
      slug: { id: builds[0] },
      description: 'Rollback to v1 (its build and config)',
      trigger: 'rollback',
      status: 'queued',
      state: 'pending',
    });
    expect(v2.body.description).toBe('ship it');

    const list = await slipway.call('GET', '/apps/orders/releases');
    expect(list.body.map((release: { version: number }) => release.version)).toEqual([1, 2, 3]);
    expect(list.headers.get('next-cursor')).toBeNull();
  });

  it('keeps the description given with a rollback, after the "Rollback to vN" it always says', async () => {
    const { builds } = await seedApp(slipway, 'described');
    const v1 = await slipway.call('POST', '/apps/described/releases', { body: { slug: builds[0] } });
    await settleAsSucceeded(v1.body);
    await slipway.call('POST', '/apps/described/releases', { body: { slug: builds[1] } });
    const rollback = await slipway.call('POST', '/apps/described/releases', { body: { release: 1, description: 'v2 broke checkout (INC-42)' } });
    expect(rollback).toMatchObject({ status: 201, body: { trigger: 'rollback', description: 'Rollback to v1 (its build and config): v2 broke checkout (INC-42)' } });
    expect((await slipway.call('GET', '/apps/described/releases/3')).body.description).toBe('Rollback to v1 (its build and config): v2 broke checkout (INC-42)');
  });

  it('gets a release by id and by version', async () => {
    const { builds } = await seedApp(slipway, 'lookup');
    const created = await slipway.call('POST', '/apps/lookup/releases', { body: { slug: builds[0] } });
    const byId = await slipway.call('GET', `/apps/lookup/releases/${created.body.id}`);
    const byVersion = await slipway.call('GET', '/apps/lookup/releases/1');
    expect(byId.body).toEqual(created.body);
    expect(byVersion.body).toEqual(created.body);
    expect((await slipway.call('GET', '/apps/lookup/releases/2')).status).toBe(404);
  });

  it('pages with a cursor and filters by status', async () => {
    const { builds } = await seedApp(slipway, 'paged', 1);
    for (let index = 0; index < 5; index++) {
      await slipway.call('POST', '/apps/paged/releases', { body: { slug: builds[0] } });
    }
    const first = await slipway.call('GET', '/apps/paged/releases?limit=2');
    const cursor = first.headers.get('next-cursor');
    expect(first.body.map((release: { version: number }) => release.version)).toEqual([1, 2]);
    expect(cursor).toBeTruthy();
    const second = await slipway.call('GET', `/apps/paged/releases?limit=3&cursor=${cursor}`);
    expect(second.body.map((release: { version: number }) => release.version)).toEqual([3, 4, 5]);
    expect(second.headers.get('next-cursor')).toBeNull();
    const queued = await slipway.call('GET', '/apps/paged/releases?status=queued&limit=1000');
    expect(queued.body).toHaveLength(5);
    expect((await slipway.call('GET', '/apps/paged/releases?status=succeeded')).body).toEqual([]);
    expect((await slipway.call('GET', '/apps/paged/releases?cursor=nonsense')).body.error.code).toBe('invalid_cursor');
    expect((await slipway.call('GET', '/apps/paged/releases?limit=1001')).status).toBe(422);
  });

  it('filters by creation time with since', async () => {
    const { builds } = await seedApp(slipway, 'since', 1);
    const first = await slipway.call('POST', '/apps/since/releases', { body: { slug: builds[0] } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await slipway.call('POST', '/apps/since/releases', { body: { slug: builds[0] } });
    const versionsSince = async (since: string) =>
      (await slipway.call('GET', `/apps/since/releases?since=${encodeURIComponent(since)}`)).body.map(
        (release: { version: number }) => release.version,
      );
    expect(await versionsSince(first.body.created_at)).toEqual([1, 2]);
    expect(await versionsSince(second.body.created_at)).toEqual([2]);
    expect(await versionsSince('2999-01-01T00:00:00+02:00')).toEqual([]);
    expect((await slipway.call('GET', '/apps/since/releases?since=yesterday')).status).toBe(422);
  });

  it('keeps versions unique and gap-free under 50 concurrent creates', async () => {
    const { builds } = await seedApp(slipway, 'racing', 1);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => slipway.call('POST', '/apps/racing/releases', { body: { slug: builds[0] } })),
    );
    expect(responses.every((response) => response.status === 201)).toBe(true);
    const versions = responses.map((response) => response.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    const listed = await slipway.call('GET', '/apps/racing/releases?limit=1000');
    expect(listed.body.map((release: { version: number }) => release.version)).toEqual(versions);
  });
});

describe('release refusals', () => {
  const countReleases = async (app: string) => (await slipway.call('GET', `/apps/${app}/releases`)).body.length;

  it.each([
    ['neither slug nor release', {}, 422, 'slug_or_release_required'],
    ['both slug and release', 'both', 422, 'slug_or_release_required'],
    ['an unknown slug', { slug: '00000000-0000-4000-8000-000000000000' }, 404, 'slug_not_found'],
    ['an unknown release', { release: '00000000-0000-4000-8000-000000000000' }, 404, 'release_not_found'],
    ['a slug that is not a uuid', { slug: 'abc' }, 422, 'validation_failed'],
    ['a wrongly typed description', 'typed', 422, 'validation_failed'],
    ['an unknown field', { slug: 'x', extra: true }, 422, 'validation_failed'],
  ])('refuses %s and writes nothing', async (_, body, status, code) => {
    const name = `refuse-${Math.random().toString(36).slice(2, 8)}`;
    const { builds } = await seedApp(slipway, name, 1);
    const request =
      body === 'both'
        ? { slug: builds[0], release: builds[0] }
        : body === 'typed'
          ? { slug: builds[0], description: 42 }
          : body;
    const response = await slipway.call('POST', `/apps/${name}/releases`, { body: request });
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
    expect(await countReleases(name)).toBe(0);
  });

  it('refuses a slug of another app (409) and a build that has not succeeded (409)', async () => {
    const mine = await seedApp(slipway, 'mine', 1);
    const theirs = await seedApp(slipway, 'theirs', 1);
    const foreign = await slipway.call('POST', '/apps/mine/releases', { body: { slug: theirs.builds[0] } });
    expect(foreign.status).toBe(409);
    expect(foreign.body.error.code).toBe('slug_belongs_to_another_app');

    const pending = await slipway.call('POST', '/apps/mine/builds', { body: { image: 'registry.local/mine:v9', status: 'pending' } });
    const notReady = await slipway.call('POST', '/apps/mine/releases', { body: { slug: pending.body.id } });
    expect(notReady.status).toBe(409);
    expect(notReady.body.error.code).toBe('slug_not_succeeded');
    expect(await countReleases('mine')).toBe(0);
    expect(mine.builds).toHaveLength(1);
  });

  it("refuses a rollback to another app's release with 404", async () => {
    const a = await seedApp(slipway, 'roll-a', 1);
    await seedApp(slipway, 'roll-b', 1);
    const release = await slipway.call('POST', '/apps/roll-a/releases', { body: { slug: a.builds[0] } });
    const response = await slipway.call('POST', '/apps/roll-b/releases', { body: { release: release.body.id } });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('release_not_found');
  });

  it('refuses bad JSON, oversized bodies, unknown apps and missing keys', async () => {
    await seedApp(slipway, 'guarded', 0);
    const badJson = await slipway.call('POST', '/apps/guarded/releases', { rawBody: '{"slug":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');

    const huge = await slipway.call('POST', '/apps/guarded/releases', {
      body: { description: 'x'.repeat(70 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');

    const unknownApp = await slipway.call('POST', '/apps/nope-nope/releases', { body: {} });
    expect(unknownApp.status).toBe(404);
    expect(unknownApp.body.error.code).toBe('app_not_found');

    const anonymous = await slipway.call('GET', '/apps/guarded/releases', { key: null });
    expect(anonymous.status).toBe(401);
    const forged = await slipway.call('GET', '/apps/guarded/releases', { key: 'slw_forged' });
    expect(forged.status).toBe(401);
    expect(await countReleases('guarded')).toBe(0);
  });
});
