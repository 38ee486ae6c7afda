import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../shared/api/error-responses';
import { releaseFixture } from '../../shared/fixtures/model';
import { runBeforeDeadline } from '../../shared/runtime/deadline';
import { claimReleaseVersion } from '../../shared/store/releases-store';
import { touchesKey, type DynamoCall } from '../support/dynamo-fault-proxy';
import { startFaultySlipway, type FaultySlipway } from '../support/faulty-slipway';
import { seedApp } from '../support/local-slipway';
import { releaseIntegrityProblems, releasesByApp } from '../support/table-census';

let slipway: FaultySlipway;
beforeAll(async () => {
  slipway = await startFaultySlipway();
});
afterEach(() => slipway.faults.clear());
afterAll(() => slipway.close());

const releaseWrite = (call: DynamoCall) => call.operation === 'PutItem' && touchesKey('REL#')(call);
const releaseRead = (call: DynamoCall) => call.operation === 'Query' && touchesKey('REL#')(call);

const storedReleasesOf = async (app: string) => (await releasesByApp()).get(app) ?? [];

const expectCleanRefusal = (response: { status: number; body: unknown }, what = 'the request') => {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(503);
  expect(ErrorResponse.safeParse(response.body).success, what).toBe(true);
};

describe('DynamoDB throttling', () => {
  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException'] as const)(
    'a burst of %s on release writes is absorbed by SDK retries: 201 and one release per request',
    async (error) => {
      const app = `throttled-${error.length}`;
      const { builds } = await seedApp(slipway, app, 1);
      slipway.faults.inject({ fault: { kind: 'throttle', error }, when: releaseWrite, times: 3 });

      const responses = await Promise.all(
        [0, 1, 2].map(() => slipway.call('POST', `/apps/${app}/releases`, { body: { slug: builds[0] } })),
      );

      expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
      expect(slipway.faults.injected().PutItem).toBeGreaterThanOrEqual(3);
      const stored = await storedReleasesOf(app);
      expect(stored.map((release) => release.id).sort()).toEqual(responses.map((response) => response.body.id).sort());
      expect(releaseIntegrityProblems(stored)).toEqual([]);
    },
  );

  // One test for writes, reads and the key lookup alike: each sits through the SDK's full backoff.
  it('throttling that outlasts the retries ends in a JSON 503 with Retry-After, writes nothing and then passes', async () => {
    const { builds } = await seedApp(slipway, 'throttled-hard', 1);
    const { builds: readable } = await seedApp(slipway, 'throttled-reads', 1);
    await slipway.call('POST', '/apps/throttled-reads/releases', { body: { slug: readable[0] } });
    const unluckyKey = await slipway.keyFor('developer');
    const unluckyLookup = touchesKey(`APIKEY#${createHash('sha256').update(unluckyKey).digest('hex')}`);
    slipway.faults.inject(
      { fault: { kind: 'throttle' }, when: releaseWrite },
      { fault: { kind: 'throttle', error: 'ProvisionedThroughputExceededException' }, when: releaseRead },
      { fault: { kind: 'throttle' }, when: unluckyLookup },
    );

    const [write, read, authorized] = await Promise.all([
      slipway.call('POST', '/apps/throttled-hard/releases', { body: { slug: builds[0] } }),
      slipway.call('GET', '/apps/throttled-reads/releases'),
      slipway.call('GET', '/apps/throttled-reads/releases', { key: unluckyKey }),
    ]);

    expectCleanRefusal(write, 'the release write');
    expectCleanRefusal(read, 'the release list');
    expectCleanRefusal(authorized, 'the request whose API key lookup is throttled');
    expect(write.headers.get('retry-after')).toBeTruthy();
    expect(await storedReleasesOf('throttled-hard')).toEqual([]);

    slipway.faults.clear();
    const retried = await slipway.call('POST', '/apps/throttled-hard/releases', { body: { slug: builds[0] } });
    expect(retried.status).toBe(201);
    expect(retried.body.version).toBe(1);
    expect((await slipway.call('GET', '/apps/throttled-reads/releases', { key: unluckyKey })).body).toHaveLength(1);
  });
  it('a version claimed but whose slot write is throttled for good is given back: 503, nothing written, no gap', async () => {
    const { builds } = await seedApp(slipway, 'throttled-slot', 1);
    const first = await slipway.call('POST', '/apps/throttled-slot/releases', { body: { slug: builds[0] } });
    slipway.faults.inject({ fault: { kind: 'throttle' }, when: releaseWrite });

    const refused = await slipway.call('POST', '/apps/throttled-slot/releases', { body: { slug: builds[0] } });

    expectCleanRefusal(refused, 'the release write');
    expect((await storedReleasesOf('throttled-slot')).map((release) => release.id)).toEqual([first.body.id]);
    slipway.faults.clear();
    const retried = await slipway.call('POST', '/apps/throttled-slot/releases', { body: { slug: builds[0] } });
    expect(retried.body.version).toBe(2);
    expect(releaseIntegrityProblems(await storedReleasesOf('throttled-slot'))).toEqual([]);
  });
});

