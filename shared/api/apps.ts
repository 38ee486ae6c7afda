import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { DEFAULT_BAKE_WINDOW_SECONDS } from '../domain/rollback';
import { ECS_BOUNDS, holdMinutesOf, isTenth, MAX_DEPLOYMENT_ALARMS, MAX_HOLD_MINUTES, type Bound } from '../domain/deployment-strategy';
import { AppName } from './common';
import { ReleasePhaseSettingsSchema } from './release-phase';

const ResourceName = builtOnFirstUse(() =>
  z.string().check(z.minLength(1), z.maxLength(255), z.regex(/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/, 'must be an ECS name or ARN')),
);

const AutoRollback = builtOnFirstUse(() =>
  z
    .boolean()
    .check(z.meta({ description: 'Roll a release back to the last good one by itself when it fails after going live (default false).' })),
);
const BakeWindowSeconds = builtOnFirstUse(() =>
  z
    .int()
    .check(
      z.gte(10),
      z.lte(7 * 24 * 3600),
      z.meta({ description: `How long after going live a failed required check rolls a release back (default ${DEFAULT_BAKE_WINDOW_SECONDS} s).` }),
    ),
);

const minutes = (bound: Bound, description: string) =>
  z
    ._default(z.int().check(z.gte(bound.min), z.lte(bound.max)), bound.default)
    .check(z.meta({ description: `${description} (${bound.min}-${bound.max}, default ${bound.default}).` }));
const percent = (bound: Bound, description: string) =>
  z
    ._default(z.number().check(z.gte(bound.min), z.lte(bound.max), z.refine(isTenth, { message: 'must be a multiple of 0.1' })), bound.default)
    .check(z.meta({ description: `${description} (${bound.min}-${bound.max} in steps of 0.1, default ${bound.default}).` }));

const Alarms = builtOnFirstUse(() =>
  z
    .optional(z.array(z.string().check(z.minLength(1), z.maxLength(255))).check(z.minLength(1), z.maxLength(MAX_DEPLOYMENT_ALARMS)))
    .check(z.meta({ description: 'CloudWatch alarm names ECS watches during a deployment: any in ALARM fails it and ECS rolls the service back.' })),
);
const ContextName = builtOnFirstUse(() => z.string().check(z.minLength(1), z.maxLength(255)));
const Gate = builtOnFirstUse(() =>
  z
    .optional(
      z
        .strictObject({
          checks: z
            ._default(z.array(ContextName()).check(z.maxLength(20)), [])
            .check(z.meta({ description: 'Status check contexts that must be success on the release before its traffic shifts on; a failure or error rolls it back at once.' })),
          approval: z
            ._default(z.boolean(), false)
            .check(z.meta({ description: 'Whether an operator must approve too (POST .../actions/approve); one approval serves every step.' })),
          timeout_minutes: z
            ._default(z.int().check(z.gte(ECS_BOUNDS.gateTimeoutMinutes.min), z.lte(ECS_BOUNDS.gateTimeoutMinutes.max)), ECS_BOUNDS.gateTimeoutMinutes.default)
            .check(
              z.meta({
                description: `How long the gate waits after its step's bake before the release rolls back (${ECS_BOUNDS.gateTimeoutMinutes.min}-${ECS_BOUNDS.gateTimeoutMinutes.max}, default ${ECS_BOUNDS.gateTimeoutMinutes.default}).`,
              }),
            ),
        })
        .check(z.refine((gate) => gate.checks.length > 0 || gate.approval, { message: 'A gate waits for checks, approval or both: name checks or set approval.' })),
    )
    .check(
      z.meta({
        id: 'GateSettings',
        description: "Holds the traffic shift until the named checks succeed and an operator approves: a canary's after its bake, each linear step's after its bake, blue/green's after test traffic.",
      }),
    ),
);
/** ECS bounds a lifecycle hook's timeout, and a gate's hook waits for its step's bake and then the gate. */
const fitsHookTimeout = (settings: { gate?: { timeout_minutes: number } | undefined }, stepBake: number) =>
  !settings.gate || settings.gate.timeout_minutes + stepBake <= ECS_BOUNDS.gateTimeoutMinutes.max;
const HOOK_TIMEOUT_MESSAGE = `The step's bake and the gate's timeout_minutes together must be at most ${ECS_BOUNDS.gateTimeoutMinutes.max} minutes (ECS's limit for a lifecycle hook).`;
const BakeMinutes = builtOnFirstUse(() => minutes(ECS_BOUNDS.bakeMinutes, 'Minutes both revisions keep running once all production traffic shifted'));

/**
 * How the app's releases roll out, carried out by ECS's own deployment engine. Every strategy but rolling
 * needs the service behind a load balancer with an alternate target group and a production listener rule.
 */
