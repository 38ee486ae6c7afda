import * as z from 'zod';
import { ROLLOUT_PHASES, STRATEGY_NAMES } from '../domain/deployment-strategy';
import { CHECK_STATES, RECORDED_STATUSES, RELEASE_STATUSES, RELEASE_TRIGGERS, type ReleaseStatus, type ReleaseTrigger } from '../domain/model';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ReleaseListQuery } from '../domain/requests';
import { ReleaseDeploymentResponse } from './deployments';
import { ReleasePhaseResponse } from './release-phase';
import { AppRef, ClientTime, CommitId, CommitResponse, HttpUrl, Timestamp, Uuid, metadataOf, shortText } from './common';

export const MAX_NOTES_BYTES = 16 * 1024;
export const MAX_RELEASE_METADATA_BYTES = 4 * 1024;

/** A rollback target by id, or by version: `7`, `"7"` or `"v7"`. */
const RollbackTargetField = z
  .union([
    Uuid.transform((id) => ({ id })),
    z.number().int().positive().max(9_999_999_999).transform((version) => ({ version })),
    z
      .string()
      .regex(/^v?[1-9][0-9]{0,9}$/, 'a release id, or a version such as 7 or "v7"')
      .transform((version) => ({ version: Number(version.replace(/^v/, '')) })),
  ])
  .meta({ description: 'Earlier release to roll back to: its id, or its version number (7, "7" or "v7").' });

/** What the client of an external app reports of a release it ran itself (refused for apps Slipway deploys). */
const RECORDED_FIELDS = {
  status: z
    .enum(RECORDED_STATUSES)
    .optional()
    .meta({ description: 'External apps only: how the release went, as its client reports it (default pending, until PATCHed).' }),
  started_at: ClientTime.optional().meta({ description: 'External apps only: when the client started the release.' }),
  finished_at: ClientTime.optional().meta({ description: 'External apps only: when it finished (default: when a settled status is reported).' }),
  url: HttpUrl.optional().meta({ description: 'External apps only: where the release can be seen (a store page, a CI run).' }),
  name: shortText(255).optional().meta({ description: "External apps only: the release's name or code name." }),
};

export const CreateReleaseRequest = z
  .strictObject({
    slug: Uuid.optional().meta({ description: 'Build id to release.' }),
    release: RollbackTargetField.optional(),
    force: z
      .boolean()
      .optional()
      .meta({ description: 'Roll back even to a release that never succeeded (refused with 409 rollback_target_not_succeeded without it).' }),
    description: shortText(1024).optional(),
    notes: shortText(MAX_NOTES_BYTES)
      .optional()
      .meta({ description: 'Release notes, plain text or HTML, stored as given; Slipway escapes them wherever it shows them.' }),
    metadata: metadataOf(MAX_RELEASE_METADATA_BYTES).optional(),
    min_version: shortText(255)
      .min(1)
      .optional()
      .meta({ description: 'The oldest version a device may update to this release from (device fleets).' }),
    version: shortText(255)
      .optional()
      .meta({ description: "Akkeris' free-text version label; the release's description when none is given (its number is always assigned)." }),
    ...RECORDED_FIELDS,
  })
  .transform(({ version, ...request }) => ({ ...request, description: request.description ?? version }))
  .meta({ id: 'CreateReleaseRequest' });
export type CreateReleaseRequest = z.infer<typeof CreateReleaseRequest>;
/** What a client sends (before the Akkeris `version` label is folded into the description). */
export type CreateReleaseBody = z.input<typeof CreateReleaseRequest>;

/** `PATCH /apps/{app}/releases/{release}`: how a recorded release (an external app's) went. */
export const UpdateReleaseRequest = z
  .strictObject({
    status: z.enum(['succeeded', 'failed']).meta({ description: 'How the release went; a failure reported after success counts as a failed change.' }),
    finished_at: ClientTime.optional().meta({ description: 'When it finished (default: now, or the time already recorded for the same status).' }),
  })
  .meta({ id: 'UpdateReleaseRequest' });
export type UpdateReleaseRequest = z.infer<typeof UpdateReleaseRequest>;

const MAX_FILTER_VALUES = 20;

