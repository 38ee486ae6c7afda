import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../shared/api/error-responses';
import { releaseFixture } from '../../shared/fixtures/model';
import { claimNextVersion, placeInSlot, putReleaseIntent, settleClaim } from '../../shared/store/release-claims-store';
import { handler as reconcile } from '../../functions/rollout-reconcile';
import { recordRelease } from '../../shared/operations/releases';
import { findAppByName } from '../../shared/store/apps-store';
import { lambdaContext } from '../../local/lambda-context';
import { touchesKey, type DynamoCall } from '../support/dynamo-fault-proxy';
import { startFaultySlipway, type FaultySlipway } from '../support/faulty-slipway';
import { seedApp } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * What Slipway answered, it keeps: a release answered 201 or 303 is listed, found by id and by version,
 * and rolled out in its turn; one that could not be placed in time is answered 503, and is placed by a
 * retry under its Idempotency-Key, or by readers and the reconciler once its claim is stale, without
 * waiting for another write. Real rollouts (ECS simulator, local state machine) on a store behind a fault proxy.
 */
let slipway: FaultySlipway;
beforeAll(async () => {
  slipway = await startFaultySlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterEach(() => slipway.faults.clear());
afterAll(() => slipway.close());

type Listed = { id: string; version: number; status: string; started_at: string | null; rollout: { message?: string | null } | null };

const slotWriteOf = (version: number) => (call: DynamoCall) =>
  call.operation === 'PutItem' && touchesKey(`REL#${String(version).padStart(10, '0')}`)(call);

const releasesOf = async (app: string): Promise<Listed[]> => (await slipway.call('GET', `/apps/${app}/releases?limit=100`)).body as Listed[];

/** Waits until every release of the app has left the queue and its rollout, and returns them in version order. */
const settledReleasesOf = (app: string, count: number): Promise<Listed[]> =>
  until(
    async () => `${app}'s ${count} releases to settle: ${JSON.stringify((await releasesOf(app)).map((release) => [release.version, release.status]))}`,
    async () => {
      const releases = await releasesOf(app);
      return releases.length === count && releases.every((release) => !['queued', 'pending'].includes(release.status)) ? releases : undefined;
    },
  );

/** The release is kept as answered: found by id and by version, the same one. */
const expectFindable = async (app: string, release: { id: string; version: number }) => {
  const byId = await slipway.call('GET', `/apps/${app}/releases/${release.id}`);
  const byVersion = await slipway.call('GET', `/apps/${app}/releases/${release.version}`);
  expect(byId.status).toBe(200);
  expect(byVersion.status).toBe(200);
  expect((byVersion.body as Listed).id).toBe(release.id);
};

/** Each release rolled out (succeeded), and none before a lower version had started. */
const expectRolledOutInTurn = (releases: Listed[]) => {
  expect(releases.map((release) => release.status)).toEqual(releases.map(() => 'succeeded'));
  const starts = releases.map((release) => Date.parse(release.started_at ?? ''));
  expect(starts).toEqual([...starts].sort((a, b) => a - b));
};

/** A version claimed at `claimedAt` whose writer died before placing it: its intent and its claim, nothing else. */
const seedAbandonedClaim = async (app: { id: string; name: string }, build: string, claimedAt: string) => {
  const release = releaseFixture({ id: randomUUID(), app: { id: app.id, name: app.name }, slug: { id: build }, version: 0, created_at: claimedAt, updated_at: claimedAt });
  await putReleaseIntent(release);
  return { id: release.id, version: await claimNextVersion(app.id, release.id, claimedAt) };
};

const longAgo = () => new Date(Date.now() - 10 * 60_000).toISOString();

describe('a release whose slot cannot be written in time', () => {
  it('is answered 503, not 201; a retry under its key places it, and it rolls out before the release claimed after it', async () => {
    const { builds } = await seedApp(slipway, 'unplaced', 1);
    const first = await slipway.call('POST', '/apps/unplaced/releases', { body: { slug: builds[0] } });
    expect(first.status).toBe(201);
    slipway.faults.inject({ fault: { kind: 'throttle' }, when: slotWriteOf(2) });

    const keyed = slipway.call('POST', '/apps/unplaced/releases', { body: { slug: builds[0] }, headers: { 'idempotency-key': 'unplaced-2' } });
    // v2 is claimed and its slot write is being refused; a release claimed after it means v2 cannot be given back.
    await until('the v2 slot write to be refused', async () => ((slipway.faults.injected().PutItem ?? 0) > 0 ? true : undefined));
    const later = await slipway.call('POST', '/apps/unplaced/releases', { body: { slug: builds[0] } });
    const refused = await keyed;

    expect(later.status).toBe(201);
    expect(later.body.version).toBe(3);
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(ErrorResponse.safeParse(refused.body).success).toBe(true);
    expect(refused.body.error.code).toBe('release_not_placed');
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const claimed = refused.body.error.details.release as { id: string; version: number };
    expect(claimed.version).toBe(2);

    slipway.faults.clear();
    const retried = await slipway.call('POST', '/apps/unplaced/releases', { body: { slug: builds[0] }, headers: { 'idempotency-key': 'unplaced-2' } });
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe(`/apps/unplaced/releases/${claimed.id}`);
    await expectFindable('unplaced', claimed);
    await expectFindable('unplaced', later.body);

    const settled = await settledReleasesOf('unplaced', 3);
    expect(settled.map((release) => release.id)).toEqual([first.body.id, claimed.id, later.body.id]);
    expectRolledOutInTurn(settled);
  });
});

describe('a stale claim, with no other write to come', () => {
  it('is placed by the first read that misses it, and rolled out', async () => {
    const { app, builds } = await seedApp(slipway, 'stale-read', 1);
    const abandoned = await seedAbandonedClaim(app, builds[0] as string, longAgo());

    await expectFindable('stale-read', abandoned);
    const [release] = await settledReleasesOf('stale-read', 1);
    expect(release).toMatchObject({ id: abandoned.id, version: 1, status: 'succeeded' });
  });

  it('is placed by a list that finds its version missing', async () => {
    const { app, builds } = await seedApp(slipway, 'stale-listed', 1);
    const first = await slipway.call('POST', '/apps/stale-listed/releases', { body: { slug: builds[0] } });
    const abandoned = await seedAbandonedClaim(app, builds[0] as string, longAgo());
    // A release claimed after it and placed by a writer that, unlike Slipway's, left the stale claim alone.
    const above = releaseFixture({ id: randomUUID(), app: { id: app.id, name: app.name }, slug: { id: builds[0] as string }, status: 'failed' });
    const aboveVersion = await claimNextVersion(app.id, above.id, new Date().toISOString());
    await placeInSlot({ ...above, version: aboveVersion });
    await settleClaim(app.id, above.id, aboveVersion);

    const listed = await releasesOf('stale-listed');
    expect(listed.map((release) => [release.id, release.version])).toEqual([
      [first.body.id, 1],
      [abandoned.id, 2],
      [above.id, 3],
    ]);
  });

  it('is placed by the reconciler, and rolled out', async () => {
    const { app, builds } = await seedApp(slipway, 'stale-reconciled', 1);
    const abandoned = await seedAbandonedClaim(app, builds[0] as string, longAgo());
    expect(await releasesOf('stale-reconciled')).toEqual([]);

    await reconcile({}, lambdaContext('rollout-reconcile'));

    const [release] = await settledReleasesOf('stale-reconciled', 1);
    expect(release, release?.rollout?.message ?? undefined).toMatchObject({ id: abandoned.id, version: 1, status: 'succeeded' });
  });

  it('is never passed by the queue: a release claimed after it waits for it, and both roll out in turn', async () => {
    const { app, builds } = await seedApp(slipway, 'stale-queued', 1);
    const abandoned = await seedAbandonedClaim(app, builds[0] as string, longAgo());

    const next = await slipway.call('POST', '/apps/stale-queued/releases', { body: { slug: builds[0] } });
    expect(next.body.version).toBe(2);

    const settled = await settledReleasesOf('stale-queued', 2);
    expect(settled.map((release) => release.id)).toEqual([abandoned.id, next.body.id]);
    expectRolledOutInTurn(settled);
  });

  it('runs with the config the app had when it was placed', async () => {
    const { app, builds } = await seedApp(slipway, 'stale-config', 1);
    expect((await slipway.call('POST', '/apps/stale-config/releases', { body: { slug: builds[0] } })).status).toBe(201);
    await settledReleasesOf('stale-config', 1);
    const configured = await slipway.call('PATCH', '/apps/stale-config/config-vars', { body: { GREETING: 'hello' } });
    expect(configured.status).toBe(200);
    const [, withConfig] = await settledReleasesOf('stale-config', 2);
    const abandoned = await seedAbandonedClaim(app, builds[0] as string, longAgo());

    await expectFindable('stale-config', abandoned);
    const placed = await slipway.call('GET', `/apps/stale-config/releases/${abandoned.id}`);
    expect(placed.body.config_version).not.toBeNull();
    expect(placed.body.config_version).toBe((withConfig as Listed & { config_version: number }).config_version);
  });
});

describe('one release id, recorded by calls that overlap', () => {
  it('is one release: a claim that comes after the release was placed meets it instead of taking another version', async () => {
    const { builds } = await seedApp(slipway, 'same-id', 1);
    const app = await findAppByName('same-id');
    if (!app) throw new Error('the app was just created');
    const plan = { slugId: builds[0] as string, image: 'registry.local/same-id:v1', description: 'Deploy', trigger: 'deploy' } as const;
    const actor = { id: 'test', email: 'test@example.com' };
    const id = randomUUID();

    const placed = await recordRelease(app, plan, actor, id);
    // What an overlapping call does once it found nothing recorded yet: claim a version for the same id.
    expect(await claimNextVersion(app.id, id, new Date().toISOString())).toBe(placed.version);
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => recordRelease(app, plan, actor, id)));

    expect(concurrent.map((release) => release.version)).toEqual(concurrent.map(() => placed.version));
    expect((await releasesOf('same-id')).map((release) => release.id)).toEqual([id]);
  });
});