describe('the invocation deadline', () => {
  it("stops the SDK retrying a throttled write once it passes, rather than after the SDK's five attempts", async () => {
    const { app, builds } = await seedApp(slipway, 'deadline-bound', 1);
    slipway.faults.inject({ fault: { kind: 'throttle' }, when: releaseWrite });
    const release = releaseFixture({ id: randomUUID(), app: { id: app.id, name: app.name }, version: 1, slug: { id: builds[0] as string } });

    const outcome = await runBeforeDeadline(200, () => claimReleaseVersion(release)).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(Error);
    expect(slipway.faults.injected().PutItem).toBeLessThan(5);
    expect(await storedReleasesOf('deadline-bound')).toEqual([]);
  });
});

describe('DynamoDB server faults and timeouts', () => {
  it('a transient InternalServerError on a release write is retried to a 201', async () => {
    const { builds } = await seedApp(slipway, 'flaky-server', 1);
    slipway.faults.inject({ fault: { kind: 'internal_error' }, when: releaseWrite, times: 2 });

    const created = await slipway.call('POST', '/apps/flaky-server/releases', { body: { slug: builds[0] } });

    expect(created.status).toBe(201);
    expect(slipway.faults.injected().PutItem).toBeGreaterThanOrEqual(2);
    expect(releaseIntegrityProblems(await storedReleasesOf('flaky-server'))).toEqual([]);
  });

  it('a persistent InternalServerError ends in a JSON 503, never a 500', async () => {
    const { builds } = await seedApp(slipway, 'broken-server', 1);
    slipway.faults.inject({ fault: { kind: 'internal_error' }, when: releaseWrite });

    expectCleanRefusal(await slipway.call('POST', '/apps/broken-server/releases', { body: { slug: builds[0] } }));
    expect(await storedReleasesOf('broken-server')).toEqual([]);
  });

  it('slow DynamoDB answers only slow the request down', async () => {
    const { builds } = await seedApp(slipway, 'slow-table', 1);
    slipway.faults.inject({ fault: { kind: 'delay', ms: 300 }, when: touchesKey('REL#') });

    const created = await slipway.call('POST', '/apps/slow-table/releases', { body: { slug: builds[0] } });
    const listed = await slipway.call('GET', '/apps/slow-table/releases');

    expect(created.status).toBe(201);
    expect(listed.body.map((release: { id: string }) => release.id)).toEqual([created.body.id]);
  });

  it('connections dropped before DynamoDB sees the write are retried to a single release', async () => {
    const { builds } = await seedApp(slipway, 'dropped-early', 1);
    slipway.faults.inject({ fault: { kind: 'reset_before' }, when: releaseWrite, times: 2 });

    const created = await slipway.call('POST', '/apps/dropped-early/releases', { body: { slug: builds[0] } });

    expect(created.status).toBe(201);
    expect(slipway.faults.injected().PutItem).toBeGreaterThanOrEqual(2);
    const stored = await storedReleasesOf('dropped-early');
    expect(stored.map((release) => release.id)).toEqual([created.body.id]);
  });

  it('a release write that lands but whose answer is lost still yields exactly one release', async () => {
    const { builds } = await seedApp(slipway, 'dropped-late', 1);
    slipway.faults.inject({ fault: { kind: 'reset_after' }, when: releaseWrite, times: 1 });

    const created = await slipway.call('POST', '/apps/dropped-late/releases', { body: { slug: builds[0] } });

    expect(created.status).toBe(201);
    const stored = await storedReleasesOf('dropped-late');
    expect(releaseIntegrityProblems(stored)).toEqual([]);
    expect(stored.map((release) => release.id)).toEqual([created.body.id]);
    expect(created.body.version).toBe(1);
  });

  it('a release write that is never answered is abandoned by the SDK and retried: 201 and one release', async () => {
    const { builds } = await seedApp(slipway, 'stalled', 1);
    slipway.faults.inject({ fault: { kind: 'stall' }, when: releaseWrite, times: 1 });

    const created = await slipway.call('POST', '/apps/stalled/releases', { body: { slug: builds[0] } });

    expect(created.status).toBe(201);
    const stored = await storedReleasesOf('stalled');
    expect(stored.map((release) => release.id)).toEqual([created.body.id]);
  });

  it('persistent connection resets end in a JSON 503 and write nothing', async () => {
    const { builds } = await seedApp(slipway, 'unreachable', 1);
    slipway.faults.inject({ fault: { kind: 'reset_before' }, when: releaseWrite });

    expectCleanRefusal(await slipway.call('POST', '/apps/unreachable/releases', { body: { slug: builds[0] } }));
    expect(await storedReleasesOf('unreachable')).toEqual([]);
  });
});