/** A filter given as repeated parameters (`a[]=x&a[]=y`, joined with commas on the way in) or as `a=x,y`. */
const listOf = (item: z.ZodType<string, string>, what: string) =>
  z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(item).min(1).max(MAX_FILTER_VALUES))
    .optional()
    .meta({ description: `${what}; any of several, as repeated parameters or a comma-separated list (at most ${MAX_FILTER_VALUES}).` });

const FILTERS = {
  version: listOf(shortText(255).min(1), "The build's version label"),
  revision: listOf(CommitId, "The build's commit (its sha, or the newest commit it lists)"),
  build: listOf(Uuid, 'The build (slug) id'),
  build_id: listOf(shortText(255).min(1), "The build's CI id (its ci_build_id)"),
  status: listOf(z.enum(RELEASE_STATUSES), 'The release status'),
  trigger: listOf(z.enum(RELEASE_TRIGGERS), 'What made the release'),
};

export const ListReleasesQuery = z
  .strictObject({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .optional()
      .meta({ description: `Page size from the cursor (default ${DEFAULT_PAGE_SIZE}). Without limit, cursor, order or Range the answer is the newest ${DEFAULT_PAGE_SIZE} releases, oldest first.` }),
    cursor: z.string().max(256).optional().meta({ description: 'The Next-Cursor of the previous page.' }),
    order: z.enum(['asc', 'desc']).optional().meta({ description: 'asc: oldest first (the default with limit/cursor); desc: newest first.' }),
    sort: z
      .enum(['created_date', '-created_date'])
      .optional()
      .meta({ description: 'Device-fleet clients\' name for order: created_date is asc, -created_date desc (versions follow creation).' }),
    ...FILTERS,
    ...Object.fromEntries(Object.entries(FILTERS).map(([name, schema]) => [`${name}[]`, schema])) as {
      [K in keyof typeof FILTERS as `${K}[]`]: (typeof FILTERS)[K];
    },
    since: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only releases created at or after this time.' }),
    until: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only releases created at or before this time.' }),
    current: z.literal('true').optional().meta({ description: "true: only the app's current release." }),
    access_token: z.string().optional(),
  })
  .refine((query) => query.sort === undefined || query.order === undefined || orderOfSort(query.sort) === query.order, {
    message: 'sort and order ask for opposite orders; give one of them',
    path: ['sort'],
  });

