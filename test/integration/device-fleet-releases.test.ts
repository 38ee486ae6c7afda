import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * What a device fleet's release API offers, on Slipway's own: min_version on a release, the builds' CI ids
 * (ci_build_id) as a filter (build_id[]), and sort=created_date|-created_date as another name for order.
 */
let slipway: TestSlipway;
const slugs: Record<string, string> = {};

const list = async (query: string) => {
  const answer = await slipway.call<ReleaseResponse[]>('GET', `/apps/firmware/releases?${query}`);
  if (answer.status !== 200) throw new Error(`${query}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.map((release) => release.build.version);
};

beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'firmware' } });
  for (const [version, ciBuildId, sha] of [
    ['1.0.0', 'ci-101', 'aaaaaaa1'],
    ['1.1.0', 'ci-102', 'bbbbbbb2'],
    ['1.2.0', 'ci-103', 'ccccccc3'],
  ] as const) {
    const build = await slipway.call('POST', '/apps/firmware/builds', { body: { version, sha, ci_build_id: ciBuildId } });
    slugs[version] = build.body.id;
    const release = await slipway.call('POST', '/apps/firmware/releases', {
      body: { slug: build.body.id, status: 'succeeded', min_version: '0.9.0', notes: `<p>${version}</p>`, metadata: { channel: 'beta' } },
    });
    if (release.status !== 201) throw new Error(JSON.stringify(release.body));
  }
});
afterAll(() => slipway.close());

describe('device-fleet fields and filters', () => {
  it("keeps a release's min_version and its build's CI id", async () => {
    const [first] = (await slipway.call<ReleaseResponse[]>('GET', '/apps/firmware/releases?limit=1')).body;
    expect(first).toMatchObject({ min_version: '0.9.0', notes: '<p>1.0.0</p>', metadata: { channel: 'beta' }, build: { version: '1.0.0', ci_build_id: 'ci-101' } });
    expect((await slipway.call('GET', `/apps/firmware/builds/${slugs['1.0.0']}`)).body.ci_build_id).toBe('ci-101');
  });

  it('filters by the builds\' CI ids, alone or with version and revision', async () => {
    expect(await list('build_id[]=ci-102')).toEqual(['1.1.0']);
    expect(await list('build_id[]=ci-103&build_id[]=ci-101')).toEqual(['1.0.0', '1.2.0']);
    expect(await list('build_id=ci-101,ci-102&version[]=1.1.0')).toEqual(['1.1.0']);
    expect(await list('build_id[]=ci-101&revision[]=bbbbbbb2')).toEqual([]);
    expect(await list('build_id[]=ci-999')).toEqual([]);
  });

  it('sorts by creation date either way, as order does', async () => {
    expect(await list('sort=-created_date')).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect(await list('sort=created_date&limit=2')).toEqual(['1.0.0', '1.1.0']);
    expect(await list('sort=-created_date&order=desc&build_id[]=ci-101&build_id[]=ci-102')).toEqual(['1.1.0', '1.0.0']);
    const conflicting = await slipway.call('GET', '/apps/firmware/releases?sort=created_date&order=desc');
    expect([conflicting.status, conflicting.body.error.details.issues[0].path]).toEqual([422, 'query.sort']);
    expect((await slipway.call('GET', '/apps/firmware/releases?sort=version')).status).toBe(422);
  });
});
