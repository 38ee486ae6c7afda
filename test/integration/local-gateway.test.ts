import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../shared/api/error-responses';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/** Limits and media types as a client meets them, and the keep-alive connection surviving each refusal. */

let slipway: TestSlipway;
/** One socket at most, so consecutive requests share a connection whenever it stays open. */
let agent: Agent;

beforeAll(async () => {
  slipway = await startTestSlipway();
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});
afterAll(async () => {
  agent.destroy();
  await slipway.close();
});

type Answer = { status: number; body: any; contentType: string; localPort: number | undefined };

const send = (method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const outgoing = request(
      `${slipway.url}${path}`,
      { method, agent, headers: { authorization: `Bearer ${slipway.adminKey}`, ...options.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
            contentType: response.headers['content-type'] ?? '',
            localPort: outgoing.socket?.localPort,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });

const json = { 'content-type': 'application/json' };

/** The refusal is Slipway's JSON error, and the very same connection then serves a normal request. */
const expectRefusalKeepingConnection = async (refusal: Answer, status: number) => {
  expect(refusal.status).toBe(status);
  expect(refusal.contentType).toMatch(/^application\/json/);
  expect(ErrorResponse.safeParse(refusal.body).success).toBe(true);
  const next = await send('GET', '/apps');
  expect(next.status).toBe(200);
  expect(next.localPort).toBe(refusal.localPort);
};

describe('the local gateway', () => {
  it.each([
    ['300 KiB', 300 * 1024],
    ['11 MiB', 11 * 1024 * 1024],
  ])('refuses a %s body with a JSON 413 and keeps the connection', async (_, size) => {
    const body = JSON.stringify({ name: 'big', cluster: 'c', service: 's', padding: 'x'.repeat(size) });
    await expectRefusalKeepingConnection(await send('POST', '/apps', { body, headers: json }), 413);
  });

  it('refuses a 20 KB path with a JSON 431 and keeps the connection', async () => {
    await expectRefusalKeepingConnection(await send('GET', `/apps/${'a'.repeat(20_000)}`), 431);
  });

  it('refuses headers past what it can parse with a JSON 431 too', async () => {
    const refusal = await send('GET', '/apps', { headers: { 'x-padding': 'p'.repeat(70_000) } });
    expect(refusal.status).toBe(431);
    expect(ErrorResponse.safeParse(refusal.body).success).toBe(true);
    expect((await send('GET', '/apps')).status).toBe(200);
  });
});

describe('request bodies', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/xml', { 'content-type': 'application/xml' }],
    ['no Content-Type', {}],
  ])('are refused with 415 when sent as %s, and nothing is written', async (_, headers) => {
    const body = JSON.stringify({ name: 'typed', cluster: 'c', service: 's' });
    const refusal = await send('POST', '/apps', { body, headers });
    expect(refusal.status).toBe(415);
    expect(refusal.body.error.code).toBe('unsupported_media_type');
    expect((await send('GET', '/apps/typed')).status).toBe(404);
  });

  it('are taken as JSON with a charset parameter', async () => {
    const body = JSON.stringify({ name: 'charset', cluster: 'c', service: 's' });
    expect((await send('POST', '/apps', { body, headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).status).toBe(201);
  });

  it('are taken as forms, with bracket keys for nested fields, [] for arrays and true/false as booleans', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const app = await send('POST', '/apps', { body: 'name=formed&cluster=local&service=formed-svc&auto_release=true', headers: form });
    expect(app.status).toBe(201);
    expect(app.body).toMatchObject({ name: 'formed', auto_release: true });

    const key = await send('POST', '/api-keys', { body: 'role=developer&apps[]=formed&apps[]=other-app', headers: form });
    expect(key.status).toBe(201);
    expect(key.body.apps).toEqual(['formed', 'other-app']);

    const { builds } = await seedApp(slipway, 'form-dev', 1);
    await seedApp(slipway, 'form-stg', 0);
    await slipway.call('POST', '/pipelines', { body: { name: 'form-pipe' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'form-pipe', app: 'form-dev', stage: 'development' } });
    await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'form-pipe', app: 'form-stg', stage: 'staging' } });
    const release = await slipway.call('POST', '/apps/form-dev/releases', { body: { slug: builds[0] } });
    await settleAsSucceeded(release.body);
    const promotion = await send('POST', '/pipeline-promotions', {
      body: `pipeline[name]=form-pipe&source[app][name]=form-dev&source[release][id]=${release.body.id}&targets[0][app][name]=form-stg&safe=false`,
      headers: form,
    });
    expect(promotion.status).toBe(201);
    expect(promotion.body.targets.map((target: { app: { name: string } }) => target.app.name)).toEqual(['form-stg']);
  });

  it('refuses a form field the schema does not know, as JSON would be', async () => {
    const refusal = await send('POST', '/apps', {
      body: 'name=meta&cluster=c&service=s&meta_data[foo]=bar',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refusal.status).toBe(422);
    expect(refusal.body.error.details.issues[0].message).toMatch(/meta_data/);
  });

  it('hands every query parameter over as API Gateway does, so one the route does not know is refused, __proto__ too', async () => {
    await seedApp(slipway, 'query-names', 0);
    for (const name of ['surprise', 'constructor', '__proto__']) {
      const refusal = await send('GET', `/apps/query-names/releases?${name}=1`);
      expect(refusal.status, name).toBe(422);
      expect(refusal.body.error.code).toBe('validation_failed');
    }
  });
});
