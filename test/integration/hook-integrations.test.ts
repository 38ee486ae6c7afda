import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { deliverInProcess } from '../../shared/events/bus';
import { startReceiver, type ReceivedRequest } from '../support/hook-receiver';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * Each integration against a local receiver that checks the request as the vendor documents it (method,
 * path, auth header, required fields) and answers as the vendor would; a request it would refuse gets a 400.
 */
let slipway: TestSlipway;
let event: SlipwayEvent;

beforeAll(async () => {
  slipway = await startTestSlipway();
  const seeded = await seedApp(slipway, 'shop', 1);
  const release = (await slipway.call('POST', '/apps/shop/releases', { body: { slug: seeded.builds[0] } })).body;
  event = {
    id: randomUUID(),
    specversion: 1,
    type: 'release.succeeded',
    time: '2026-11-30T06:00:00.123Z',
    app: { id: seeded.app.id, name: 'shop' },
    actor: { id: randomUUID(), email: 'dev@example.com' },
    data: release,
  } as SlipwayEvent;
});
afterAll(() => slipway.close());

type Check = (request: ReceivedRequest) => boolean;
const json = (request: ReceivedRequest) => JSON.parse(request.body) as Record<string, any>;

const deliverThrough = async (hook: Record<string, unknown>, check: Check) => {
  const receiver = await startReceiver((request) => (check(request) ? { status: 200, body: '{"ok":true}' } : { status: 400, body: '{"error":"bad request"}' }));
  try {
    const created = await slipway.call('POST', '/apps/shop/hooks', {
      body: { events: ['release.succeeded'], ...hook, url: String(hook.url).replace('RECEIVER', receiver.url) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await deliverInProcess([{ ...event, id: randomUUID() }]);
    // The first attempt's outcome, whatever it is: a refused request shows as such instead of a timeout.
    const delivery = await until('the first attempt to be logged', async () => {
      const [newest]: any[] = (await slipway.call('GET', `/apps/shop/hooks/${created.body.id}/deliveries`)).body;
      return newest && newest.outcome !== 'pending' ? newest : undefined;
    }, { intervalMs: 25 });
    await slipway.call('DELETE', `/apps/shop/hooks/${created.body.id}`);
    return { delivery, received: receiver.received };
  } finally {
    await receiver.close();
  }
};

describe('integrations', () => {
  it('Grafana: POST /api/annotations with a Bearer token, time in ms, text and tags', async () => {
    const { delivery, received } = await deliverThrough(
      { kind: 'grafana', url: 'RECEIVER/', secret: 'glsa_service_token', options: { tags: 'prod', dashboard_uid: 'abc123' } },
      (request) => {
        const body = json(request);
        return request.method === 'POST' && request.path === '/api/annotations' && request.headers.authorization === 'Bearer glsa_service_token' &&
          body.time === Date.parse('2026-11-30T06:00:00.123Z') && typeof body.text === 'string' && body.text.includes('shop v1') &&
          Array.isArray(body.tags) && body.tags.includes('prod') && body.tags.includes('app:shop') && body.dashboardUID === 'abc123';
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(received).toHaveLength(1);
  });

  it('Sentry: creates the release for the project, then a deploy of it to the environment', async () => {
    const { delivery, received } = await deliverThrough(
      { kind: 'sentry', url: 'RECEIVER/api/0/organizations/acme/', secret: 'sntrys_token', options: { project: 'shop-web', environment: 'staging' } },
      (request) => {
        const body = json(request);
        if (request.headers.authorization !== 'Bearer sntrys_token' || request.method !== 'POST') return false;
        if (request.path === '/api/0/organizations/acme/releases/') return body.version === 'shop@v1' && body.projects?.[0] === 'shop-web';
        return request.path === `/api/0/organizations/acme/releases/${encodeURIComponent('shop@v1')}/deploys/` && body.environment === 'staging';
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(received.map((request) => request.path)).toEqual(['/api/0/organizations/acme/releases/', '/api/0/organizations/acme/releases/shop%40v1/deploys/']);
  });

  it('Slack: the incoming-webhook URL itself, with text and blocks', async () => {
    const { delivery } = await deliverThrough({ kind: 'slack', url: 'RECEIVER/services/T000/B000/XXXX' }, (request) => {
      const body = json(request);
      return request.path === '/services/T000/B000/XXXX' && request.headers['content-type'] === 'application/json' &&
        typeof body.text === 'string' && body.blocks?.[0]?.type === 'section' && body.blocks[0].text.type === 'mrkdwn';
    });
    expect(delivery.outcome).toBe('delivered');
  });

  it('New Relic: NerdGraph changeTrackingCreateDeployment with the API-Key header and the entity GUID', async () => {
    const { delivery } = await deliverThrough(
      { kind: 'newrelic', url: 'RECEIVER/', secret: 'NRAK-USERKEY', options: { entity_guid: 'MXxBUE18QVBQTElDQVRJT058MQ' } },
      (request) => {
        const body = json(request);
        const deployment = body.variables?.deployment ?? {};
        return request.path === '/graphql' && request.headers['api-key'] === 'NRAK-USERKEY' &&
          /changeTrackingCreateDeployment\(deployment: \$deployment\)/.test(body.query) &&
          deployment.entityGuid === 'MXxBUE18QVBQTElDQVRJT058MQ' && deployment.version === 'shop@v1';
      },
    );
    expect(delivery.outcome).toBe('delivered');
  });

  it('Bugsnag: the Build API with apiKey and appVersion in the body', async () => {
    const { delivery } = await deliverThrough(
      { kind: 'bugsnag', url: 'RECEIVER/', secret: 'bugsnag-project-key', options: { release_stage: 'production' } },
      (request) => {
        const body = json(request);
        return request.method === 'POST' && request.path === '/' && body.apiKey === 'bugsnag-project-key' && body.appVersion === 'shop@v1' &&
          body.releaseStage === 'production' && body.builderName === 'dev@example.com';
      },
    );
    expect(delivery.outcome).toBe('delivered');
  });

  it('generic webhook: the envelope as JSON, with the Standard Webhooks headers', async () => {
    const { delivery } = await deliverThrough({ kind: 'webhook', url: 'RECEIVER/in' }, (request) => {
      const body = json(request);
      return request.headers['webhook-id'] === body.id && /^\d+$/.test(String(request.headers['webhook-timestamp'])) &&
        /^v1,[A-Za-z0-9+/]{43}=$/.test(String(request.headers['webhook-signature'])) && body.specversion === 1 && body.data.version === 1;
    });
    expect(delivery.outcome).toBe('delivered');
  });
});
