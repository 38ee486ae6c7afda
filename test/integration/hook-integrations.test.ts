import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { SlipwayEvent } from '../../shared/api/events';
import { deliverInProcess } from '../../shared/events/bus';
import { startReceiver, type ReceivedRequest } from '../support/hook-receiver';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * Each integration against a local receiver that checks the request as the vendor documents it: method, path,
 * auth header, and the body against a schema of the vendor's documented fields (their types, which are
 * required, and no field the vendor does not define); a request it would refuse gets a 400.
 */
let slipway: TestSlipway;
let event: SlipwayEvent;
let released: Record<string, any>;

/** What a developer key may write into a release's description: Slack's link and mention syntax. */
const HOSTILE_DESCRIPTION = '<!channel> & <https://evil.example|click here>';

beforeAll(async () => {
  slipway = await startTestSlipway();
  await seedApp(slipway, 'shop', 0);
  const build = await slipway.call('POST', '/apps/shop/builds', {
    body: {
      image: 'registry.local/shop:v1',
      sha: 'c0ffee1',
      repo: 'acme/shop',
      commits: [
        { sha: 'c0ffee1', author: 'Dev One <dev@example.com>', committed_at: '2026-11-30T05:00:00.000Z', message: 'Fix the cart' },
        { sha: 'beef002', author: 'ci-bot', committed_at: '2026-11-30T04:00:00.000Z', message: 'Bump deps\n\nlong body' },
      ],
    },
  });
  const developer = await slipway.keyFor('developer', ['shop']);
  const release = (await slipway.call('POST', '/apps/shop/releases', { body: { slug: build.body.id, description: HOSTILE_DESCRIPTION }, key: developer })).body;
  await settleAsSucceeded(release);
  released = (await slipway.call('GET', `/apps/shop/releases/${release.id}`)).body;
  event = {
    id: randomUUID(),
    specversion: 1,
    type: 'release.succeeded',
    time: '2026-11-30T06:00:00.123Z',
    app: { id: released.app.id, name: 'shop' },
    actor: { id: randomUUID(), email: 'dev@example.com' },
    data: released,
  } as SlipwayEvent;
});
afterAll(() => slipway.close());

type Check = (request: ReceivedRequest) => boolean;
const json = (request: ReceivedRequest) => JSON.parse(request.body) as Record<string, any>;
/** Whether `value` has the vendor's documented shape; a mismatch is printed, so a refusal says why. */
const fits = (schema: z.ZodType, value: unknown): boolean => {
  const result = schema.safeParse(value);
  if (!result.success) console.error(JSON.stringify(result.error.issues));
  return result.success;
};
const isoTime = z.iso.datetime({ offset: true });

