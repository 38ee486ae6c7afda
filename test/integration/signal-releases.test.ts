import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import type { SignalReleaseResponse } from '../../shared/api/signal-responses';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/** Echoes' releases API under Slipway's base URL: `POST /v1/signals/releases`, `PATCH /v1/signals/releases/{id}`. */
let slipway: TestSlipway;
let dataDir: string;
const KNOWN = { sha: 'aaaaaaa1', author: 'ada@example.com', committed_at: '2026-11-20T10:00:00Z', message: 'Known to Slipway' };

const declare = (body: unknown, key?: string) =>
  slipway.call<SignalReleaseResponse & { error: { code: string; details: Record<string, unknown> } }>('POST', '/v1/signals/releases', {
    body,
    ...(key ? { key } : {}),
  });
const releasesOf = async (app: string) => (await slipway.call<ReleaseResponse[]>('GET', `/apps/${app}/releases`)).body;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-signals-'));
  slipway = await startTestSlipway({ dataDir });
  for (const name of ['ios-app', 'android-app', 'firmware']) await slipway.call('POST', '/apps', { body: { name } });
  await slipway.call('POST', '/apps', { body: { name: 'web', cluster: 'local', service: 'web' } });
  // A build Slipway knows lists one of the commits, with its author and time.
  await slipway.call('POST', '/apps/ios-app/builds', { body: { version: '0.9.0', commits: [KNOWN] } });
});
afterAll(async () => {
  await slipway.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("Echoes' releases API", () => {
  const body = {
    version: 'v1.4.0',
    commits: ['bbbbbbb2', 'aaaaaaa1'],
    name: 'Spring',
    ref: 'cccccccccccccccccccccccccccccccccccccccc',
    date: '2026-11-24T10:00:00.000Z',
    deliverables: ['ios-app', 'android-app'],
    url: 'https://ci.example.com/runs/42',
  };
  let declared: SignalReleaseResponse;

  it('takes the body an Echoes client sends: one pending recorded release per deliverable, under one id', async () => {
    const answer = await declare(body);
    expect(answer.status).toBe(201);
    declared = answer.body;
    expect(answer.headers.get('location')).toBe(`/v1/signals/releases/${declared.id}`);
    expect(declared).toMatchObject({ version: 'v1.4.0', deliverables: ['ios-app', 'android-app'], status: 'pending' });
    const [ios] = await releasesOf('ios-app');
    expect(ios).toMatchObject({
      id: declared.releases[0]?.id,
      status: 'pending',
      recorded: true,
      started_at: '2026-11-24T10:00:00.000Z',
      name: 'Spring',
      url: 'https://ci.example.com/runs/42',
      build: { version: 'v1.4.0', commit: 'bbbbbbb2', tag: body.ref },
    });
    // Resolved against the build that lists it where Slipway can; kept as a sha where it cannot.
    expect(ios?.commits).toEqual([
      { sha: 'bbbbbbb2', author: null, committed_at: null, message: null },
      { sha: 'aaaaaaa1', author: 'ada@example.com', committed_at: '2026-11-20T10:00:00.000Z', message: 'Known to Slipway' },
    ]);
    expect((await releasesOf('android-app')).map((release) => release.id)).toEqual([declared.releases[1]?.id]);
  });

  it('answers the same payload again with 303 to the one release, however its keys are ordered, and across a restart', async () => {
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    for (const again of [body, reordered, body]) {
      const answer = await declare(again);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(`/v1/signals/releases/${declared.id}`);
      expect(answer.body.id).toBe(declared.id);
    }
    const { adminKey } = slipway;
    await slipway.close();
    slipway = await startTestSlipway({ dataDir, adminKey });
    const afterRestart = await declare(body);
    expect(afterRestart.status).toBe(303);
    expect((await releasesOf('ios-app')).length).toBe(1);
    expect((await releasesOf('android-app')).length).toBe(1);
  });

  it('makes a new release for another payload, or the same payload from another key', async () => {
    const other = await declare({ ...body, version: 'v1.4.1', deliverables: ['ios-app'] });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(declared.id);
    const developer = await slipway.keyFor('developer');
    const fromAnotherKey = await declare(body, developer);
    expect(fromAnotherKey.status).toBe(201);
    expect((await releasesOf('android-app')).length).toBe(2);
  });

  it('reports success and failure on every deliverable, which the delivery metrics count', async () => {
    const path = `/v1/signals/releases/${declared.id}`;
    const success = await slipway.call<SignalReleaseResponse>('PATCH', path, { body: { status: 'success' } });
    expect(success.status).toBe(200);
    expect(success.body.status).toBe('success');
    expect(success.body.releases.map((release) => release.status)).toEqual(['succeeded', 'succeeded']);
    const metrics = (await slipway.call('GET', '/apps/android-app/metrics?window=1d')).body;
    expect(metrics.deployment_frequency.releases).toBe(1);
    expect(metrics.change_failure_rate.failures).toBe(0);

    const failure = await slipway.call<SignalReleaseResponse>('PATCH', path, { body: { status: 'failure' } });
    expect(failure.body.status).toBe('failure');
    const after = (await slipway.call('GET', '/apps/android-app/metrics?window=1d')).body;
    expect(after.change_failure_rate.failures).toBe(1);
    expect((await slipway.call<SignalReleaseResponse>('GET', path)).body.status).toBe('failure');
    expect((await slipway.call('PATCH', path, { body: { status: 'done' } })).status).toBe(422);
  });

  it('takes dates in every ISO 8601 form clients send', async () => {
    const forms = {
      '2026-11-24T12:00:00Z': '2026-11-24T12:00:00.000Z',
      '2026-11-24T14:00:00.250+02:00': '2026-11-24T12:00:00.250Z',
      '+002026-11-24T12:00:00.000Z': '2026-11-24T12:00:00.000Z',
    };
    for (const [date, stored] of Object.entries(forms)) {
      const answer = await declare({ version: `date-${date}`, commits: [], date, deliverables: ['firmware'] });
      expect(answer.status, date).toBe(201);
      expect(answer.body.date).toBe(stored);
    }
    expect((await declare({ version: 'bad-date', commits: [], date: '24/11/2026', deliverables: ['firmware'] })).status).toBe(422);
  });

  it('refuses a deliverable that is no external app, naming it, and records nothing for the others', async () => {
    const before = (await releasesOf('firmware')).length;
    const unknown = await declare({ version: 'v9', commits: [], deliverables: ['firmware', 'no-such-app'] });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.details]).toEqual([422, 'unknown_deliverable', { deliverable: 'no-such-app' }]);
    const deployed = await declare({ version: 'v9', commits: [], deliverables: ['firmware', 'web'] });
    expect([deployed.status, deployed.body.error.code, deployed.body.error.details]).toEqual([422, 'deliverable_not_external', { deliverable: 'web' }]);
    expect((await releasesOf('firmware')).length).toBe(before);
    // A refusal does not use the payload up: once corrected, it is recorded.
    expect((await declare({ version: 'v9', commits: [], deliverables: ['firmware'] })).status).toBe(201);
  });
});
