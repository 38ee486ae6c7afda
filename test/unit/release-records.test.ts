import { describe, expect, it } from 'vitest';
import { drivingIndexOf, matchesFilter } from '../../shared/domain/release-filter';
import { headCommitOf, shippedCommits } from '../../shared/domain/shipped-commits';
import { releaseFixture } from '../../shared/fixtures/model';

const commit = (sha: string) => ({ sha, author: null, committed_at: '2026-11-01T00:00:00.000Z', message: null });
const blob = { image: 'i', commit: null, branch: null, repo: null, version: null, author: null, message: null };
const build = (commits: string[], sha: string | null = null) => ({ source_blob: { ...blob, commit: sha }, commits: commits.map(commit) });

describe('commits a release ships', () => {
  it('are the build commits above the previous succeeded release', () => {
    const shipped = shippedCommits(build(['ccccccc', 'bbbbbbb', 'aaaaaaa']), { version: 4, commit: 'aaaaaaa' });
    expect(shipped).toMatchObject({ since_version: 4, complete: true });
    expect(shipped.commits.map((c) => c.sha)).toEqual(['ccccccc', 'bbbbbbb']);
  });

  it('are none for a redeploy of the running commit, and all listed for the first release', () => {
    expect(shippedCommits(build([], 'aaaaaaa'), { version: 2, commit: 'aaaaaaa' })).toMatchObject({ commits: [], complete: true });
    expect(shippedCommits(build(['bbbbbbb', 'aaaaaaa']), undefined)).toMatchObject({ since_version: null, complete: true });
  });

  it('say so when Slipway cannot tell, keeping what the build lists and saying so only when it lists any', () => {
    const unreached = shippedCommits(build(['ccccccc']), { version: 2, commit: 'aaaaaaa' });
    expect(unreached).toMatchObject({ complete: false, commits: [commit('ccccccc')] });
    expect(unreached.reason).toBe("cannot tell: the build's commits do not reach v2's aaaaaaa; these are the commits the build lists");
    expect(shippedCommits(build([]), { version: 2, commit: 'aaaaaaa' }).reason).toBe('cannot tell: the build lists no commits');
    expect(shippedCommits(build([]), { version: 2, commit: null }).reason).toBe('cannot tell: v2 names no commit and the build lists none');
    expect(shippedCommits(build(['ccccccc']), { version: 2, commit: null }).reason).toBe('cannot tell: v2 names no commit; these are the commits the build lists');
  });

  it("take the build's sha as its head, else its newest listed commit", () => {
    expect(headCommitOf(build(['bbbbbbb'], 'aaaaaaa'))).toBe('aaaaaaa');
    expect(headCommitOf(build(['bbbbbbb', 'aaaaaaa']))).toBe('bbbbbbb');
    expect(headCommitOf(build([]))).toBeNull();
  });
});

describe('release filters', () => {
  const release = releaseFixture({
    version: 3,
    slug: { id: 'b1' },
    status: 'failed',
    trigger: 'deploy',
    created_at: '2026-11-30T05:00:00.000Z',
    build_labels: { version: '1.2.0', commit: 'abcdef1', tag: null, branch: null },
  });

  it('are driven by the most selective index the filter names, values deduplicated', () => {
    expect(drivingIndexOf({ statuses: ['failed'], builds: ['b1', 'b1'], versions: ['1.2.0'] })).toEqual({ dimension: 'build', values: ['b1'] });
    expect(drivingIndexOf({ statuses: ['failed'], triggers: ['deploy'] })).toEqual({ dimension: 'trigger', values: ['deploy'] });
    expect(drivingIndexOf({ since: '2026-01-01T00:00:00.000Z' })).toBeUndefined();
  });

  it('match on every dimension named, any value of each, time bounds included', () => {
    expect(matchesFilter(release, { versions: ['1.0.0', '1.2.0'], revisions: ['abcdef1'], statuses: ['failed'] })).toBe(true);
    expect(matchesFilter(release, { versions: ['1.2.0'], triggers: ['rollback'] })).toBe(false);
    expect(matchesFilter(release, { since: release.created_at, until: release.created_at })).toBe(true);
    expect(matchesFilter(release, { until: '2026-11-30T04:59:59.999Z' })).toBe(false);
    expect(matchesFilter({ ...release, build_labels: undefined }, { versions: ['1.2.0'] })).toBe(false);
  });
});
