import * as z from 'zod';
import { CHECK_STATES, RELEASE_STATUSES, RELEASE_TRIGGERS } from '../domain/model';
import { DEFAULT_BAKE_WINDOW_SECONDS } from '../domain/rollback';
import { ECS_BOUNDS, holdMinutesOf, isTenth, MAX_DEPLOYMENT_ALARMS, MAX_HOLD_MINUTES, type Bound } from '../domain/deployment-strategy';
import { AppName, NamedRef, Timestamp, Uuid } from './common';
import { ChecksPosted, RolloutResponse } from './releases';
import { ReleasePhaseSettingsSchema } from './release-phase';

const ResourceName = z.string().min(1).max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/, 'must be an ECS name or ARN');

const AutoRollback = z
  .boolean()
  .meta({ description: 'Roll a release back to the last good one by itself when it fails after going live (default false).' });
const BakeWindowSeconds = z
  .number()
  .int()
  .min(10)
  .max(7 * 24 * 3600)
  .meta({ description: `How long after going live a failed required check rolls a release back (default ${DEFAULT_BAKE_WINDOW_SECONDS} s).` });

const minutes = (bound: Bound, description: string) =>
  z.number().int().min(bound.min).max(bound.max).default(bound.default).meta({ description: `${description} (${bound.min}-${bound.max}, default ${bound.default}).` });
const percent = (bound: Bound, description: string) =>
  z
    .number()
    .min(bound.min)
    .max(bound.max)
    .refine(isTenth, { message: 'must be a multiple of 0.1' })
    .default(bound.default)
    .meta({ description: `${description} (${bound.min}-${bound.max} in steps of 0.1, default ${bound.default}).` });

const Alarms = z
  .array(z.string().min(1).max(255))
  .min(1)
  .max(MAX_DEPLOYMENT_ALARMS)
  .optional()
  .meta({ description: 'CloudWatch alarm names ECS watches during a deployment: any in ALARM fails it and ECS rolls the service back.' });
const ContextName = z.string().min(1).max(255);
const Gate = z
  .strictObject({
    checks: z.array(ContextName).max(20).default([]).meta({ description: 'Status check contexts that must be success on the release before its traffic shifts on; a failure or error rolls it back at once.' }),
    approval: z.boolean().default(false).meta({ description: 'Whether an operator must approve too (POST .../actions/approve); one approval serves every step.' }),
    timeout_minutes: z
      .number()
      .int()
      .min(ECS_BOUNDS.gateTimeoutMinutes.min)
      .max(ECS_BOUNDS.gateTimeoutMinutes.max)
      .default(ECS_BOUNDS.gateTimeoutMinutes.default)
      .meta({ description: `How long the gate waits after its step's bake before the release rolls back (${ECS_BOUNDS.gateTimeoutMinutes.min}-${ECS_BOUNDS.gateTimeoutMinutes.max}, default ${ECS_BOUNDS.gateTimeoutMinutes.default}).` }),
  })
  .refine((gate) => gate.checks.length > 0 || gate.approval, { message: 'A gate waits for checks, approval or both: name checks or set approval.' })
  .optional()
  .meta({
    id: 'GateSettings',
    description: "Holds the traffic shift until the named checks succeed and an operator approves: a canary's after its bake, each linear step's after its bake, blue/green's after test traffic.",
  });
/** ECS bounds a lifecycle hook's timeout, and a gate's hook waits for its step's bake and then the gate. */
const fitsHookTimeout = (settings: { gate?: { timeout_minutes: number } | undefined }, stepBake: number) =>
  !settings.gate || settings.gate.timeout_minutes + stepBake <= ECS_BOUNDS.gateTimeoutMinutes.max;
const HOOK_TIMEOUT_MESSAGE = `The step's bake and the gate's timeout_minutes together must be at most ${ECS_BOUNDS.gateTimeoutMinutes.max} minutes (ECS's limit for a lifecycle hook).`;
const BakeMinutes = minutes(ECS_BOUNDS.bakeMinutes, 'Minutes both revisions keep running once all production traffic shifted');

/**
 * How the app's releases roll out, carried out by ECS's own deployment engine. Every strategy but rolling
 * needs the service behind a load balancer with an alternate target group and a production listener rule.
 */