const deliverThrough = async (hook: Record<string, unknown>, check: Check, sent: SlipwayEvent[] = [event]) => {
  const receiver = await startReceiver((request) => (check(request) ? { status: 200, body: '{"ok":true}' } : { status: 400, body: '{"error":"bad request"}' }));
  try {
    const created = await slipway.call('POST', '/apps/shop/hooks', {
      body: { ...hook, url: String(hook.url).replace('RECEIVER', receiver.url) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ids = sent.map(() => randomUUID());
    await deliverInProcess(sent.map((one, index) => ({ ...one, id: ids[index] as string })));
    // The first attempt's outcome, whatever it is: a refused request shows as such instead of a timeout.
    const delivery = await until('the first attempt to be logged', async () => {
      const log: any[] = (await slipway.call('GET', `/apps/shop/hooks/${created.body.id}/deliveries`)).body;
      const newest = log.find((entry) => entry.id === ids.at(-1));
      return newest && newest.outcome !== 'pending' ? newest : undefined;
    }, { intervalMs: 25 });
    const log: any[] = (await slipway.call('GET', `/apps/shop/hooks/${created.body.id}/deliveries`)).body;
    await slipway.call('DELETE', `/apps/shop/hooks/${created.body.id}`);
    return { delivery, log, received: receiver.received, hook: created.body };
  } finally {
    await receiver.close();
  }
};

describe('integrations', () => {
  it('Grafana: POST /api/annotations with a Bearer token, time in ms, text and tags naming app, version and status', async () => {
    const annotation = z.strictObject({
      dashboardUID: z.string().optional(),
      panelId: z.number().int().optional(),
      time: z.number().int().optional(),
      timeEnd: z.number().int().optional(),
      tags: z.array(z.string()).optional(),
      text: z.string(),
    });
    const { delivery, received } = await deliverThrough(
      { kind: 'grafana', url: 'RECEIVER/', secret: 'glsa_service_token', options: { tags: 'prod', dashboard_uid: 'abc123' } },
      (request) => {
        const body = json(request);
        return request.method === 'POST' && request.path === '/api/annotations' && request.headers.authorization === 'Bearer glsa_service_token' &&
          fits(annotation, body) && body.time === Date.parse('2026-11-30T06:00:00.123Z') && body.text.includes('shop v1') && body.dashboardUID === 'abc123';
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(received).toHaveLength(1);
    expect(json(received[0] as ReceivedRequest).tags).toEqual(['slipway', 'release.succeeded', 'app:shop', 'version:v1', 'status:succeeded', 'prod']);
  });

  it("Sentry: creates the release with the commits it ships, then a deploy of it to the environment", async () => {
    const commit = z.strictObject({
      id: z.string(),
      repository: z.string().optional(),
      message: z.string().optional(),
      author_name: z.string().optional(),
      author_email: z.string().optional(),
      timestamp: isoTime.optional(),
    });
    const release = z.strictObject({
      version: z.string(),
      projects: z.array(z.string()).min(1),
      ref: z.string().optional(),
      url: z.string().optional(),
      dateReleased: isoTime.optional(),
      commits: z.array(commit).optional(),
    });
    const deploy = z.strictObject({
      environment: z.string(),
      name: z.string().optional(),
      url: z.string().optional(),
      dateStarted: isoTime.optional(),
      dateFinished: isoTime.optional(),
      projects: z.array(z.string()).optional(),
    });
    const { delivery, received } = await deliverThrough(
      { kind: 'sentry', url: 'RECEIVER/api/0/organizations/acme/', secret: 'sntrys_token', options: { project: 'shop-web', environment: 'staging' } },
      (request) => {
        const body = json(request);
        if (request.headers.authorization !== 'Bearer sntrys_token' || request.method !== 'POST') return false;
        if (request.path === '/api/0/organizations/acme/releases/') return fits(release, body) && body.version === 'shop@v1' && body.projects[0] === 'shop-web';
        return request.path === `/api/0/organizations/acme/releases/${encodeURIComponent('shop@v1')}/deploys/` && fits(deploy, body) && body.environment === 'staging';
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(received.map((request) => request.path)).toEqual(['/api/0/organizations/acme/releases/', '/api/0/organizations/acme/releases/shop%40v1/deploys/']);
    expect(json(received[0] as ReceivedRequest)).toMatchObject({
      ref: 'c0ffee1',
      commits: [
        { id: 'c0ffee1', repository: 'acme/shop', author_name: 'Dev One', author_email: 'dev@example.com', message: 'Fix the cart', timestamp: '2026-11-30T05:00:00.000Z' },
        { id: 'beef002', repository: 'acme/shop', author_name: 'ci-bot', message: 'Bump deps\n\nlong body' },
      ],
    });
    expect(json(received[1] as ReceivedRequest)).toMatchObject({ name: 'shop v1', dateFinished: released.finished_at });
  });

  it("Slack: the incoming-webhook URL itself, every text escaped so a description can neither mention the channel nor disguise a link", async () => {
    const textObject = z.strictObject({ type: z.enum(['mrkdwn', 'plain_text']), text: z.string() });
    const message = z.strictObject({
      text: z.string(),
      blocks: z.array(z.union([z.strictObject({ type: z.literal('section'), text: textObject }), z.strictObject({ type: z.literal('context'), elements: z.array(textObject) })])),
    });
    const { delivery, received } = await deliverThrough({ kind: 'slack', url: 'RECEIVER/services/T000/B000/XXXX' }, (request) =>
      request.path === '/services/T000/B000/XXXX' && request.headers['content-type'] === 'application/json' && fits(message, json(request)),
    );
    expect(delivery.outcome).toBe('delivered');
    const body = json(received[0] as ReceivedRequest);
    expect(body.text).toBe('shop v1 release.succeeded: &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;');
    const texts = [body.text, ...body.blocks.flatMap((block: any) => [block.text?.text, ...(block.elements ?? []).map((element: any) => element.text)]).filter(Boolean)];
    for (const shown of texts) expect(shown).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
  });

  it('New Relic: NerdGraph changeTrackingCreateDeployment with the deployment type, commit, changelog and a deep link to the release', async () => {
    const deployment = z.strictObject({
      entityGuid: z.string(),
      version: z.string(),
      changelog: z.string().optional(),
      commit: z.string().optional(),
      deepLink: z.url().optional(),
      deploymentType: z.enum(['BASIC', 'BLUE_GREEN', 'CANARY', 'OTHER', 'ROLLING', 'SHADOW']).optional(),
      description: z.string().optional(),
      groupId: z.string().optional(),
      timestamp: z.number().int().optional(),
      user: z.string().optional(),
    });
    const { delivery, received } = await deliverThrough(
      { kind: 'newrelic', url: 'RECEIVER/', secret: 'NRAK-USERKEY', options: { entity_guid: 'MXxBUE18QVBQTElDQVRJT058MQ', dashboard_url: 'https://slipway.example.com/' } },
      (request) => {
        const body = json(request);
        return request.path === '/graphql' && request.headers['api-key'] === 'NRAK-USERKEY' &&
          /changeTrackingCreateDeployment\(deployment: \$deployment\)/.test(body.query) && fits(deployment, body.variables?.deployment);
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(json(received[0] as ReceivedRequest).variables.deployment).toMatchObject({
      entityGuid: 'MXxBUE18QVBQTElDQVRJT058MQ',
      version: 'shop@v1',
      deploymentType: 'ROLLING',
      commit: 'c0ffee1',
      changelog: 'c0ffee1 Fix the cart\nbeef002 Bump deps',
      deepLink: 'https://slipway.example.com/#/apps/shop/releases/1',
      timestamp: Date.parse(released.finished_at),
    });
  });

  it('Bugsnag: the Build API with apiKey, appVersion and the source control of the release', async () => {
    const build = z.strictObject({
      apiKey: z.string(),
      appVersion: z.string(),
      appVersionCode: z.string().optional(),
      appBundleVersion: z.string().optional(),
      releaseStage: z.string().optional(),
      builderName: z.string().optional(),
      sourceControl: z
        .strictObject({
          provider: z.enum(['github', 'github-enterprise', 'gitlab', 'gitlab-onpremise', 'bitbucket', 'bitbucket-server']).optional(),
          repository: z.string(),
          revision: z.string(),
        })
        .optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      autoAssignRelease: z.boolean().optional(),
    });
    const { delivery, received } = await deliverThrough(
      { kind: 'bugsnag', url: 'RECEIVER/', secret: 'bugsnag-project-key', options: { release_stage: 'production' } },
      (request) => {
        const body = json(request);
        return request.method === 'POST' && request.path === '/' && fits(build, body) && body.apiKey === 'bugsnag-project-key' && body.appVersion === 'shop@v1' &&
          body.releaseStage === 'production' && body.builderName === 'dev@example.com';
      },
    );
    expect(delivery.outcome).toBe('delivered');
    expect(json(received[0] as ReceivedRequest).sourceControl).toEqual({ repository: 'acme/shop', revision: 'c0ffee1' });
  });

  it('generic webhook: the envelope as JSON, with the Standard Webhooks headers', async () => {
    const { delivery } = await deliverThrough({ kind: 'webhook', url: 'RECEIVER/in', events: ['release.succeeded'] }, (request) => {
      const body = json(request);
      return request.headers['webhook-id'] === body.id && /^\d+$/.test(String(request.headers['webhook-timestamp'])) &&
        /^v1,[A-Za-z0-9+/]{43}=$/.test(String(request.headers['webhook-signature'])) && body.specversion === 1 && body.data.version === 1;
    });
    expect(delivery.outcome).toBe('delivered');
  });
});

describe('the events each integration takes', () => {
  const failed = (): SlipwayEvent => ({ ...event, type: 'release.failed', data: { ...released, status: 'failed' } }) as SlipwayEvent;
  const buildCreated = (): SlipwayEvent => ({ ...event, type: 'build.created', data: { id: randomUUID() } }) as unknown as SlipwayEvent;

  it("subscribes one created without events (or with *) to its kind's set, and sends a deploy vendor only releases that succeeded", async () => {
    for (const events of [undefined, ['*']]) {
      const { hook, log, received } = await deliverThrough(
        { kind: 'sentry', url: 'RECEIVER/api/0/organizations/acme/', secret: 'sntrys_token', options: { project: 'shop-web' }, ...(events ? { events } : {}) },
        () => true,
        [buildCreated(), failed(), event],
      );
      expect(hook.events).toEqual(['release.succeeded']);
      // Neither the build nor the failed rollout reached Sentry: one release and its deploy, one delivery logged.
      expect(received.map((request) => json(request).version ?? json(request).environment)).toEqual(['shop@v1', 'production']);
      expect(log.map((delivery) => delivery.event.type)).toEqual(['release.succeeded']);
    }
  });

  it('tells a failure to Slack and Grafana, which have a place for it', async () => {
    for (const kind of ['slack', 'grafana']) {
      const { hook, received } = await deliverThrough({ kind, url: 'RECEIVER/', ...(kind === 'grafana' ? { secret: 'glsa_token' } : {}) }, () => true, [buildCreated(), failed()]);
      expect(hook.events, kind).toContain('release.failed');
      expect(received, kind).toHaveLength(1);
      expect(received[0]?.body, kind).toContain('release.failed');
    }
  });

  it('refuses to subscribe an integration to events its vendor has no place for, with 422 naming them', async () => {
    const asked = await slipway.call('POST', '/apps/shop/hooks', {
      body: { kind: 'bugsnag', url: 'http://127.0.0.1:9/', secret: 'bugsnag-project-key', events: ['release.succeeded', 'release.failed', 'build.created'] },
    });
    expect(asked.status).toBe(422);
    expect(asked.body.error).toMatchObject({ code: 'hook_events_not_for_kind', details: { field: 'events', events: ['release.failed', 'build.created'] } });
    expect(asked.body.error.message).toMatch(/release\.failed, build\.created/);
    const hook = await slipway.call('POST', '/apps/shop/hooks', { body: { kind: 'newrelic', url: 'http://127.0.0.1:9/', secret: 'NRAK-USERKEY', options: { entity_guid: 'x' } } });
    const patched = await slipway.call('PATCH', `/apps/shop/hooks/${hook.body.id}`, { body: { events: ['release.unknown'] } });
    expect(patched.body.error).toMatchObject({ code: 'hook_events_not_for_kind', details: { events: ['release.unknown'] } });
    await slipway.call('DELETE', `/apps/shop/hooks/${hook.body.id}`);
  });
});
