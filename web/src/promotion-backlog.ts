/** What a promotion would still carry forward: the releases, newest first, and whether older ones belong too. */
export type Backlog<R> = { releases: R[]; more: boolean };

/**
 * The source stage's succeeded releases newer than the newest whose build runs downstream, from one page of
 * them newest first (`more`: older ones follow the page). When no release of the page runs downstream the
 * backlog may reach past the page, and says so rather than guess.
 */
export const notYetPromoted = <R extends { slug: { id: string } }>(
  succeeded: { releases: readonly R[]; more: boolean },
  runningDownstream: ReadonlySet<string>,
): Backlog<R> => {
  const promoted = succeeded.releases.findIndex((release) => runningDownstream.has(release.slug.id));
  return promoted >= 0 ? { releases: succeeded.releases.slice(0, promoted), more: false } : { releases: [...succeeded.releases], more: succeeded.more };
};