export const DeploymentSettingsSchema = z
  .discriminatedUnion('strategy', [
    z.strictObject({ strategy: z.literal('rolling'), alarms: Alarms }).meta({
      description: 'New tasks replace the old ones in batches (the default).',
    }),
    z.strictObject({
      strategy: z.literal('canary'),
      canary_percent: percent(ECS_BOUNDS.canaryPercent, 'Share of production traffic the new revision takes first'),
      canary_bake_minutes: minutes(ECS_BOUNDS.canaryBakeMinutes, 'Minutes it holds that share before the rest shifts'),
      bake_minutes: BakeMinutes,
      alarms: Alarms,
      gate: Gate,
    }).refine((settings) => fitsHookTimeout(settings, settings.canary_bake_minutes), { message: HOOK_TIMEOUT_MESSAGE, path: ['gate', 'timeout_minutes'] }).meta({ description: 'A share of production traffic first, for its bake, then all of it.' }),
    z.strictObject({
      strategy: z.literal('linear'),
      step_percent: percent(ECS_BOUNDS.stepPercent, 'Share of production traffic each step moves'),
      step_bake_minutes: minutes(ECS_BOUNDS.stepBakeMinutes, 'Minutes each step holds before the next'),
      bake_minutes: BakeMinutes,
      alarms: Alarms,
      gate: Gate,
    }).refine((settings) => fitsHookTimeout(settings, settings.step_bake_minutes), { message: HOOK_TIMEOUT_MESSAGE, path: ['gate', 'timeout_minutes'] }).meta({ description: 'Production traffic moves in equal steps, each held for its bake.' }),
    z.strictObject({ strategy: z.literal('blue_green'), bake_minutes: BakeMinutes, alarms: Alarms, gate: Gate }).meta({
      description: 'The new revision starts in full beside the old one, then takes all production traffic at once.',
    }),
  ])
  .refine((settings) => holdMinutesOf(settings) <= MAX_HOLD_MINUTES, {
    message: `Its bakes and gate may hold a rollout at most ${MAX_HOLD_MINUTES} minutes in all (every bake, and the gate timing out, at each step they hold): shorten them, or take fewer steps.`,
    // Only settings valid field by field are added up.
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'DeploymentSettings' });

export const CreateAppRequest = z
  .strictObject({
    name: AppName,
    cluster: ResourceName.optional().meta({ description: 'The ECS cluster; without cluster and service the app is external.' }),
    service: ResourceName.optional().meta({ description: 'The ECS service; without cluster and service the app is external.' }),
    container: z.string().min(1).max(255).regex(/^[A-Za-z0-9_-]+$/).optional(),
    auto_release: z.boolean().default(false),
    auto_rollback: AutoRollback.default(false),
    bake_window_seconds: BakeWindowSeconds.default(DEFAULT_BAKE_WINDOW_SECONDS),
    public_badge: z.boolean().default(false).meta({ description: 'Let anyone read the app\'s badge (GET /apps/{app}/badge.svg) without a key.' }),
    deployment: DeploymentSettingsSchema.optional(),
    release_phase: ReleasePhaseSettingsSchema.nullable().optional(),
  })
  .superRefine((request, context) => {
    if ((request.cluster === undefined) === (request.service === undefined)) return;
    const missing = request.cluster === undefined ? 'cluster' : 'service';
    context.addIssue({ code: 'custom', message: 'give both cluster and service (an ECS app), or neither (an external app)', path: [missing] });
  })
  .refine(
    (request) =>
      request.cluster !== undefined ||
      !(request.container !== undefined || request.auto_release || request.auto_rollback || request.deployment !== undefined || request.release_phase),
    {
    message: 'an external app (no cluster and service) is never deployed: it takes no container, auto_release, auto_rollback, deployment or release_phase',
    path: ['cluster'],
  })
  .meta({
    id: 'CreateAppRequest',
    description: 'With cluster and service, an ECS service Slipway deploys; with neither, an external app whose releases Slipway records and never deploys.',
  });
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

