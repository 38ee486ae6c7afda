import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedOutput } from '../support/captured-output';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

/** Collects what is written while `work` runs: all of it raw, and the per-request log lines parsed. */
const captureLogs = async (work: () => Promise<void>, level: 'DEBUG' | 'INFO' = 'INFO'): Promise<{ raw: string; lines: Record<string, unknown>[] }> => {
  const raw = await capturedOutput(level, work);
  const lines = raw
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === 'request served' || line.message === 'request refused');
  return { raw, lines };
};

describe('request logs', () => {
  it('writes one structured line per change and per refusal with request, route, status, app and release ids', async () => {
    const { builds } = await seedApp(slipway, 'logged', 1);
    let requestId = '';
    let releaseId = '';
    const { lines } = await captureLogs(async () => {
      const created = await slipway.call('POST', '/apps/logged/releases', { body: { slug: builds[0] } });
      requestId = created.headers.get('apigw-requestid') ?? '';
      releaseId = created.body.id;
      await slipway.call('GET', '/apps/logged/releases/99');
    });

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'request served',
      service: 'slipway',
      requestId,
      routeKey: 'POST /apps/{app}/releases',
      app: 'logged',
      releaseId,
      releaseVersion: 1,
      status: 201,
      keyId: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(lines[1]).toMatchObject({ message: 'request refused', routeKey: 'GET /apps/{app}/releases/{release}', status: 404 });
  });

  it("logs a served read at DEBUG only: API Gateway's access log records it already", async () => {
    const { builds } = await seedApp(slipway, 'read-logged', 1);
    const release = (await slipway.call('POST', '/apps/read-logged/releases', { body: { slug: builds[0] } })).body;
    const read = () => slipway.call('GET', `/apps/read-logged/releases/${release.id}`).then((got) => expect(got.status).toBe(200));
    expect((await captureLogs(read)).lines).toEqual([]);
    expect((await captureLogs(read, 'DEBUG')).lines).toEqual([
      expect.objectContaining({ level: 'DEBUG', message: 'request served', routeKey: 'GET /apps/{app}/releases/{release}', releaseId: release.id, status: 200 }),
    ]);
  });

  it('never logs the API key, whether sent as a bearer header or as access_token', async () => {
    await seedApp(slipway, 'secret-app', 0);
    const key = await slipway.keyFor('developer');
    const { raw, lines } = await captureLogs(async () => {
      await slipway.call('GET', '/apps/secret-app', { key });
      await slipway.call('GET', `/apps/secret-app/releases?access_token=${key}`, { key: null });
      await slipway.call('GET', '/apps/secret-app', { key: `${key}x` });
      await slipway.call('POST', '/apps/secret-app/releases', { key, rawBody: `{"slug":"${key}"` });
    }, 'DEBUG');

    expect(lines.map((line) => line.status)).toEqual([200, 200, 401, 400]);
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(key.slice(4));
    expect(raw.toLowerCase()).not.toContain('authorization');
    expect(raw).not.toContain('access_token');
  });
});
