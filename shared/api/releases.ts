import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { RECORDED_STATUSES, RELEASE_STATUSES, RELEASE_TRIGGERS, type ReleaseStatus, type ReleaseTrigger } from '../domain/model';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ReleaseListQuery } from '../domain/requests';
import { ClientTime, CommitId, HttpUrl, Uuid, metadataOf, shortText } from './common';

export const MAX_NOTES_BYTES = 16 * 1024;
export const MAX_RELEASE_METADATA_BYTES = 4 * 1024;

/** A rollback target by id, or by version: `7`, `"7"` or `"v7"`. */
const RollbackTargetField = builtOnFirstUse(() =>
  z
    .union([
      z.pipe(Uuid, z.transform((id) => ({ id }))),
      z.pipe(z.int().check(z.positive(), z.lte(9_999_999_999)), z.transform((version) => ({ version }))),
      z.pipe(
        z.string().check(z.regex(/^v?[1-9][0-9]{0,9}$/, 'a release id, or a version such as 7 or "v7"')),
        z.transform((version) => ({ version: Number(version.replace(/^v/, '')) })),
      ),
    ])
    .check(z.meta({ description: 'Earlier release to roll back to: its id, or its version number (7, "7" or "v7").' })),
);

/** What the client of an external app reports of a release it ran itself (refused for apps Slipway deploys). */
const RECORDED_FIELDS = builtOnFirstUse(() => ({
  status: z
    .optional(z.enum(RECORDED_STATUSES))
    .check(z.meta({ description: 'External apps only: how the release went, as its client reports it (default pending, until PATCHed).' })),
  started_at: z.optional(ClientTime()).check(z.meta({ description: 'External apps only: when the client started the release.' })),
  finished_at: z.optional(ClientTime()).check(z.meta({ description: 'External apps only: when it finished (default: when a settled status is reported).' })),
  url: z.optional(HttpUrl()).check(z.meta({ description: 'External apps only: where the release can be seen (a store page, a CI run).' })),
  name: z.optional(shortText(255)).check(z.meta({ description: "External apps only: the release's name or code name." })),
}));

export const CreateReleaseRequest = builtOnFirstUse(() =>
  z
    .pipe(
      z.strictObject({
        slug: z.optional(Uuid).check(z.meta({ description: 'Build id to release.' })),
        release: z.optional(RollbackTargetField()),
        force: z
          .optional(z.boolean())
          .check(z.meta({ description: 'Roll back even to a release that never succeeded (refused with 409 rollback_target_not_succeeded without it).' })),
        description: z.optional(shortText(1024)),
        notes: z
          .optional(shortText(MAX_NOTES_BYTES))
          .check(z.meta({ description: 'Release notes, plain text or HTML, stored as given; Slipway escapes them wherever it shows them.' })),
        metadata: z.optional(metadataOf(MAX_RELEASE_METADATA_BYTES)),
        min_version: z
          .optional(shortText(255).check(z.minLength(1)))
          .check(z.meta({ description: 'The oldest version a device may update to this release from (device fleets).' })),
        version: z
          .optional(shortText(255))
          .check(z.meta({ description: "Akkeris' free-text version label; the release's description when none is given (its number is always assigned)." })),
        ...RECORDED_FIELDS(),
      }),
      z.transform(({ version, ...request }) => ({ ...request, description: request.description ?? version })),
    )
    .register(z.globalRegistry, { id: 'CreateReleaseRequest' }),
);
export type CreateReleaseRequest = z.infer<ReturnType<typeof CreateReleaseRequest>>;
/** What a client sends (before the Akkeris `version` label is folded into the description). */
export type CreateReleaseBody = z.input<ReturnType<typeof CreateReleaseRequest>>;

/** `PATCH /apps/{app}/releases/{release}`: how a recorded release (an external app's) went. */
export const UpdateReleaseRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      status: z.enum(['succeeded', 'failed']).check(z.meta({ description: 'How the release went; a failure reported after success counts as a failed change.' })),
      finished_at: z.optional(ClientTime()).check(z.meta({ description: 'When it finished (default: now, or the time already recorded for the same status).' })),
    })
    .register(z.globalRegistry, { id: 'UpdateReleaseRequest' }),
);
export type UpdateReleaseRequest = z.infer<ReturnType<typeof UpdateReleaseRequest>>;

const MAX_FILTER_VALUES = 20;

