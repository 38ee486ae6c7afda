import * as z from 'zod';
import { CHECK_STATES, RELEASE_STATUSES, RELEASE_TRIGGERS } from '../domain/model';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../domain/requests';
import { AppRef, Timestamp, Uuid, shortText } from './common';

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

export const CreateReleaseRequest = z
  .strictObject({
    slug: Uuid.optional().meta({ description: 'Build id to release.' }),
    release: RollbackTargetField.optional(),
    force: z
      .boolean()
      .optional()
      .meta({ description: 'Roll back even to a release that never succeeded (refused with 409 rollback_target_not_succeeded without it).' }),
    description: shortText(1024).optional(),
    version: shortText(255)
      .optional()
      .meta({ description: "Akkeris' free-text version label; the release's description when none is given (its number is always assigned)." }),
  })
  .transform(({ version, ...request }) => ({ ...request, description: request.description ?? version }))
  .meta({ id: 'CreateReleaseRequest' });
export type CreateReleaseRequest = z.infer<typeof CreateReleaseRequest>;
/** What a client sends (before the Akkeris `version` label is folded into the description). */
export type CreateReleaseBody = z.input<typeof CreateReleaseRequest>;

export const ListReleasesQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .meta({ description: `Page size, oldest first from the cursor (default ${DEFAULT_PAGE_SIZE}). Without limit, cursor or Range the answer is the newest ${DEFAULT_PAGE_SIZE} releases, oldest first.` }),
  cursor: z.string().max(256).optional().meta({ description: 'The Next-Cursor of the previous page.' }),
  status: z.enum(RELEASE_STATUSES).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  access_token: z.string().optional(),
});
export type ListReleasesQuery = z.infer<typeof ListReleasesQuery>;

export const RolloutResponse = z
  .object({
    desired: z.number().int(),
    running_new: z.number().int(),
    failed_tasks: z.number().int(),
    deployment_id: z.string().nullable().optional(),
    task_definition_arn: z.string().nullable().optional(),
    message: z.string().nullable().optional(),
  })
  .meta({ id: 'Rollout' });

export const ReleaseRefResponse = z
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
    current: z.boolean(),
    user: z.object({ id: z.string(), email: z.string() }),
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    trigger: z.enum(RELEASE_TRIGGERS),
    rollout: RolloutResponse.nullable(),
    superseded_by: ReleaseRefResponse.nullable().meta({
      description: 'The rollback that overtook this release before it became current (the release then ends failed); null otherwise.',
    }),
    config_version: z
      .number()
      .int()
      .positive()
      .nullable()
      .meta({ description: "The app's config version this release runs with (null: none set; the task definition's environment is kept)." }),
  })
  .meta({ id: 'Release' });
export type ReleaseResponse = z.infer<typeof ReleaseResponse>;