export const UpdateAppRequest = z
  .strictObject({
    auto_rollback: AutoRollback.optional(),
    bake_window_seconds: BakeWindowSeconds.optional(),
    public_badge: z.boolean().optional().meta({ description: "Let anyone read the app's badge without a key (true) or not (false); admin only." }),
    deployment: DeploymentSettingsSchema.optional(),
    release_phase: ReleasePhaseSettingsSchema.nullable().optional().meta({ description: "The app's release phase; null turns it off." }),
  })
  .refine((request) => Object.keys(request).length > 0, {
    message: 'Give auto_rollback, bake_window_seconds, public_badge, deployment, release_phase or any of them together.',
  })
  .meta({ id: 'UpdateAppRequest' });
export type UpdateAppRequest = z.infer<typeof UpdateAppRequest>;

export const AppResponse = z
  .object({
    id: Uuid,
    name: AppName,
    cluster: z.string().nullable().meta({ description: 'The ECS cluster; null for an external app.' }),
    service: z.string().nullable().meta({ description: 'The ECS service; null for an external app.' }),
    container: z.string().nullable(),
    external: z.boolean().meta({ description: 'An external app: Slipway records its releases as its clients report them and never deploys them.' }),
    auto_release: z.boolean(),
    auto_rollback: z.boolean(),
    bake_window_seconds: z.number().int(),
    public_badge: z.boolean(),
    deployment: DeploymentSettingsSchema,
    release_phase: ReleasePhaseSettingsSchema.nullable().meta({ description: 'The one-off command each release runs before it takes traffic; null: none.' }),
    created_at: Timestamp,
    updated_at: Timestamp,
    description: z.string().meta({ description: 'Akkeris compatibility: which ECS service the app is (or that it is external).' }),
    web_url: z.string().meta({ description: 'Akkeris compatibility: Slipway does not know an app\'s URL; always "".' }),
    simple_name: AppName.meta({ description: 'Akkeris compatibility: the same as name.' }),
    space: NamedRef.meta({ description: "Akkeris compatibility: Slipway's nearest thing to a space is the app's ECS cluster (\"external\" for an external app)." }),
    organization: NamedRef.meta({ description: 'Akkeris compatibility: Slipway has no organizations; always "slipway".' }),
    region: NamedRef.meta({ description: 'Akkeris compatibility: the AWS region Slipway runs in ("local" under npm start).' }),
  })
  .meta({ id: 'App' });
export type AppResponse = z.infer<typeof AppResponse>;

const CurrentReleaseResponse = z
  .object({
    id: Uuid,
    version: z.number().int().positive(),
    image: z.string(),
    status: z.enum(RELEASE_STATUSES),
    state: z.enum(CHECK_STATES).meta({ description: 'Its combined status checks' }),
    checks_posted: ChecksPosted,
    trigger: z.enum(RELEASE_TRIGGERS),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    running_count: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .meta({ description: "The ECS tasks running it now, or an external app's hosts running it; null when ECS cannot be read" }),
  })
  .meta({ id: 'CurrentRelease' });
export type CurrentReleaseResponse = z.infer<typeof CurrentReleaseResponse>;

const RolloutInFlightResponse = CurrentReleaseResponse.extend({
  rollout: RolloutResponse.nullable(),
}).meta({ id: 'RolloutInFlight' });

/** `GET /apps/{app}` also tells what runs now, as Akkeris' apps:info shows it ("" and null before any release). */
export const AppDetailResponse = AppResponse.extend({
  image: z.string().meta({ description: "The current release's image" }),
  git_url: z.string().meta({ description: "The repo of the current release's build" }),
  git_branch: z.string().meta({ description: "The branch of the current release's build" }),
  released_at: Timestamp.nullable().meta({ description: 'When the current release finished rolling out' }),
  current_release: CurrentReleaseResponse.nullable().meta({ description: 'What is live: the current release; null before any succeeded' }),
  rollout_in_flight: RolloutInFlightResponse.nullable().meta({ description: 'The release rolling out now, if any' }),
}).meta({ id: 'AppDetail' });
export type AppDetailResponse = z.infer<typeof AppDetailResponse>;

/** Akkeris' app features; Slipway has one, `auto-release`, mirroring the app's auto_release flag. */
export const AppFeatureResponse = z
  .object({
    name: z.literal('auto-release'),
    description: z.string(),
    enabled: z.boolean(),
  })
  .meta({ id: 'AppFeature' });
export type AppFeatureResponse = z.infer<typeof AppFeatureResponse>;
