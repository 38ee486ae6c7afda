import * as z from 'zod/mini';
import { ROLLOUT_PHASES, STRATEGY_NAMES } from '../domain/deployment-strategy';
import { CHECK_STATES, RELEASE_STATUSES, RELEASE_TRIGGERS } from '../domain/model';
import { CommitResponse } from './build-responses';
import { AppRef, Timestamp, Uuid } from './common';
import { ReleaseDeploymentResponse } from './deployment-responses';
import { ReleasePhaseResponse } from './release-phase-responses';

/** What the API answers about releases, apart from the requests (releases.ts): the functions that parse those construct none of this at a cold start. */

const OperatorAction = z.nullable(z.object({ actor: z.string(), at: Timestamp() }));

export const RolloutResponse = z
  .object({
    desired: z.int(),
    running_new: z.int(),
    failed_tasks: z.int(),
    deployment_id: z.optional(z.nullable(z.string())),
    task_definition_arn: z.optional(z.nullable(z.string())),
    message: z.optional(z.nullable(z.string())),
    strategy: z.enum(STRATEGY_NAMES).check(z.meta({ description: "How the release rolls out: its app's deployment strategy when its rollout began." })),
    phase: z.nullable(z.enum(ROLLOUT_PHASES)).check(
      z.meta({
        description:
          'Where the rollout stands: for rolling, scaling_up while ECS deploys, then completed; for blue_green, linear and canary, ' +
          'scaling_up, test_traffic, canary (canary only), shifting, baking and completed; rolling_back when the deployment failed ' +
          '(or a rollback overtook it). Null while the release is queued and until ECS reported on its deployment.',
      }),
    ),
    traffic_percent: z.nullable(z.number().check(z.gte(0), z.lte(100))).check(
      z.meta({
        description:
          "Share of production traffic on the new revision: 100 once it succeeded, 0 once it failed; while a rolling release rolls out, its " +
          "new tasks' share of the service's running tasks; for canary and linear, the share ECS has shifted by then. Null while queued and until ECS reported on its deployment.",
      }),
    ),
    phase_ends_at: z.nullable(Timestamp()).check(
      z.meta({
        description:
          "When the current phase ends by itself: a canary's or linear step's bake or the final bake (when ECS continues the deployment), " +
          'or, awaiting approval, when the gate times out and rolls the release back. Null for a phase that lasts as long as ECS takes, and once the release settled.',
      }),
    ),
    gate: z
      .nullable(
        z.object({
          waiting_for: z.array(z.string()).check(z.meta({ description: 'The check contexts not yet success, and "approval" while an operator has yet to approve.' })),
          since: Timestamp(),
          until: z.nullable(Timestamp()).check(z.meta({ description: 'When the gate times out and the release rolls back.' })),
        }),
      )
      .register(z.globalRegistry, { id: 'Gate', description: "What the app's gate holds the deployment for; null when nothing holds it (and once the release settled)." }),
    approved_by: OperatorAction.check(z.meta({ description: 'Who approved the release at its gate, and when.' })),
    promoted_by: OperatorAction.check(z.meta({ description: 'Who promoted the release (skipped its bakes and gate), and when.' })),
    aborted_by: OperatorAction.check(z.meta({ description: 'Who aborted the release (rolled it back), and when.' })),
  })
  .register(z.globalRegistry, { id: 'Rollout' });

/** Beside `state`, which is pending both while checks run and when none was ever posted. */
export const ChecksPosted = z
  .int()
  .check(
    z.nonnegative(),
    z.meta({ description: 'How many status checks were posted on the release; 0: none, and its state is pending only because none came.' }),
  );

const ReleaseRefResponse = z.object({ id: Uuid, version: z.int().check(z.positive()) }).register(z.globalRegistry, { id: 'ReleaseRef' });

export const ReleaseResponse = z
  .object({
    id: Uuid,
    app: AppRef(),
    version: z.int().check(z.positive()),
    slug: z.object({ id: Uuid }),
    description: z.string(),
    status: z.enum(RELEASE_STATUSES),
    state: z.enum(CHECK_STATES),
    checks_posted: ChecksPosted,
    current: z.boolean(),
    user: z.object({ id: z.string(), email: z.string() }),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    started_at: z.nullable(Timestamp()),
    finished_at: z.nullable(Timestamp()),
    trigger: z.enum(RELEASE_TRIGGERS),
    rollout: z.nullable(RolloutResponse),
    release_phase: z.nullable(ReleasePhaseResponse).check(
      z.meta({
        description: "Its run of the app's release phase, once its rollout began; null when the app had none (and while it is queued).",
      }),
    ),
    superseded_by: z.nullable(ReleaseRefResponse).check(
      z.meta({
        description: 'The rollback that overtook this release before it became current (the release then ends failed); null otherwise.',
      }),
    ),
    config_version: z.nullable(z.int().check(z.positive())).check(
      z.meta({
        description:
          "The app's config version this release runs with (null: none set; the task definition's environment is kept). A rollback's is the version it made of its target's config.",
      }),
    ),
    notes: z.nullable(z.string()).check(z.meta({ description: 'Release notes as given (text or HTML): escape or sanitize before showing them.' })),
    metadata: z.record(z.string(), z.unknown()),
    build: z
      .object({
        id: Uuid,
        version: z.nullable(z.string()),
        commit: z.nullable(z.string()),
        tag: z.nullable(z.string()),
        branch: z.nullable(z.string()),
        ci_build_id: z.nullable(z.string()),
      })
      .register(z.globalRegistry, { id: 'ReleaseBuild', description: "The labels of the release's build: version label, head commit, tag, branch, the CI's build id." }),
    min_version: z.nullable(z.string()).check(z.meta({ description: 'The oldest version a device may update to this release from, if given.' })),
    commits: z.array(CommitResponse).check(z.meta({ description: 'What this release ships since commits_since.version, newest first.' })),
    recorded: z.boolean().check(z.meta({ description: 'A release of an external app, recorded as its client reported it; Slipway did not run it.' })),
    url: z.nullable(z.string()).check(z.meta({ description: 'Where the release can be seen, as its client gave it (recorded releases).' })),
    name: z.nullable(z.string()).check(z.meta({ description: "The release's name or code name, as its client gave it (recorded releases)." })),
    running_count: z.nullable(z.int().check(z.nonnegative())).check(
      z.meta({
        description:
          "What runs it now: the ECS tasks of the revision it registered (read at most a few seconds ago), or an external app's hosts whose latest reported deployment it is; null where Slipway cannot tell (ECS unavailable, or in an event)",
      }),
    ),
    deployments: z
      .array(ReleaseDeploymentResponse)
      .check(z.meta({ description: 'Where a recorded release was deployed, as ReleaseBits clients report it: the latest deployment of each host and stage' })),
    commits_since: z
      .object({
        version: z
          .nullable(z.int().check(z.positive()))
          .check(z.meta({ description: "The app's succeeded release the commits are counted from (null: the first release)." })),
        complete: z.boolean().check(z.meta({ description: 'False when Slipway cannot tell: commits is then what the build lists.' })),
        reason: z.string(),
      })
      .register(z.globalRegistry, { id: 'CommitsSince' }),
  })
  .register(z.globalRegistry, { id: 'Release' });
export type ReleaseResponse = z.infer<typeof ReleaseResponse>;
