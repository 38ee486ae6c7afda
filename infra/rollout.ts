import { Annotations, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  CustomState,
  DefinitionBody,
  Errors,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  TaskInput,
  type TaskStateBase,
  Timeout,
  type RetryProps,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DEFAULT_DEADLINE_SECONDS } from '../shared/domain/rollout';
import { MAX_HOLD_MINUTES } from '../shared/domain/deployment-strategy';
import { DEPLOYMENT_EVENT_PATTERN, PERMANENT_STEP_ERRORS } from '../shared/rollout/contract';
import { RELEASE_PHASE_BOUNDS } from '../shared/domain/release-phase';
import { ReleasePhaseInfra } from './release-phase';
import { slipwayFunction } from './slipway-function';
import { grantTableData } from './slipway-table';
import { addTaskProgress } from './task-progress';

/** The rollout's step Lambdas, by the name the local Step Functions emulator maps them back with. */
const ROLLOUT_STEP_ENTRIES = {
  lock: 'functions/rollout-lock.ts',
  deploy: 'functions/rollout-deploy.ts',
  'release-phase': 'functions/rollout-release-phase.ts',
  await: 'functions/rollout-await.ts',
  finish: 'functions/rollout-finish.ts',
} as const;
export type RolloutStep = keyof typeof ROLLOUT_STEP_ENTRIES;

/** State names, for whoever scales or counts them (the local emulator, tests, the bench). */
export const ROLLOUT_STATES = {
  lock: 'Lock',
  deploy: 'Deploy',
  hasReleasePhase: 'HasReleasePhase',
  releasePhase: 'ReleasePhase',
  releasePhasePassed: 'ReleasePhasePassed',
  updateService: 'UpdateService',
  await: 'AwaitDeployment',
  finish: 'Finish',
  salvage: 'Salvage',
} as const;

/** How long a parked Lock step sleeps before it looks at the lock again on its own (a lost wake-up's cost). */
const LOCK_POLL = Duration.minutes(5);
/**
 * How often a deployment is reconciled with DescribeServices when no ECS event resumed the wait. Each
 * reconcile is a state transition and refreshes the progress a release shows: a ten-minute deployment
 * costs five more transitions, and the 30-minute deadline bounds them at fifteen.
 */
const DEPLOYMENT_RECONCILE = Duration.minutes(2);

/** Errors that retrying cannot fix: the release is settled from them at once. */
const PERMANENT_ERRORS = ['DomainError', 'ZodError', ...Object.values(PERMANENT_STEP_ERRORS)];

const BACKOFF: RetryProps = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 5,
  maxDelay: Duration.seconds(20),
  jitterStrategy: JitterType.FULL,
};

/**
 * ECS throttling and brief unavailability pass by themselves: they are retried for a span of time, not
 * for a number of attempts, so a burst of throttles or one ServiceUnavailableException never fails a
 * release, while an ECS that stays down does within a few minutes (the deadline would end it anyway).
 */
const ECS_TRANSIENT_RETRY_WINDOW = Duration.minutes(5);
const ECS_TRANSIENT_BACKOFF = { interval: Duration.seconds(1), backoffRate: 2, maxDelay: Duration.seconds(30) };

/** How many retries fit in `window` when each waits at most its backoff delay (capped at `maxDelay`). */
const retriesWithin = (window: Duration, backoff: typeof ECS_TRANSIENT_BACKOFF): number => {
  let retries = 0;
  let waited = 0;
  for (;;) {
    const delay = Math.min(backoff.interval.toSeconds() * backoff.backoffRate ** retries, backoff.maxDelay.toSeconds());
    if (waited + delay > window.toSeconds()) return retries;
    waited += delay;
    retries += 1;
  }
};

export const ECS_TRANSIENT_RETRIES = retriesWithin(ECS_TRANSIENT_RETRY_WINDOW, ECS_TRANSIENT_BACKOFF);
const ECS_TRANSIENT_RETRY: RetryProps = {
  ...ECS_TRANSIENT_BACKOFF,
  maxAttempts: ECS_TRANSIENT_RETRIES,
  jitterStrategy: JitterType.FULL,
};
/** ECS's transient faults as the Deploy step's Lambda reports them (the error's name) … */
const ECS_TRANSIENT_ERRORS = ['ThrottlingException', 'ServerException', 'ServiceUnavailableException', 'ServiceUnavailable'];
/** … and as the state machine's direct ECS integration names them. */
const ECS_TASK_TRANSIENT_ERRORS = [...ECS_TRANSIENT_ERRORS.map((name) => `Ecs.${name}`), 'Ecs.EcsException', 'Ecs.SdkClientException'];