/** A filter given as repeated parameters (`a[]=x&a[]=y`, joined with commas on the way in) or as `a=x,y`. */
const listOf = (item: z.core.$ZodType<string, string>, what: string) =>
  z
    .optional(
      z.pipe(
        z.pipe(z.string(), z.transform((value) => value.split(','))),
        z.array(item).check(z.minLength(1), z.maxLength(MAX_FILTER_VALUES)),
      ),
    )
    .check(z.meta({ description: `${what}; any of several, as repeated parameters or a comma-separated list (at most ${MAX_FILTER_VALUES}).` }));

const FILTERS = builtOnFirstUse(() => ({
  version: listOf(shortText(255).check(z.minLength(1)), "The build's version label"),
  revision: listOf(CommitId(), "The build's commit (its sha, or the newest commit it lists)"),
  build: listOf(Uuid, 'The build (slug) id'),
  build_id: listOf(shortText(255).check(z.minLength(1)), "The build's CI id (its ci_build_id)"),
  status: listOf(z.enum(RELEASE_STATUSES), 'The release status'),
  trigger: listOf(z.enum(RELEASE_TRIGGERS), 'What made the release'),
}));

export const ListReleasesQuery = builtOnFirstUse(() =>
  z
    .strictObject({
      limit: z
        .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_SIZE)))
        .check(
          z.meta({
            description: `Page size from the cursor (default ${DEFAULT_PAGE_SIZE}). Without limit, cursor, order or Range the answer is the newest ${DEFAULT_PAGE_SIZE} releases, oldest first.`,
          }),
        ),
      cursor: z.optional(z.string().check(z.maxLength(256))).check(z.meta({ description: 'The Next-Cursor of the previous page.' })),
      order: z.optional(z.enum(['asc', 'desc'])).check(z.meta({ description: 'asc: oldest first (the default with limit/cursor); desc: newest first.' })),
      sort: z
        .optional(z.enum(['created_date', '-created_date']))
        .check(z.meta({ description: 'Device-fleet clients\' name for order: created_date is asc, -created_date desc (versions follow creation).' })),
      ...FILTERS(),
      ...Object.fromEntries(Object.entries(FILTERS()).map(([name, schema]) => [`${name}[]`, schema])) as {
        [K in keyof ReturnType<typeof FILTERS> as `${K}[]`]: ReturnType<typeof FILTERS>[K];
      },
      since: z.optional(z.iso.datetime({ offset: true })).check(z.meta({ description: 'Only releases created at or after this time.' })),
      until: z.optional(z.iso.datetime({ offset: true })).check(z.meta({ description: 'Only releases created at or before this time.' })),
      current: z.optional(z.literal('true')).check(z.meta({ description: "true: only the app's current release." })),
      access_token: z.optional(z.string()),
    })
    .check(
      z.refine((query) => query.sort === undefined || query.order === undefined || orderOfSort(query.sort) === query.order, {
        message: 'sort and order ask for opposite orders; give one of them',
        path: ['sort'],
      }),
    ),
);

const orderOfSort = (sort: 'created_date' | '-created_date'): 'asc' | 'desc' => (sort === 'created_date' ? 'asc' : 'desc');
export type ListReleasesQuery = z.infer<ReturnType<typeof ListReleasesQuery>>;

/** The list a query asks for, as the use case takes it: `name` and `name[]` parameters are one filter. */
export const releaseListRequestOf = ({
  limit,
  cursor,
  order,
  sort,
  since,
  until,
  current,
  ...rest
}: ListReleasesQuery): Omit<ReleaseListQuery, 'afterVersion'> & { cursor: string | undefined } => {
  const both = (name: keyof ReturnType<typeof FILTERS>) => {
    const values = [...(rest[name] ?? []), ...(rest[`${name}[]`] ?? [])];
    return values.length > 0 ? values : undefined;
  };
  return {
    limit,
    cursor,
    order: order ?? (sort === undefined ? undefined : orderOfSort(sort)),
    current: current === 'true',
    filter: {
      versions: both('version'),
      revisions: both('revision'),
      builds: both('build'),
      ciBuilds: both('build_id'),
      statuses: both('status') as ReleaseStatus[] | undefined,
      triggers: both('trigger') as ReleaseTrigger[] | undefined,
      since: since === undefined ? undefined : new Date(since).toISOString(),
      until: until === undefined ? undefined : new Date(until).toISOString(),
    },
  };
};
