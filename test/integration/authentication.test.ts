import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoCalls } from '../../bench/dynamo-census';
import { remainingMs } from '../../shared/runtime/deadline';
import { getStore } from '../../shared/store/client';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Each function authenticates its own requests (no API Gateway authorizer): the key is read with the app
 * the path names in one call, a revoked key stops working at once, `?access_token=` works, and a request
 * without a key gets Slipway's JSON 401.
 */
let slipway: TestSlipway;
let census: ReturnType<typeof countDynamoCalls>;
let releaseId: string;
beforeAll(async () => {
  slipway = await startTestSlipway();
  const { builds } = await seedApp(slipway, 'auth-web', 1);
  releaseId = (await slipway.call('POST', '/apps/auth-web/releases', { body: { slug: builds[0] } })).body.id;
  // Only what requests do: the local event sweeper's background reads run outside any invocation.
  census = countDynamoCalls(getStore().client, 'authenticationTestCensus', () => Number.isFinite(remainingMs()));
});
afterAll(() => slipway.close());

describe('authentication in the function', () => {
  it('reads the key and the app in one BatchGetItem, so a get-release costs two DynamoDB reads', async () => {
    census.take();
    const got = await slipway.call('GET', `/apps/auth-web/releases/${releaseId}`);
    expect(got.status).toBe(200);
    expect(census.take()).toMatchObject({ reads: 2, writes: 0, commands: ['BatchGetItem', 'Query'] });
  });

  it('takes the key as ?access_token= too, and refuses a revoked one from the next request on', async () => {
    const created = await slipway.call('POST', '/api-keys', { body: { role: 'developer' } });
    const { key, id } = created.body as { key: string; id: string };
    const path = `/apps/auth-web/releases/${releaseId}?access_token=${key}`;
    expect((await slipway.call('GET', path, { key: null })).status).toBe(200);
    await slipway.call('DELETE', `/api-keys/${id}`);
    const refused = await slipway.call('GET', path, { key: null });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'unauthorized' }, id: 'unauthorized' });
  });

  it('answers a request without a key with the JSON 401, and reads nothing for it', async () => {
    census.take();
    const refused = await slipway.call('GET', '/apps/auth-web', { key: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.body.error.code).toBe('unauthorized');
    expect(census.take().reads).toBe(0);
  });

  it('does not tell an app a key may not see from one that does not exist', async () => {
    const scoped = await slipway.keyFor('developer', ['other-app']);
    const hidden = await slipway.call('GET', '/apps/auth-web', { key: scoped });
    const missing = await slipway.call('GET', '/apps/no-such-app', { key: scoped });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe(missing.body.error.code);
  });
});
