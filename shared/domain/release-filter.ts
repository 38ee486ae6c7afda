import type { Release, ReleaseStatus, ReleaseTrigger } from './model';

/** What a release list may be narrowed to; each list holds alternatives (any of them matches). */
export type ReleaseFilter = {
  versions?: readonly string[] | undefined;
  revisions?: readonly string[] | undefined;
  builds?: readonly string[] | undefined;
  /** The builds' CI ids (ci_build_id). */
  ciBuilds?: readonly string[] | undefined;
  statuses?: readonly ReleaseStatus[] | undefined;
  triggers?: readonly ReleaseTrigger[] | undefined;
  since?: string | undefined;
  until?: string | undefined;
};

/**
 * The attributes a release is indexed by (each a key range in the store), most selective first: a list is
 * driven by one Query per value of the first one its filter names, and the rest are checked on the
 * releases that Query yields.
 */
const INDEXED_DIMENSIONS = ['build', 'ci_build', 'revision', 'version', 'trigger', 'status'] as const;
export type IndexedDimension = (typeof INDEXED_DIMENSIONS)[number];

const valuesOf = (filter: ReleaseFilter, dimension: IndexedDimension): readonly string[] | undefined =>
  ({ build: filter.builds, ci_build: filter.ciBuilds, revision: filter.revisions, version: filter.versions, trigger: filter.triggers, status: filter.statuses })[
    dimension
  ];

export const indexedValueOf = (release: Release, dimension: IndexedDimension): string | null =>
  ({
    build: release.slug.id,
    ci_build: release.build_labels?.ci_build_id ?? null,
    revision: release.build_labels?.commit ?? null,
    version: release.build_labels?.version ?? null,
    trigger: release.trigger,
    status: release.status,
  })[dimension];

/** The dimension and values whose Queries drive the list; undefined: the app's releases in version order. */
export const drivingIndexOf = (filter: ReleaseFilter): { dimension: IndexedDimension; values: string[] } | undefined => {
  for (const dimension of INDEXED_DIMENSIONS) {
    const values = valuesOf(filter, dimension);
    if (values !== undefined) return { dimension, values: [...new Set(values)] };
  }
  return undefined;
};

/** The exact test, on the release as read (an index may lag a status change; the release does not). */
export const matchesFilter = (release: Release, filter: ReleaseFilter): boolean =>
  INDEXED_DIMENSIONS.every((dimension) => {
    const values = valuesOf(filter, dimension);
    const value = indexedValueOf(release, dimension);
    return values === undefined || (value !== null && values.includes(value));
  }) &&
  (filter.since === undefined || release.created_at >= filter.since) &&
  (filter.until === undefined || release.created_at <= filter.until);

/**
 * How much earlier than a lower version a release may have been created: `created_at` is stamped before
 * the version is claimed, in the same invocation (under 30 s), so versions follow creation times to within
 * this. Time filters are turned into version bounds with it, then checked exactly.
 */
export const CREATION_ORDER_SLACK_MS = 60_000;