const orderOfSort = (sort: 'created_date' | '-created_date'): 'asc' | 'desc' => (sort === 'created_date' ? 'asc' : 'desc');
export type ListReleasesQuery = z.infer<typeof ListReleasesQuery>;

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
  const both = (name: keyof typeof FILTERS) => {
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

const OperatorAction = z.object({ actor: z.string(), at: Timestamp }).nullable();

export const RolloutResponse = z
  .object({
    desired: z.number().int(),
    running_new: z.number().int(),
    failed_tasks: z.number().int(),
    deployment_id: z.string().nullable().optional(),
    task_definition_arn: z.string().nullable().optional(),
    message: z.string().nullable().optional(),
    strategy: z.enum(STRATEGY_NAMES).meta({ description: "How the release rolls out: its app's deployment strategy when its rollout began." }),
    phase: z.enum(ROLLOUT_PHASES).nullable().meta({
      description:
        'Where the rollout stands: for rolling, scaling_up while ECS deploys, then completed; for blue_green, linear and canary, ' +
        'scaling_up, test_traffic, canary (canary only), shifting, baking and completed; rolling_back when the deployment failed ' +
        '(or a rollback overtook it). Null while the release is queued and until ECS reported on its deployment.',
    }),
    traffic_percent: z.number().min(0).max(100).nullable().meta({
      description:
        "Share of production traffic on the new revision: 100 once it succeeded, 0 once it failed; while a rolling release rolls out, its " +
        "new tasks' share of the service's running tasks; for canary and linear, the share ECS has shifted by then. Null while queued and until ECS reported on its deployment.",
    }),
    phase_ends_at: Timestamp.nullable().meta({
      description:
        "When the current phase ends by itself: a canary's or linear step's bake or the final bake (when ECS continues the deployment), " +
        'or, awaiting approval, when the gate times out and rolls the release back. Null for a phase that lasts as long as ECS takes, and once the release settled.',
    }),
    gate: z
      .object({
        waiting_for: z.array(z.string()).meta({ description: 'The check contexts not yet success, and "approval" while an operator has yet to approve.' }),
        since: Timestamp,
        until: Timestamp.nullable().meta({ description: 'When the gate times out and the release rolls back.' }),
      })
      .nullable()
      .meta({ id: 'Gate', description: "What the app's gate holds the deployment for; null when nothing holds it (and once the release settled)." }),
    approved_by: OperatorAction.meta({ description: 'Who approved the release at its gate, and when.' }),
    promoted_by: OperatorAction.meta({ description: 'Who promoted the release (skipped its bakes and gate), and when.' }),
    aborted_by: OperatorAction.meta({ description: 'Who aborted the release (rolled it back), and when.' }),
  })
  .meta({ id: 'Rollout' });

/** Beside `state`, which is pending both while checks run and when none was ever posted. */
export const ChecksPosted = z
  .number()
  .int()
  .nonnegative()
  .meta({ description: 'How many status checks were posted on the release; 0: none, and its state is pending only because none came.' });

const ReleaseRefResponse = z
  .object({ id: Uuid, version: z.number().int().positive() })
  .meta({ id: 'ReleaseRef' });

export const ReleaseResponse = z
  .object({
    id: Uuid,
    app: AppRef,
    version: z.number().int().positive(),
    slug: z.object({ id: Uuid }),
    description: z.string(),
    status: z.enum(RELEASE_STATUSES),
    state: z.enum(CHECK_STATES),
    checks_posted: ChecksPosted,
    current: z.boolean(),
    user: z.object({ id: z.string(), email: z.string() }),
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    trigger: z.enum(RELEASE_TRIGGERS),
    rollout: RolloutResponse.nullable(),
    release_phase: ReleasePhaseResponse.nullable().meta({
      description: "Its run of the app's release phase, once its rollout began; null when the app had none (and while it is queued).",
    }),
    superseded_by: ReleaseRefResponse.nullable().meta({
      description: 'The rollback that overtook this release before it became current (the release then ends failed); null otherwise.',
    }),
    config_version: z
      .number()
      .int()
      .positive()
      .nullable()
      .meta({
        description:
          "The app's config version this release runs with (null: none set; the task definition's environment is kept). A rollback's is the version it made of its target's config.",
      }),
    notes: z.string().nullable().meta({ description: 'Release notes as given (text or HTML): escape or sanitize before showing them.' }),
    metadata: z.record(z.string(), z.unknown()),
    build: z
      .object({
        id: Uuid,
        version: z.string().nullable(),
        commit: z.string().nullable(),
        tag: z.string().nullable(),
        branch: z.string().nullable(),
        ci_build_id: z.string().nullable(),
      })
      .meta({ id: 'ReleaseBuild', description: "The labels of the release's build: version label, head commit, tag, branch, the CI's build id." }),
    min_version: z.string().nullable().meta({ description: 'The oldest version a device may update to this release from, if given.' }),
    commits: z.array(CommitResponse).meta({ description: 'What this release ships since commits_since.version, newest first.' }),
    recorded: z.boolean().meta({ description: 'A release of an external app, recorded as its client reported it; Slipway did not run it.' }),
    url: z.string().nullable().meta({ description: 'Where the release can be seen, as its client gave it (recorded releases).' }),
    name: z.string().nullable().meta({ description: "The release's name or code name, as its client gave it (recorded releases)." }),
    running_count: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .meta({
        description:
          "What runs it now: the ECS tasks of the revision it registered (read at most a few seconds ago), or an external app's hosts whose latest reported deployment it is; null where Slipway cannot tell (ECS unavailable, or in an event)",
      }),
    deployments: z
      .array(ReleaseDeploymentResponse)
      .meta({ description: 'Where a recorded release was deployed, as ReleaseBits clients report it: the latest deployment of each host and stage' }),
    commits_since: z
      .object({
        version: z.number().int().positive().nullable().meta({ description: "The app's succeeded release the commits are counted from (null: the first release)." }),
        complete: z.boolean().meta({ description: 'False when Slipway cannot tell: commits is then what the build lists.' }),
        reason: z.string(),
      })
      .meta({ id: 'CommitsSince' }),
  })
  .meta({ id: 'Release' });
export type ReleaseResponse = z.infer<typeof ReleaseResponse>;
