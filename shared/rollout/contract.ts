import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { DEPLOYMENT_OUTCOMES } from '../domain/rollout';

/**
 * The names of the errors a step throws that retrying cannot fix: the state machine settles the release
 * from them at once. The steps throw them and the CDK construct lists them, from this one place.
 */
export const PERMANENT_STEP_ERRORS = {
  lockNotHeld: 'RolloutLockNotHeld',
  releaseNotQueued: 'ReleaseNotQueued',
  appNotFound: 'AppNotFound',
} as const;
export type PermanentStepError = (typeof PERMANENT_STEP_ERRORS)[keyof typeof PERMANENT_STEP_ERRORS];

/**
 * What the rollout state machine passes between its states and to its step Lambdas. The CDK construct
 * builds the state machine's payloads with these field names and every step handler parses its event
 * with these schemas, so a mismatch fails loudly at the step that received it.
 */

/** The execution input: one release of one app. */
export const RolloutInput = builtOnFirstUse(() =>
  z.object({
    appId: z.string().check(z.minLength(1)),
    appName: z.string().check(z.minLength(1)),
    releaseId: z.string().check(z.minLength(1)),
    version: z.int().check(z.positive()),
    /** Budget for the deployment once UpdateService ran; past it the release ends `unknown`. */
    deadlineSeconds: z.number().check(z.positive()),
  }),
);
export type RolloutInput = z.infer<ReturnType<typeof RolloutInput>>;

const TaskToken = builtOnFirstUse(() => z.string().check(z.minLength(1)));
const StateMachineArn = builtOnFirstUse(() => z.string().check(z.minLength(1)));

export const LockStepInput = builtOnFirstUse(() => z.object({ rollout: RolloutInput(), stateMachineArn: StateMachineArn(), taskToken: TaskToken() }));
export type LockStepInput = z.infer<ReturnType<typeof LockStepInput>>;

export const DeployStepInput = builtOnFirstUse(() => z.object({ rollout: RolloutInput() }));

/** The Deploy step's result: what UpdateService and the wait need. */
export const DeployPlan = builtOnFirstUse(() =>
  z.object({
    cluster: z.string().check(z.minLength(1)),
    service: z.string().check(z.minLength(1)),
    taskDefinitionArn: z.string().check(z.minLength(1)),
    /** UpdateService's deploymentConfiguration for the app's strategy, as the direct ECS integration spells it (PascalCase). */
    deploymentConfiguration: z.record(z.string(), z.unknown()),
    /** Blue/green, linear and canary: the rollout reads their lifecycle stages off DescribeServiceDeployments. */
    shiftsTraffic: z._default(z.boolean(), false),
    /** The release runs its app's release phase (a one-off task) before UpdateService; its deadline is counted after it. */
    releasePhase: z._default(z.boolean(), false),
    deadlineAt: z.iso.datetime(),
  }),
);
export type DeployPlan = z.infer<ReturnType<typeof DeployPlan>>;

export const AwaitStepInput = builtOnFirstUse(() =>
  z.object({
    rollout: RolloutInput(),
    deploy: DeployPlan(),
    deploymentId: z.string().check(z.minLength(1)),
    taskToken: TaskToken(),
  }),
);
export type AwaitStepInput = z.infer<ReturnType<typeof AwaitStepInput>>;

/** What resumes the wait for a deployment: how it ended, and why. */
export const DeploymentResult = builtOnFirstUse(() => z.object({ outcome: z.enum(DEPLOYMENT_OUTCOMES), reason: z.nullable(z.string()) }));
export type DeploymentResult = z.infer<ReturnType<typeof DeploymentResult>>;

/** A Catch's error output, as Step Functions shapes it. */
const StepError = builtOnFirstUse(() => z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }));

export const FinishStepInput = builtOnFirstUse(() =>
  z.object({
    rollout: RolloutInput(),
    stateMachineArn: StateMachineArn(),
    result: z.optional(DeploymentResult()),
    error: z.optional(StepError()),
  }),
);
export type FinishStepInput = z.infer<ReturnType<typeof FinishStepInput>>;

/** The EventBridge rule's pattern; the local ECS simulator's events are routed through the same filter. */
export const DEPLOYMENT_EVENT_PATTERN = { source: ['aws.ecs'], detailType: ['ECS Deployment State Change', 'ECS Hook State Change'] } as const;

export const DeploymentStateChange = builtOnFirstUse(() =>
  z.object({
    source: z.literal('aws.ecs'),
    'detail-type': z.literal('ECS Deployment State Change'),
    resources: z._default(z.array(z.string()), []),
    detail: z.object({
      eventName: z.string(),
      deploymentId: z.string().check(z.minLength(1)),
      reason: z.optional(z.string()),
    }),
  }),
);
export type DeploymentStateChange = z.infer<ReturnType<typeof DeploymentStateChange>>;

/**
 * ECS's "ECS Hook State Change": a PAUSE hook awaits ContinueServiceDeployment (HOOK_AWAITING_ACTION). The
 * deployment it holds is named by its id where the event carries it; one that names none is left to the
 * rollout's reconcile.
 */
export const HookStateChange = builtOnFirstUse(() =>
  z.object({
    source: z.literal('aws.ecs'),
    'detail-type': z.literal('ECS Hook State Change'),
    resources: z._default(z.array(z.string()), []),
    detail: z.looseObject({
      eventName: z.string(),
      deploymentId: z.optional(z.string().check(z.minLength(1))),
      hookId: z.optional(z.string()),
    }),
  }),
);

export type HookStateChange = z.infer<ReturnType<typeof HookStateChange>>;

/** Every event the rule routes to the deployment-events handler. */
export const EcsRolloutEvent = builtOnFirstUse(() => z.discriminatedUnion('detail-type', [DeploymentStateChange(), HookStateChange()]));
export type EcsRolloutEvent = z.infer<ReturnType<typeof EcsRolloutEvent>>;

/**
 * The EventBridge rule for ECS's task state changes (the local ECS simulator's go through the same filter): tasks
 * of a service (group `service:<name>`; RunTask's one-off tasks are in other groups) that turned RUNNING or STOPPED,
 * the two changes that move a deployment's running and failed counts and the share of running tasks it has.
 */
export const TASK_EVENT_PATTERN = {
  source: ['aws.ecs'],
  detailType: ['ECS Task State Change'],
  detail: { group: [{ prefix: 'service:' }], lastStatus: ['RUNNING', 'STOPPED'] },
} as const;

/** What the task event handler reads of one; ECS sends much more. */
export const TaskStateChange = builtOnFirstUse(() =>
  z.object({
    source: z.literal('aws.ecs'),
    'detail-type': z.literal('ECS Task State Change'),
    /** To the second; `detail.updatedAt`, when there, to the millisecond. */
    time: z.iso.datetime({ offset: true }),
    detail: z.object({
      clusterArn: z.string().check(z.minLength(1)),
      group: z.optional(z.string()),
      lastStatus: z.string(),
      updatedAt: z.optional(z.iso.datetime({ offset: true })),
    }),
  }),
);
export type TaskStateChange = z.infer<ReturnType<typeof TaskStateChange>>;