export const DeploymentSettingsSchema = builtOnFirstUse(() =>
  z
    .discriminatedUnion('strategy', [
      z.strictObject({ strategy: z.literal('rolling'), alarms: Alarms() }).check(
        z.meta({
          description: 'New tasks replace the old ones in batches (the default).',
        }),
      ),
      z
        .strictObject({
          strategy: z.literal('canary'),
          canary_percent: percent(ECS_BOUNDS.canaryPercent, 'Share of production traffic the new revision takes first'),
          canary_bake_minutes: minutes(ECS_BOUNDS.canaryBakeMinutes, 'Minutes it holds that share before the rest shifts'),
          bake_minutes: BakeMinutes(),
          alarms: Alarms(),
          gate: Gate(),
        })
        .check(
          z.refine((settings) => fitsHookTimeout(settings, settings.canary_bake_minutes), { message: HOOK_TIMEOUT_MESSAGE, path: ['gate', 'timeout_minutes'] }),
          z.meta({ description: 'A share of production traffic first, for its bake, then all of it.' }),
        ),
      z
        .strictObject({
          strategy: z.literal('linear'),
          step_percent: percent(ECS_BOUNDS.stepPercent, 'Share of production traffic each step moves'),
          step_bake_minutes: minutes(ECS_BOUNDS.stepBakeMinutes, 'Minutes each step holds before the next'),
          bake_minutes: BakeMinutes(),
          alarms: Alarms(),
          gate: Gate(),
        })
        .check(
          z.refine((settings) => fitsHookTimeout(settings, settings.step_bake_minutes), { message: HOOK_TIMEOUT_MESSAGE, path: ['gate', 'timeout_minutes'] }),
          z.meta({ description: 'Production traffic moves in equal steps, each held for its bake.' }),
        ),
      z.strictObject({ strategy: z.literal('blue_green'), bake_minutes: BakeMinutes(), alarms: Alarms(), gate: Gate() }).check(
        z.meta({
          description: 'The new revision starts in full beside the old one, then takes all production traffic at once.',
        }),
      ),
    ])
    .check(
      z.refine((settings) => holdMinutesOf(settings) <= MAX_HOLD_MINUTES, {
        message: `Its bakes and gate may hold a rollout at most ${MAX_HOLD_MINUTES} minutes in all (every bake, and the gate timing out, at each step they hold): shorten them, or take fewer steps.`,
        // Only settings valid field by field are added up.
        when: (payload) => payload.issues.length === 0,
      }),
      z.meta({ id: 'DeploymentSettings' }),
    ),
);

export const CreateAppRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      name: AppName,
      cluster: z.optional(ResourceName()).check(z.meta({ description: 'The ECS cluster; without cluster and service the app is external.' })),
      service: z.optional(ResourceName()).check(z.meta({ description: 'The ECS service; without cluster and service the app is external.' })),
      container: z.optional(z.string().check(z.minLength(1), z.maxLength(255), z.regex(/^[A-Za-z0-9_-]+$/))),
      auto_release: z._default(z.boolean(), false),
      auto_rollback: z._default(AutoRollback(), false),
      bake_window_seconds: z._default(BakeWindowSeconds(), DEFAULT_BAKE_WINDOW_SECONDS),
      public_badge: z._default(z.boolean(), false).check(z.meta({ description: 'Let anyone read the app\'s badge (GET /apps/{app}/badge.svg) without a key.' })),
      deployment: z.optional(DeploymentSettingsSchema()),
      release_phase: z.optional(z.nullable(ReleasePhaseSettingsSchema())),
    })
    .check(
      z.superRefine((request, context) => {
        if ((request.cluster === undefined) === (request.service === undefined)) return;
        const missing = request.cluster === undefined ? 'cluster' : 'service';
        context.addIssue({ code: 'custom', message: 'give both cluster and service (an ECS app), or neither (an external app)', path: [missing] });
      }),
      z.refine(
        (request) =>
          request.cluster !== undefined ||
          !(request.container !== undefined || request.auto_release || request.auto_rollback || request.deployment !== undefined || request.release_phase),
        {
          message: 'an external app (no cluster and service) is never deployed: it takes no container, auto_release, auto_rollback, deployment or release_phase',
          path: ['cluster'],
        },
      ),
      z.meta({
        id: 'CreateAppRequest',
        description: 'With cluster and service, an ECS service Slipway deploys; with neither, an external app whose releases Slipway records and never deploys.',
      }),
    ),
);
export type CreateAppRequest = z.infer<ReturnType<typeof CreateAppRequest>>;

export const UpdateAppRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      auto_rollback: z.optional(AutoRollback()),
      bake_window_seconds: z.optional(BakeWindowSeconds()),
      public_badge: z.optional(z.boolean()).check(z.meta({ description: "Let anyone read the app's badge without a key (true) or not (false); admin only." })),
      deployment: z.optional(DeploymentSettingsSchema()),
      release_phase: z.optional(z.nullable(ReleasePhaseSettingsSchema())).check(z.meta({ description: "The app's release phase; null turns it off." })),
    })
    .check(
      z.refine((request) => Object.keys(request).length > 0, {
        message: 'Give auto_rollback, bake_window_seconds, public_badge, deployment, release_phase or any of them together.',
      }),
      z.meta({ id: 'UpdateAppRequest' }),
    ),
);
export type UpdateAppRequest = z.infer<ReturnType<typeof UpdateAppRequest>>;