/**
 * The longest an execution may take: the rollout deadline, plus the longest release phase and the longest its bakes
 * and gates may hold it (each release's own deadline adds only what its app's settings take), plus room for the steps
 * around the deployment (lock handover, task definition, ECS retries, settling), so an execution that outlives it is
 * stuck for real and its TimedOut alarm fires.
 */
const EXECUTION_TIMEOUT = Duration.seconds(DEFAULT_DEADLINE_SECONDS)
  .plus(Duration.minutes(RELEASE_PHASE_BOUNDS.timeoutMinutes.max))
  .plus(Duration.minutes(MAX_HOLD_MINUTES))
  .plus(Duration.minutes(15));

/** How often a release phase's task is looked at when no ECS event resumed the wait: bounds how late a timeout is noticed. */
const RELEASE_PHASE_RECONCILE = Duration.minutes(1);

/**
 * Context keys of the rollout: what it may touch in ECS (`npx cdk deploy -c slipway:clusters=a,b`), and
 * how many executions each of its functions keeps for itself.
 */
export const ROLLOUT_CONTEXT = {
  clusters: 'slipway:clusters',
  taskRoles: 'slipway:taskRoleArns',
  concurrency: 'slipway:rolloutConcurrency',
  releasePhaseLogGroups: 'slipway:releasePhaseLogGroups',
} as const;

/**
 * Concurrent executions each rollout function (the five steps, the three ECS event handlers: deployments, task
 * progress, release phase tasks; the reconciler) keeps for itself, so a burst of API traffic cannot take the
 * account's concurrency from the functions that carry a rescue out. It also caps each of them: a throttled step is
 * retried by its state's backoff, and the function's Throttles alarm fires. Lambda keeps 100 of the account's
 * concurrency unreserved, so the nine need an account limit of at least 100 + 9 × this;
 * `-c slipway:rolloutConcurrency=0` reserves none.
 */
export const DEFAULT_ROLLOUT_CONCURRENCY = 10;

const reservedConcurrency = (scope: Construct): number | undefined => {
  const value: unknown = scope.node.tryGetContext(ROLLOUT_CONTEXT.concurrency);
  const count = value === undefined ? DEFAULT_ROLLOUT_CONCURRENCY : Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`-c ${ROLLOUT_CONTEXT.concurrency} takes a whole number of executions (0 reserves none), not ${JSON.stringify(value)}.`);
  }
  return count === 0 ? undefined : count;
};

/** Services Slipway deploys to carry this tag; the rollout may update no other service. */
export const MANAGED_SERVICE_TAG = { key: 'slipway:managed', value: 'true' } as const;

const listContext = (scope: Construct, key: string): string[] => {
  const value: unknown = scope.node.tryGetContext(key);
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => String(item).trim()).filter((item) => item !== '');
};

/** Every service of a cluster, as an ARN pattern ending in `/*`. */
const serviceArn = (stack: Stack, cluster: string): string =>
  stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${cluster}/*` });

/**
 * Resuming a parked step by its task token. IAM defines no resource type for states:SendTaskSuccess
 * (Service Authorization Reference), so only "*" allows it: a statement naming the state machine matches
 * no request. The task token itself is what picks, and entitles to resume, one waiting task.
 */
const resumeStepStatement = () => new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] });

const RESUME_STEP_REASON =
  'states:SendTaskSuccess supports no resource-level permissions (IAM defines no resource type for it); the ' +
  'task token each call presents is what names, and entitles to resume, the one waiting task.';

export type RolloutProps = { table: ITableV2 };

/**
 * Deploys releases: one Standard state machine per release execution (named after the release), its
 * step Lambdas, and the EventBridge rule that resumes a rollout when ECS reports its deployment ended.
 *
 *   Lock (wait for task token) -> Deploy -> HasReleasePhase -> [ReleasePhase (wait for task token; ECS task
 *   event or reconcile) -> ReleasePhasePassed -> ] UpdateService (aws-sdk:ecs) -> AwaitDeployment (wait for
 *   task token; ECS event or reconcile) -> Finish;   any failure -> Salvage.
 *
 * An uncontended release takes six state transitions (eight with a release phase); each lock poll, release
 * phase or deployment reconcile adds one.
 */
