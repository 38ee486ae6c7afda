import type { Build, BuildLabels, Commit, ShippedCommits } from './model';

/** How many commits a build lists (a shipment names at most as many): they are copied onto each of its releases. */
export const MAX_BUILD_COMMITS = 100;

/** The commit a build deploys: its `sha`, else the newest of the commits it lists. */
export const headCommitOf = (build: Pick<Build, 'source_blob' | 'commits'>): string | null =>
  build.source_blob.commit ?? build.commits?.[0]?.sha ?? null;

export const buildLabelsOf = (build: Pick<Build, 'source_blob' | 'commits' | 'ci_build_id'>): BuildLabels => ({
  version: build.source_blob.version,
  commit: headCommitOf(build),
  tag: build.source_blob.tag ?? null,
  branch: build.source_blob.branch,
  ci_build_id: build.ci_build_id ?? null,
});

/**
 * What a release of `build` ships on top of the app's previous succeeded release (`previous`: its version
 * and head commit). Builds list their commits newest first, so the shipped ones are those above the
 * previous head. When the list does not reach it (a rollback, a CI that sends only the pushed commits, a
 * build without commits) Slipway cannot tell, keeps what the build lists and says so.
 */
export const shippedCommits = (
  build: Pick<Build, 'source_blob' | 'commits'>,
  previous: { version: number; commit: string | null } | undefined,
): ShippedCommits => {
  const listed: Commit[] = build.commits ?? [];
  if (!previous) {
    return { commits: listed, since_version: null, complete: true, reason: 'first release of the app: every commit the build lists' };
  }
  const head = headCommitOf(build);
  const since = { since_version: previous.version };
  if (previous.commit !== null && head === previous.commit) {
    return { commits: [], ...since, complete: true, reason: `same commit as v${previous.version}` };
  }
  const reached = previous.commit === null ? -1 : listed.findIndex((commit) => commit.sha === previous.commit);
  if (reached >= 0) {
    return { commits: listed.slice(0, reached), ...since, complete: true, reason: `the commits after v${previous.version}'s ${previous.commit}` };
  }
  const unknown = { commits: listed, ...since, complete: false };
  if (listed.length === 0) {
    const why = previous.commit === null ? `v${previous.version} names no commit and the build lists none` : 'the build lists no commits';
    return { ...unknown, reason: `cannot tell: ${why}` };
  }
  const why = previous.commit === null ? `v${previous.version} names no commit` : `the build's commits do not reach v${previous.version}'s ${previous.commit}`;
  return { ...unknown, reason: `cannot tell: ${why}; these are the commits the build lists` };
};
