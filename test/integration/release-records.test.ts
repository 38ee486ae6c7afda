import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { releaseFixture } from '../../shared/fixtures/model';
import { indexReleasesOfEveryApp } from '../../shared/operations/release-index';
import { putIfAbsent } from '../../shared/store/client';
import { releaseKey } from '../../shared/store/keys';
import { settleRollout, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
const NOTES = '<h1>1.1.0</h1><script>alert("pwned")</script><p>Faster checkout</p>';
const commit = (sha: string, at: string, message: string) => ({ sha, author: 'ada@example.com', committed_at: at, message });
const C1 = commit('aaaaaaa1', '2026-11-01T10:00:00Z', 'first');
const C2 = commit('bbbbbbb2', '2026-11-02T10:00:00Z', 'second');
const C3 = commit('ccccccc3', '2026-11-03T10:00:00Z', 'third');
const builds: Record<string, string> = {};
const releases: ReleaseResponse[] = [];

const versionsOf = async (query: string, headers?: Record<string, string>) => {
  const answer = await slipway.call<ReleaseResponse[]>('GET', `/apps/records/releases${query}`, headers ? { headers } : {});
  if (answer.status >= 300) throw new Error(`${query}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.map((release) => release.version);
};

/**
 * History of `records`: v1 deploys 1.0.0 (succeeded), v2 1.1.0 with notes (succeeded), v3 1.2.0 (failed),
 * v4 rolls back to v1 (succeeded, current), v5 deploys 1.1.0 again (queued).
 */
beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'records', cluster: 'local', service: 'records-svc' } });
  const register = async (name: string, body: Record<string, unknown>) => {
    const answer = await slipway.call('POST', '/apps/records/builds', { body: { image: `registry.local/records:${name}`, ...body } });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    builds[name] = answer.body.id;
  };
  await register('b1', { version: '1.0.0', commits: [C1], tag: 'v1.0.0', branch: 'main' });
  await register('b2', { version: '1.1.0', commits: [C2, C1], metadata: { pipeline: 42, flags: ['fast'] } });
  await register('b3', { version: '1.2.0', commits: [C3, C2] });
  const release = async (body: Record<string, unknown>, outcome?: 'COMPLETED' | 'FAILED') => {
    const answer = await slipway.call<ReleaseResponse>('POST', '/apps/records/releases', { body });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    if (outcome) await settleRollout(answer.body, outcome);
    releases.push((await slipway.call<ReleaseResponse>('GET', `/apps/records/releases/${answer.body.id}`)).body);
    // Distinct creation times, so since/until have a boundary to fall on.
    await sleep(5);
  };
  await release({ slug: builds.b1 }, 'COMPLETED');
  await release({ slug: builds.b2, notes: NOTES, metadata: { ticket: 'OPS-7' } }, 'COMPLETED');
  await release({ slug: builds.b3 }, 'FAILED');
  await release({ release: releases[0]?.id }, 'COMPLETED');
  await release({ slug: builds.b2 });
});
afterAll(() => slipway.close());

describe('release records', () => {
  it('builds keep commits, version, tag, branch and metadata', async () => {
    const build = (await slipway.call('GET', `/apps/records/builds/${builds.b2}`)).body;
    expect(build).toMatchObject({
      source_blob: { version: '1.1.0', tag: null },
      commits: [
        { sha: 'bbbbbbb2', author: 'ada@example.com', committed_at: '2026-11-02T10:00:00.000Z', message: 'second' },
        { sha: 'aaaaaaa1', committed_at: '2026-11-01T10:00:00.000Z' },
      ],
      metadata: { pipeline: 42, flags: ['fast'] },
    });
    expect((await slipway.call('GET', `/apps/records/builds/${builds.b1}`)).body.source_blob).toMatchObject({ tag: 'v1.0.0', branch: 'main' });
  });

  it('refuses metadata over its byte bound and too many commits, changing nothing', async () => {
    const before = (await slipway.call('GET', '/apps/records/builds')).body.length;
    const fat = await slipway.call('POST', '/apps/records/builds', { body: { image: 'registry.local/records:x', metadata: { blob: 'é'.repeat(4200) } } });
    expect(fat.status).toBe(422);
    const many = Array.from({ length: 101 }, (_, index) => commit(`${index}`.padStart(7, 'f'), '2026-11-01T00:00:00Z', 'x'));
    expect((await slipway.call('POST', '/apps/records/builds', { body: { image: 'registry.local/records:y', commits: many } })).status).toBe(422);
    expect((await slipway.call('GET', '/apps/records/releases?notes=x')).status).toBe(422);
    expect((await slipway.call('GET', '/apps/records/builds')).body.length).toBe(before);
  });

  it("releases keep notes as given, metadata, their build's labels and the commits shipped since the previous success", () => {
    const [v1, v2, v3, v4, v5] = releases;
    expect(v1).toMatchObject({ commits: [C1].map((c) => ({ ...c, committed_at: '2026-11-01T10:00:00.000Z' })), commits_since: { version: null, complete: true } });
    expect(v2).toMatchObject({
      notes: NOTES,
      metadata: { ticket: 'OPS-7' },
      build: { id: builds.b2, version: '1.1.0', commit: 'bbbbbbb2', tag: null },
      commits_since: { version: 1, complete: true },
    });
    expect(v2?.commits.map((c) => c.sha)).toEqual(['bbbbbbb2']);
    expect(v3?.commits.map((c) => c.sha)).toEqual(['ccccccc3']);
    expect(v3?.commits_since).toMatchObject({ version: 2, complete: true });
    // A rollback to 1.0.0: the build's commits never reach v2's head, and the record says so.
    expect(v4).toMatchObject({ trigger: 'rollback', build: { version: '1.0.0', tag: 'v1.0.0', branch: 'main' } });
    expect(v4?.commits_since).toMatchObject({ version: 2, complete: false });
    expect(v4?.commits_since.reason).toMatch(/cannot tell/);
    // Counted from the current release (v4, running aaaaaaa1) when v5 was recorded.
    expect(v5?.commits.map((c) => c.sha)).toEqual(['bbbbbbb2']);
    expect(v5?.commits_since).toMatchObject({ version: 4, complete: true });
  });

  it('lists newest first or oldest first, paging either way', async () => {
    expect(await versionsOf('')).toEqual([1, 2, 3, 4, 5]);
    expect(await versionsOf('?order=desc')).toEqual([5, 4, 3, 2, 1]);
    expect(await versionsOf('?order=asc&limit=2')).toEqual([1, 2]);
    const first = await slipway.call('GET', '/apps/records/releases?order=desc&limit=2');
    expect(first.body.map((release: ReleaseResponse) => release.version)).toEqual([5, 4]);
    const cursor = first.headers.get('next-cursor');
    expect(await versionsOf(`?order=desc&limit=2&cursor=${cursor}`)).toEqual([3, 2]);
  });

  it('filters by version label, revision, build, status, trigger and current, repeated or comma-separated', async () => {
    expect(await versionsOf('?version=1.1.0')).toEqual([2, 5]);
    expect(await versionsOf('?version[]=1.0.0&version[]=1.2.0')).toEqual([1, 3, 4]);
    expect(await versionsOf('?version=1.0.0,1.2.0&order=desc')).toEqual([4, 3, 1]);
    expect(await versionsOf('?version=9.9.9')).toEqual([]);
    expect(await versionsOf('?revision=bbbbbbb2')).toEqual([2, 5]);
    expect(await versionsOf('?revision[]=aaaaaaa1&revision[]=ccccccc3')).toEqual([1, 3, 4]);
    expect(await versionsOf(`?build=${builds.b1}`)).toEqual([1, 4]);
    expect(await versionsOf(`?build[]=${builds.b3}&build[]=${builds.b2}&order=desc`)).toEqual([5, 3, 2]);
    expect(await versionsOf('?status=succeeded')).toEqual([1, 2, 4]);
    expect(await versionsOf('?status[]=failed&status[]=queued')).toEqual([3, 5]);
    expect(await versionsOf('?trigger=rollback')).toEqual([4]);
    expect(await versionsOf('?trigger=deploy&status=succeeded')).toEqual([1, 2]);
    expect(await versionsOf('?current=true')).toEqual([4]);
    expect(await versionsOf('?current=true&trigger=deploy')).toEqual([]);
  });

  it('filters by creation time, bounds included', async () => {
    const at = (index: number) => encodeURIComponent(releases[index]?.created_at ?? '');
    expect(await versionsOf(`?since=${at(2)}`)).toEqual([3, 4, 5]);
    expect(await versionsOf(`?until=${at(1)}`)).toEqual([1, 2]);
    expect(await versionsOf(`?since=${at(1)}&until=${at(3)}&order=desc`)).toEqual([4, 3, 2]);
    expect(await versionsOf(`?since=${at(1)}&status=succeeded`)).toEqual([2, 4]);
    expect(await versionsOf('?since=2099-01-01T00:00:00Z')).toEqual([]);
  });

  it('filters each paging form: limit pages and Range pages', async () => {
    const page = await slipway.call('GET', '/apps/records/releases?status=succeeded&limit=2');
    expect(page.body.map((release: ReleaseResponse) => release.version)).toEqual([1, 2]);
    expect(await versionsOf(`?status=succeeded&limit=2&cursor=${page.headers.get('next-cursor')}`)).toEqual([4]);
    const ranged = await slipway.call('GET', '/apps/records/releases?status=succeeded', { headers: { range: 'version ..; order=desc, max=2' } });
    expect(ranged.status).toBe(206);
    expect(ranged.body.map((release: ReleaseResponse) => release.version)).toEqual([4, 2]);
    expect(ranged.headers.get('next-range')).toBe('version ..1; order=desc, max=2');
  });

  it('refuses bad filters with a 4xx error', async () => {
    for (const query of ['?status=bogus', '?order=sideways', '?revision=xyz', '?build=nope', '?current=yes', '?until=yesterday']) {
      const answer = await slipway.call('GET', `/apps/records/releases${query}`);
      expect([answer.status, answer.body.error.code]).toEqual([422, 'validation_failed']);
    }
    const both = await slipway.call('GET', '/apps/records/releases?order=desc', { headers: { range: 'version ..' } });
    expect([both.status, both.body.error.code]).toEqual([400, 'invalid_range']);
  });
});

describe('releases recorded before index rows existed', () => {
  it('are found by every filter once `npm run index-releases` has indexed them', async () => {
    const app = (await slipway.call('POST', '/apps', { body: { name: 'legacy', cluster: 'local', service: 'legacy-svc' } })).body;
    const build = (await slipway.call('POST', '/apps/legacy/builds', { body: { image: 'registry.local/legacy:v1' } })).body;
    const at = '2026-01-01T00:00:00.000Z';
    // The item exactly as the store wrote releases before: no gsi2 status keys, no build labels, no index rows.
    await putIfAbsent({
      ...releaseKey(app.id, 1),
      lsi1sk: 'RELID#7c0ffee0-0000-4000-8000-000000000001',
      gsi1pk: 'ID#7c0ffee0-0000-4000-8000-000000000001',
      gsi1sk: 'RELEASE',
      type: 'release',
      ...releaseFixture({
        id: '7c0ffee0-0000-4000-8000-000000000001',
        app: { id: app.id, name: 'legacy' },
        slug: { id: build.id },
        image: 'registry.local/legacy:v1',
        description: 'Deploy from the old days',
        status: 'succeeded',
        user: { id: 'old', email: 'old@example.com' },
        created_at: at,
        updated_at: at,
        started_at: at,
        finished_at: at,
        revision: 1,
      }),
    });
    const legacy = async (query: string) =>
      (await slipway.call<ReleaseResponse[]>('GET', `/apps/legacy/releases${query}`)).body.map((release) => release.version);
    expect(await legacy('')).toEqual([1]);
    expect(await legacy('?status=succeeded')).toEqual([]);

    const reported: string[] = [];
    expect(await indexReleasesOfEveryApp((name, count) => reported.push(`${name}:${count}`))).toBeGreaterThanOrEqual(1);
    expect(reported).toContain('legacy:1');
    expect(await legacy('?status=succeeded')).toEqual([1]);
    expect(await legacy(`?build=${build.id}`)).toEqual([1]);
    expect(await legacy('?trigger=deploy&since=2025-12-31T00:00:00Z&until=2026-01-02T00:00:00Z')).toEqual([1]);
    const old = (await slipway.call<ReleaseResponse>('GET', '/apps/legacy/releases/1')).body;
    expect(old).toMatchObject({ notes: null, metadata: {}, commits: [], commits_since: { complete: false } });
  });
});