export class Rollout extends Construct {
  readonly stateMachine: StateMachine;
  readonly steps: Readonly<Record<RolloutStep, NodejsFunction>>;
  readonly deploymentEvents: NodejsFunction;
  /** Live progress: ECS task state changes of deploying services (infra/task-progress.ts). */
  readonly taskEvents: NodejsFunction;
  /** DescribeServices on the services Slipway may deploy (the clusters named in context), set by grantEcs. */
  /** Scheduled safety net: starts queued releases nothing else will start (see functions/rollout-reconcile.ts). */
  readonly queueReconciler: NodejsFunction;
  readonly deadLetterQueue: Queue;
  /** The release phase's event handler and ECS rights, and who may read its output. */
  readonly releasePhase: ReleasePhaseInfra;

  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const environment = { SLIPWAY_TABLE: props.table.tableName };
    const reservedConcurrentExecutions = reservedConcurrency(this);
    const fn = (name: string, entry: string, description: string) =>
      slipwayFunction(this, name, { entry, environment, description, timeout: Duration.seconds(30), reservedConcurrentExecutions });

    this.steps = {
      lock: fn('LockStep', ROLLOUT_STEP_ENTRIES.lock, 'Rollout: take the app lock or park until handed it'),
      deploy: fn('DeployStep', ROLLOUT_STEP_ENTRIES.deploy, 'Rollout: mark pending, register the task definition'),
      'release-phase': fn('ReleasePhaseStep', ROLLOUT_STEP_ENTRIES['release-phase'], 'Rollout: run the release phase task once, park for its ECS events'),
      await: fn('AwaitStep', ROLLOUT_STEP_ENTRIES.await, 'Rollout: park for ECS events, reconcile the deployment'),
      finish: fn('FinishStep', ROLLOUT_STEP_ENTRIES.finish, 'Rollout: settle the release, pass the lock on'),
    };
    this.deadLetterQueue = new Queue(this, 'DeploymentEventsDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deploymentEvents = slipwayFunction(this, 'DeploymentEvents', {
      entry: 'functions/ecs-deployment-events.ts',
      environment,
      description: 'Resumes the rollout waiting on an ECS deployment that ended',
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions,
    });
    for (const grantee of [...Object.values(this.steps), this.deploymentEvents]) grantTableData(grantee, props.table, 'read-write');

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(this.definition()),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: RetentionDays.THREE_MONTHS }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
      comment: 'Slipway: roll one release out to its ECS service',
      timeout: EXECUTION_TIMEOUT,
    });

    const clusters = listContext(this, ROLLOUT_CONTEXT.clusters);
    new Rule(this, 'EcsDeploymentStateChange', {
      description: 'ECS deployment state changes resume the rollout waiting on that deployment; hooks awaiting action are answered',
      eventPattern: {
        source: [...DEPLOYMENT_EVENT_PATTERN.source],
        detailType: [...DEPLOYMENT_EVENT_PATTERN.detailType],
        // Scoped like the ECS rights: only services of the named clusters wake the handler.
        ...(clusters.length > 0
          ? { resources: Match.anyOf(...clusters.map((cluster) => Match.prefix(serviceArn(stack, cluster).slice(0, -1)))) }
          : {}),
      },
      targets: [
        new LambdaFunction(this.deploymentEvents, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    this.taskEvents = addTaskProgress(this, { stack, table: props.table, clusters, deadLetterQueue: this.deadLetterQueue, reservedConcurrentExecutions });

    this.queueReconciler = slipwayFunction(this, 'QueueReconciler', {
      entry: 'functions/rollout-reconcile.ts',
      environment: { ...environment, ROLLOUT_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      description: 'Rollout: restart queues whose next release was never started',
      timeout: Duration.minutes(5),
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions,
    });
    grantTableData(this.queueReconciler, props.table, 'read-write');
    new Rule(this, 'QueueReconcileSchedule', {
      description: 'Every 5 minutes: start queued releases whose execution never started',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.queueReconciler, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 })],
    });

    this.grantEcs(stack, clusters);
    this.releasePhase = new ReleasePhaseInfra(this, 'ReleasePhaseTasks', {
      table: props.table,
      step: this.steps['release-phase'],
      clusters,
      taskRoles: listContext(this, ROLLOUT_CONTEXT.taskRoles),
      logGroups: listContext(this, ROLLOUT_CONTEXT.releasePhaseLogGroups),
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions,
      readServices: this.readServices,
    });
    this.grantCallbacks();
  }

  private definition() {
    const rollout = JsonPath.objectAt('$$.Execution.Input');
    const stateMachineArn = JsonPath.stringAt('$$.StateMachine.Id');
    /** A step Lambda whose answer is the state's result. */
    const call = (id: string, step: RolloutStep, comment: string, payload: Record<string, unknown>, resultPath?: string) =>
      new LambdaInvoke(this, id, {
        comment,
        lambdaFunction: this.steps[step],
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: TaskInput.fromObject(payload),
        ...(resultPath ? { resultPath } : {}),
        taskTimeout: Timeout.duration(Duration.minutes(1)),
      });
    /**
     * A step Lambda that parks the state's task token until someone resumes it; when the timeout comes
     * first, the state is entered again, which is the polling fallback.
     */
    const park = (id: string, step: RolloutStep, comment: string, payload: Record<string, unknown>, timeout: Duration, resultPath: string) => {
      const state = new LambdaInvoke(this, id, {
        comment,
        lambdaFunction: this.steps[step],
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({ ...payload, rollout, taskToken: JsonPath.taskToken }),
        taskTimeout: Timeout.duration(timeout),
        resultPath,
        retryOnServiceExceptions: false,
      });
      return state.addCatch(state, { errors: [Errors.TIMEOUT], resultPath: JsonPath.DISCARD });
    };
    // Retriers apply in order: a permanent error matches the first and is not retried at all.
    const retry = (state: TaskStateBase): TaskStateBase =>
      state
        .addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 })
        .addRetry({ ...ECS_TRANSIENT_RETRY, errors: ECS_TRANSIENT_ERRORS })
        .addRetry({ ...BACKOFF, errors: [Errors.TASKS_FAILED] });

    const salvage = call(
      ROLLOUT_STATES.salvage,
      'finish',
      'Any failure: settle the release as failed (or unknown once ECS deploys) and pass the lock on',
      { rollout, stateMachineArn, error: JsonPath.objectAt('$.error') },
    ).addRetry({ ...BACKOFF, maxAttempts: 8, errors: [Errors.ALL] });
    const onFailure = { errors: [Errors.ALL], resultPath: '$.error' };

    const lock = park(
      ROLLOUT_STATES.lock,
      'lock',
      "Take the app's rollout lock, or park the task token until the lock is handed over",
      { stateMachineArn },
      LOCK_POLL,
      JsonPath.DISCARD,
    );
    const deploy = call(
      ROLLOUT_STATES.deploy,
      'deploy',
      'Mark the release pending and register its task definition revision',
      { rollout },
      '$.deploy',
    );

    const updateService = new CustomState(this, ROLLOUT_STATES.updateService, {
      stateJson: {
        Type: 'Task',
        Comment: "Deploy the revision the way the app's strategy asks ECS to (rolling, blue/green, linear, canary; its bake times and alarms)",
        Resource: 'arn:aws:states:::aws-sdk:ecs:updateService',
        Parameters: {
          'Cluster.$': '$.deploy.cluster',
          'Service.$': '$.deploy.service',
          'TaskDefinition.$': '$.deploy.taskDefinitionArn',
          // Built by the Deploy step from the app's strategy (shared/domain/deployment-strategy), already in this casing.
          'DeploymentConfiguration.$': '$.deploy.deploymentConfiguration',
        },
        // ECS lists the PRIMARY deployment, the one this call started, first.
        ResultSelector: { 'deploymentId.$': '$.Service.Deployments[0].Id' },
        ResultPath: '$.update',
        TimeoutSeconds: 60,
      },
    }).addRetry({ ...ECS_TRANSIENT_RETRY, errors: ECS_TASK_TRANSIENT_ERRORS });

    const awaitDeployment = park(
      ROLLOUT_STATES.await,
      'await',
      'Park the task token for the ECS deployment event; each timeout reconciles with ECS, up to the deadline',
      { deploy: JsonPath.objectAt('$.deploy'), deploymentId: JsonPath.stringAt('$.update.deploymentId') },
      DEPLOYMENT_RECONCILE,
      '$.result',
    );
    const releasePhase = park(
      ROLLOUT_STATES.releasePhase,
      'release-phase',
      "Run the app's release phase as a one-off task of the new revision once; park for its ECS event, reconcile each minute",
      { deploy: JsonPath.objectAt('$.deploy') },
      RELEASE_PHASE_RECONCILE,
      '$.result',
    );
    const finish = call(
      ROLLOUT_STATES.finish,
      'finish',
      'Settle the release, make it current if it succeeded, fold in its checks, pass the lock on',
      { rollout, stateMachineArn, result: JsonPath.objectAt('$.result') },
    );

    for (const state of [lock, deploy, releasePhase, awaitDeployment, finish]) retry(state).addCatch(salvage, onFailure);
    updateService.addCatch(salvage, onFailure);
    updateService.next(awaitDeployment).next(finish);
    // Only an app with a release phase pays for these states; its failure settles the release before ECS is touched.
    const passed = new Choice(this, ROLLOUT_STATES.releasePhasePassed, { comment: 'Exit code 0 deploys; anything else settles the release failed' })
      .when(Condition.stringEquals('$.result.outcome', 'COMPLETED'), updateService)
      .otherwise(finish);
    const hasReleasePhase = new Choice(this, ROLLOUT_STATES.hasReleasePhase, { comment: 'Whether the release runs its app\'s release phase first' })
      .when(Condition.booleanEquals('$.deploy.releasePhase', true), releasePhase.next(passed))
      .otherwise(updateService);
    return lock.next(deploy).next(hasReleasePhase);
  }

  /**
   * ECS rights, scoped to the services of the clusters named in context (default: any cluster of this
   * account and region) that carry the managed-service tag. Task definitions support no resource-level
   * permissions for Register/Describe, so those two are on "*"; the roles a copied revision passes on
   * are limited to ECS tasks (and to `slipway:taskRoleArns` when given).
   */
  private grantEcs(stack: Stack, clusters: string[]): void {
    const services = (clusters.length > 0 ? clusters : ['*']).map((cluster) => serviceArn(stack, cluster));
    const managed = { StringEquals: { [`aws:ResourceTag/${MANAGED_SERVICE_TAG.key}`]: MANAGED_SERVICE_TAG.value } };
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['ecs:UpdateService'], resources: services, conditions: managed }),
    );
    const readService = new PolicyStatement({ actions: ['ecs:DescribeServices'], resources: services });
    // Blue/green, linear and canary report their lifecycle stage on the service deployment, of the same clusters' services.
    const serviceDeployments = (clusters.length > 0 ? clusters : ['*']).map((cluster) =>
      stack.formatArn({ service: 'ecs', resource: 'service-deployment', resourceName: `${cluster}/*` }),
    );
    const readServiceDeployments = new PolicyStatement({ actions: ['ecs:DescribeServiceDeployments'], resources: serviceDeployments });
    this.readServices = readService;
    // A rollback stops the blue/green, linear or canary deployment of a release it supersedes (supersede in shared/rollout/lock.ts).
    this.stopServiceDeployments = new PolicyStatement({
      actions: ['ecs:StopServiceDeployment'],
      resources: serviceDeployments,
    });
    const taskRoles = listContext(this, ROLLOUT_CONTEXT.taskRoles);
    const deployStatements = [
      readService,
      new PolicyStatement({ actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }),
      new PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: '*' })],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      }),
      // No role may be passed until the roles are named: a copied revision that names a task or execution
      // role then fails to register (the release fails) rather than Slipway holding PassRole on every role.
      ...(taskRoles.length > 0
        ? [
            new PolicyStatement({
              actions: ['iam:PassRole'],
              resources: taskRoles,
              conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            }),
          ]
        : []),
    ];
    if (taskRoles.length === 0) {
      Annotations.of(this).addWarningV2(
        'slipway:noTaskRoles',
        `Set -c ${ROLLOUT_CONTEXT.taskRoles}=<arn,...> to the task and execution roles of the services Slipway deploys; until then it may pass no role, so deploying a task definition that names one fails.`,
      );
    }
    for (const statement of deployStatements) this.steps.deploy.addToRolePolicy(statement);
    for (const grantee of [this.steps.await, this.deploymentEvents, this.taskEvents]) {
      grantee.addToRolePolicy(readService);
      grantee.addToRolePolicy(readServiceDeployments);
    }
    this.steps.await.addToRolePolicy(this.stopServiceDeployments);
    // Holds (bakes, gates) are PAUSE lifecycle hooks that the rollout, the ECS event handler and the API answer.
    this.continueServiceDeployments = new PolicyStatement({ actions: ['ecs:ContinueServiceDeployment'], resources: serviceDeployments });
    this.readServiceDeployments = readServiceDeployments;
    for (const grantee of [this.steps.await, this.deploymentEvents]) {
      grantee.addToRolePolicy(this.continueServiceDeployments);
      if (grantee !== this.steps.await) grantee.addToRolePolicy(this.stopServiceDeployments);
    }
    const deployRole = this.steps.deploy.role;
    if (deployRole) {
      Validations.of(deployRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition support no resource-level permissions; the ' +
          'Deploy step copies the service\'s current revision with them. Every other ECS action is scoped.',
      });
    }
  }

  private readServices: PolicyStatement | undefined;
  private readServiceDeployments: PolicyStatement | undefined;
  private stopServiceDeployments: PolicyStatement | undefined;
  private continueServiceDeployments: PolicyStatement | undefined;

  /**
   * May answer the holds of a release rolling out (shared/rollout/holds.ts): read where its service deployment
   * stands, continue or roll back a PAUSE hook, stop the deployment. The API does so when an operator acts on a
   * release and when a status check its gate waits for is posted.
   */
  grantAnswerHolds(grantee: IGrantable): void {
    for (const statement of [this.readServices, this.readServiceDeployments, this.continueServiceDeployments, this.stopServiceDeployments]) {
      if (statement) grantee.grantPrincipal.addToPrincipalPolicy(statement);
    }
  }

  /**
   * May read the services rollouts deploy to (DescribeServices, scoped as the rollout's): the apps API checks a
   * strategy fits the service, and the API tells how many tasks run each release (shared/operations/running-counts.ts).
   */
  grantReadServices(grantee: IGrantable): void {
    if (this.readServices) grantee.grantPrincipal.addToPrincipalPolicy(this.readServices);
  }

  /** May read a release phase's output from the log groups named in context (shared/operations/release-phase-output.ts). */
  grantReadReleasePhaseOutput(fn: NodejsFunction): void {
    this.releasePhase.grantReadOutput(fn);
  }

  /** May start a recorded release's execution (shared/rollout/start-rollout.ts). */
  grantStartRollouts(grantee: IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * May move an app's rollout queue (passLockOn in shared/rollout/lock.ts): start the next release's
   * execution, ask whether a holder's execution still runs, and resume a parked step; settle a holder whose
   * execution is gone by what ECS says of its deployment, or stop it. A rollback's creator
   * does this at once to overtake the queue, or the rescue waits for the reconciler.
   */
  grantQueueMoves(grantee: IGrantable): void {
    for (const statement of this.queueMoveStatements()) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }

  private queueMoveStatements(): PolicyStatement[] {
    const stack = Stack.of(this);
    return [
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
      new PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${this.stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      resumeStepStatement(),
      // A holder whose execution is gone is settled as ECS says its deployment ended, or has it stopped (shared/rollout/unwatched.ts).
      ...[this.readServices, this.readServiceDeployments, this.stopServiceDeployments].filter((statement) => statement !== undefined),
      this.releasePhase.stopTasks,
    ];
  }

  /**
   * The steps' own rights on the state machine. They live in policies of their own: the state machine
   * references the functions, so the functions' default policies cannot reference it back.
   */
  private grantCallbacks(): void {
    const attach = (policy: Policy, functions: NodejsFunction[]) => {
      for (const fn of functions) if (fn.role) policy.attachToRole(fn.role);
    };
    const callbacks = new Policy(this, 'StepCallbacks', { statements: [resumeStepStatement()] });
    attach(callbacks, [this.steps.await, this.steps['release-phase'], this.deploymentEvents, this.releasePhase.phaseEvents]);
    const queueMoves = new Policy(this, 'QueueMoves', { statements: this.queueMoveStatements() });
    attach(queueMoves, [this.steps.lock, this.steps.finish, this.queueReconciler]);
    for (const policy of [callbacks, queueMoves]) {
      Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: RESUME_STEP_REASON });
    }
  }
}
