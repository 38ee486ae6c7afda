import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

describe('API keys over HTTP', () => {
  it('mints a key shown once, lists keys without secrets, and a revoked key gets 401', async () => {
    const created = await slipway.call('POST', '/api-keys', { body: { role: 'developer', apps: ['web'], email: 'dev@example.com' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ role: 'developer', apps: ['web'], email: 'dev@example.com', revoked_at: null });
    const { key, id } = created.body as { key: string; id: string };
    expect(key).toMatch(/^slw_/);
    expect(created.headers.get('location')).toBe(`/api-keys/${id}`);

    await slipway.call('POST', '/apps', { body: { name: 'web', cluster: 'local', service: 'web-svc' } });
    expect((await slipway.call('GET', '/apps/web', { key })).status).toBe(200);

    const listed = await slipway.call('GET', '/api-keys');
    expect(listed.body.map((entry: { id: string }) => entry.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toMatch(/[0-9a-f]{64}/);

    const revoked = await slipway.call('DELETE', `/api-keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect((await slipway.call('GET', '/apps/web', { key })).status).toBe(401);
    expect((await slipway.call('DELETE', `/api-keys/${id}`)).body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it('lets only an admin key for all apps manage keys', async () => {
    const operator = await slipway.keyFor('operator');
    const scopedAdmin = await slipway.keyFor('admin', ['web']);
    for (const key of [operator, scopedAdmin]) {
      const response = await slipway.call('POST', '/api-keys', { key, body: { role: 'admin' } });
      expect(response.status).toBe(403);
      expect((await slipway.call('GET', '/api-keys', { key })).status).toBe(403);
    }
    expect((await slipway.call('GET', '/api-keys', { key: null })).status).toBe(401);
  });

  it.each([
    [{ role: 'root' }],
    [{ role: 'admin', apps: [] }],
    [{ role: 'admin', apps: ['Bad_Name'] }],
    [{ role: 'admin', email: 'not-an-email' }],
    [{ role: 'admin', extra: true }],
  ])('refuses %j with 422', async (body) => {
    const before = (await slipway.call('GET', '/api-keys')).body.length;
    const response = await slipway.call('POST', '/api-keys', { body });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_failed');
    expect((await slipway.call('GET', '/api-keys')).body).toHaveLength(before);
  });

  it('answers 404 for an unknown key id', async () => {
    const response = await slipway.call('DELETE', '/api-keys/00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('api_key_not_found');
  });
});

describe('GET /whoami', () => {
  it("tells any key its own id, role and apps, never the key, and refuses a request without one", async () => {
    const created = await slipway.call('POST', '/api-keys', { body: { role: 'pipeline', apps: ['web', 'api'], email: 'ci@example.com' } });
    const { key, id } = created.body as { key: string; id: string };
    const me = await slipway.call('GET', '/whoami', { key });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ key_id: id, role: 'pipeline', apps: ['web', 'api'], email: 'ci@example.com' });
    expect(JSON.stringify(me.body)).not.toContain(key);

    expect((await slipway.call('GET', '/whoami')).body).toMatchObject({ role: 'admin', apps: null });
    expect((await slipway.call('GET', '/whoami', { key: null })).status).toBe(401);
  });
});
