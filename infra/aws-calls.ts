import type { FunctionName } from '../shared/api/routes';
import { APPS_PARTITION, apiKeyKey, appPartition } from '../shared/store/keys';
import { API_KEY_PARTITIONS, TABLE_KEYS } from '../shared/store/table-design';
import { MANAGED_SERVICE_TAG, type RolloutStep } from './rollout';

/**
 * Every AWS call each Slipway function (and the rollout state machine) can make, read from its code paths:
 * functions/*.ts → shared/operations → shared/store, shared/rollout, shared/ecs, shared/events,
 * shared/hooks, shared/secrets. Nothing checks IAM locally, so test/infra/iam-calls.test.ts synthesizes the
 * stack and evaluates each call against the policies of the role that makes it; a call that is not allowed
 * there would only fail in AWS, often inside a catch that leaves the work to a slower path.
 *
 * When a code path gains an AWS call, add it here (the test then says whether IAM allows it); a function
 * without a list fails that test.
 */

type IndexName = (typeof TABLE_KEYS.localIndexes)[number]['name'] | (typeof TABLE_KEYS.globalIndexes)[number]['name'];

/**
 * What a call reaches, named by what the stack makes; the test turns each into the ARN it has once
 * deployed (an example one where a call names one of many: an execution, a parameter, a service).
 */
export type CallTarget =
  /** Actions IAM defines no resource type for: a policy allows them on "*" or not at all. */
  | 'any'
  | 'table'
  | `index:${IndexName}`
  | 'state-machine'
  /** An execution of the rollout state machine (named after a release). */
  | 'rollout-execution'
  | `rollout-step:${RolloutStep}`
  | 'event-bus'
  | 'hook-key'
  | 'hook-queue'
  /** A secret config value's parameter, under /slipway/. */
  | 'secret-parameter'
  /** An app's ECS service, tagged as managed by Slipway. */
  | 'ecs-service'
  /** A service deployment of an app's service (blue/green, linear, canary report their stages on it). */
  | 'ecs-service-deployment'
  /** A task definition revision the Deploy step registers. */
  | 'task-definition'
  /** A task or execution role a copied revision names. */
  | 'task-role'
  /** A one-off task (a release phase) in an app's cluster. */
  | 'ecs-task'
  /** The log stream a release phase's container writes with awslogs, in a log group named in context. */
  | 'release-phase-log-stream'
  /** The calling function's own log group, and its own dead-letter queue for asynchronous invocations. */
  | 'own-log-group'
  | 'own-dead-letter-queue';

export type AwsCall = {
  action: string;
  on: CallTarget;
  /** The condition keys the request carries, as IAM sees them. */
  context?: Readonly<Record<string, string | readonly string[]>>;
  /** Allowed only once `-c slipway:taskRoleArns` names the roles; until then it is denied on purpose. */
  onlyWithTaskRoles?: true;
  /** Allowed only once `-c slipway:releasePhaseLogGroups` names the log groups; until then it is denied on purpose. */
  onlyWithLogGroups?: true;
};

const call = (action: string, on: CallTarget, context?: AwsCall['context']): AwsCall => ({ action, on, ...(context ? { context } : {}) });

const leadingKeys = (...partitions: string[]) => ({ 'dynamodb:LeadingKeys': partitions });

/** Lambda itself, with the function's role: the function's log stream, and X-Ray as tracing is active. */
const LAMBDA_RUNTIME = [
  call('logs:CreateLogStream', 'own-log-group'),
  call('logs:PutLogEvents', 'own-log-group'),
  call('xray:PutTraceSegments', 'any'),
  call('xray:PutTelemetryRecords', 'any'),
];

const APP_ITEMS = leadingKeys(APPS_PARTITION, appPartition('3f2b6c1e-8f0a-4c55-9a43-5b1d2e7c9a10'));

/**
 * shared/store: the items of apps, builds, releases, locks, promotions, hooks, … (never an API key's), and
 * the Queries on every index (gsi1 finds an entity by id, gsi2 releases by status, couplings and open
 * promotions, gsi3 the outbox sweep, lsi1 builds by time and releases by id). The adapters are shared by
 * every use case, so each function that uses the table is listed with all of them. Scan is left out: only
 * the local runtime scans (listUnfinishedDeliveries).
 */
const STORE = [
  ...['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].map((action) =>
    call(`dynamodb:${action}`, 'table', APP_ITEMS),
  ),
  ...[...TABLE_KEYS.localIndexes, ...TABLE_KEYS.globalIndexes].map((index) => call('dynamodb:Query', `index:${index.name}`)),
];

const A_KEY = apiKeyKey('9b74c9897bac770ffc029102a200c5de').pk;

/**
 * shared/operations/authentication.ts: the presented key's item by its hash, alone (GetItem) or in one
 * BatchGetItem with the app the path names.
 */
const AUTHENTICATE = [call('dynamodb:GetItem', 'table', leadingKeys(A_KEY)), call('dynamodb:BatchGetItem', 'table', leadingKeys(A_KEY, APPS_PARTITION))];

/** shared/store/api-keys-store.ts, for the key routes: key items by hash, and their list (gsi2 APIKEYS). */
const KEY_ITEMS = [
  ...['GetItem', 'PutItem', 'UpdateItem'].map((action) => call(`dynamodb:${action}`, 'table', leadingKeys(A_KEY))),
  call('dynamodb:Query', `index:${API_KEY_PARTITIONS.listIndex}`, leadingKeys(API_KEY_PARTITIONS.listPartition)),
];

/** shared/events/relay.ts → eventbridge-publisher.ts: a committed change's events, to the Slipway bus. */
const RELAY_EVENTS = [call('events:PutEvents', 'event-bus')];

/** shared/rollout/start-rollout.ts: a recorded release's execution, named after it. */
const START_ROLLOUT = [call('states:StartExecution', 'state-machine')];

/** shared/rollout/sfn.ts sendTaskResult: resumes a parked Lock or AwaitDeployment step by its task token. */
const RESUME_STEP = [call('states:SendTaskSuccess', 'any')];

/**
 * supersede (shared/rollout/lock.ts): a superseded release's blue/green, linear or canary deployment is stopped
 * (StopServiceDeployment, ROLLBACK) before its wait is ended, so its revision gets no more traffic.
 */
const STOP_DEPLOYMENT = [call('ecs:StopServiceDeployment', 'ecs-service-deployment')];

/** … and a superseded release's release phase task, so the rescue is not held back by it (abandonReleasePhase). */
const STOP_RELEASE_PHASE = [call('ecs:StopTask', 'ecs-task')];

/** shared/ecs/ecs-adapter.ts describeDeployment: where a deployment of the app's service stands. */
const DESCRIBE_SERVICE = [call('ecs:DescribeServices', 'ecs-service')];
/** … and, for blue/green, linear and canary, its lifecycle stage, alarms and rollback (DescribeServiceDeployments). */
const DESCRIBE_DEPLOYMENT = [...DESCRIBE_SERVICE, call('ecs:DescribeServiceDeployments', 'ecs-service-deployment')];

/**
 * passLockOn (shared/rollout/lock.ts): starts the next release's execution (or a rerun), asks whether a
 * holder's execution still runs, and wakes a parked Lock step or ends a superseded release's wait (stopping
 * its deployment and its release phase task). A holder whose execution is gone is settled as ECS says its deployment ended, or has its
 * traffic-shifting deployment stopped (shared/rollout/unwatched.ts). Whoever records a rollback does this at once
 * (overtakeQueue), as do the Lock and Finish steps and the reconciler.
 */
const MOVE_QUEUE = [
  ...START_ROLLOUT,
  call('states:DescribeExecution', 'rollout-execution'),
  ...RESUME_STEP,
  ...STOP_DEPLOYMENT,
  ...STOP_RELEASE_PHASE,
  ...DESCRIBE_DEPLOYMENT,
];

/**
 * shared/rollout/holds.ts reviewReleaseHolds: where the deployment stands and which PAUSE hooks hold it, then a
 * hook continued or rolled back (ContinueServiceDeployment), or the deployment stopped (a gate check failed
 * while no hook held it).
 */
const ANSWER_HOLDS = [...DESCRIBE_DEPLOYMENT, call('ecs:ContinueServiceDeployment', 'ecs-service-deployment'), ...STOP_DEPLOYMENT];

/**
 * shared/ecs/ecs-adapter.ts registerReleaseTaskDefinition: the service's current revision, copied with its
 * tags (so TagResource as part of the registration) and the roles it names (passed on to ECS tasks).
 */
const REGISTER_REVISION: AwsCall[] = [
  ...DESCRIBE_SERVICE,
  call('ecs:DescribeTaskDefinition', 'any'),
  call('ecs:RegisterTaskDefinition', 'task-definition'),
  call('ecs:TagResource', 'task-definition', { 'ecs:CreateAction': 'RegisterTaskDefinition' }),
  { ...call('iam:PassRole', 'task-role', { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }), onlyWithTaskRoles: true as const },
];

/**
 * shared/ecs/one-off-task.ts: the release phase's task, of the revision the Deploy step registered, where the service
 * runs (its network and capacity from DescribeServices): RunTask in the app's cluster, the roles it names passed on,
 * then DescribeTasks, and StopTask once it ran past its timeout.
 */
const RUN_RELEASE_PHASE: AwsCall[] = [
  ...DESCRIBE_SERVICE,
  call('ecs:DescribeTaskDefinition', 'any'),
  call('ecs:RunTask', 'task-definition', { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' }),
  call('ecs:DescribeTasks', 'ecs-task'),
  ...STOP_RELEASE_PHASE,
  { ...call('iam:PassRole', 'task-role', { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }), onlyWithTaskRoles: true as const },
];

/** shared/ecs/task-logs.ts: a release phase's output, from the stream its awslogs driver wrote. */
const READ_RELEASE_PHASE_OUTPUT: AwsCall[] = [{ ...call('logs:GetLogEvents', 'release-phase-log-stream'), onlyWithLogGroups: true as const }];

/** shared/secrets/secret-store.ts: a secret config value, as a new SecureString parameter (never overwritten). */
const STORE_SECRETS = [call('ssm:PutParameter', 'secret-parameter')];

/** shared/hooks/aws-worker.ts: a hook's secret sealed when set … */
const SEAL_HOOK_SECRET = [call('kms:Encrypt', 'hook-key')];
/** … opened to sign a delivery, and a delivery's retry put back on the queue. */
const DELIVER_HOOKS = [call('kms:Decrypt', 'hook-key'), call('sqs:SendMessage', 'hook-queue')];

/** Lambda's SQS event source polls the delivery queue with the function's role. */
const CONSUME_DELIVERIES = ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((action) => call(`sqs:${action}`, 'hook-queue'));

/** An asynchronous invocation that keeps failing goes to the function's dead-letter queue, sent with its role. */
const ASYNC_DEAD_LETTERS = [call('sqs:SendMessage', 'own-dead-letter-queue')];

const HTTP_WRITER = [...LAMBDA_RUNTIME, ...AUTHENTICATE, ...STORE, ...RELAY_EVENTS];
/** A rollout step: rolloutStep (shared/rollout/step-handler.ts) relays the events the step committed. */
const ROLLOUT_STEP = [...LAMBDA_RUNTIME, ...STORE, ...RELAY_EVENTS];

/** By the functions/ module each function runs (see entryNameOf in infra/slipway-function.ts). */
export const FUNCTION_CALLS = {
  // A strategy that shifts traffic is checked against the service's load balancer (shared/rollout/strategy-fit.ts), and
  // GET /apps/{app} tells how many tasks run the current release and the one rolling out (running-counts.ts).
  apps: [...LAMBDA_RUNTIME, ...AUTHENTICATE, ...STORE, ...DESCRIBE_SERVICE],
  // A build reported succeeded on an app with auto_release releases it (a deploy: never a rollback).
  builds: [...HTTP_WRITER, ...START_ROLLOUT],
  // A rollback (POST with `release`, or its Idempotency-Key replay) overtakes the queue.
  // Lists and gets tell how many tasks run each release (running-counts.ts).
  // Operators' actions at a release's holds are told to ECS at once (release-actions.ts); a release phase's output is
  // read from CloudWatch Logs (GET …/release-phase/output).
  releases: [...HTTP_WRITER, ...MOVE_QUEUE, ...DESCRIBE_SERVICE, ...ANSWER_HOLDS, ...READ_RELEASE_PHASE_OUTPUT],
  'config-vars': [...HTTP_WRITER, ...START_ROLLOUT, ...STORE_SECRETS],
  // A required check failing on the live release of an auto_rollback app records a rollback, which overtakes.
  // A check a gate waits for is told to ECS at once (reviewGateOnCheck).
  statuses: [...HTTP_WRITER, ...MOVE_QUEUE, ...ANSWER_HOLDS],
  // Promotions release their targets (trigger promotion: never a rollback).
  pipelines: [...HTTP_WRITER, ...START_ROLLOUT],
  keys: [...LAMBDA_RUNTIME, ...KEY_ITEMS],
  // Hooks are sealed when created or changed; a redelivery is attempted at once and may schedule a retry.
  hooks: [...LAMBDA_RUNTIME, ...AUTHENTICATE, ...STORE, ...SEAL_HOOK_SECRET, ...DELIVER_HOOKS],
  openapi: LAMBDA_RUNTIME,
  dashboard: LAMBDA_RUNTIME,
  'rollout-lock': [...ROLLOUT_STEP, ...MOVE_QUEUE],
  'rollout-deploy': [...ROLLOUT_STEP, ...REGISTER_REVISION],
  // Starts the release phase's task once, reads it, stops it past its timeout; resumes its own wait once it ended.
  'rollout-release-phase': [...ROLLOUT_STEP, ...RUN_RELEASE_PHASE, ...RESUME_STEP],
  // Reconciles with ECS; resumes its own wait when the deployment ended, or, superseded on its way to ECS, stops it first.
  'rollout-await': [...ROLLOUT_STEP, ...DESCRIBE_DEPLOYMENT, ...RESUME_STEP, ...STOP_DEPLOYMENT, ...ANSWER_HOLDS],
  // Passes the lock on; a release that ended unknown on an auto_rollback app is rolled back from here. A canary,
  // linear or blue/green deployment that ended without ECS's verdict (deadline, Salvage) is stopped (unwatched.ts).
  'rollout-finish': [...ROLLOUT_STEP, ...MOVE_QUEUE],
  'ecs-deployment-events': [...ROLLOUT_STEP, ...DESCRIBE_DEPLOYMENT, ...RESUME_STEP, ...ANSWER_HOLDS, ...ASYNC_DEAD_LETTERS],
  // Paces progress reads on the service's watch item (a conditional update) and records them on the release; a
  // progress write that moves the rollout to another phase announces it (release.phase_changed), relayed at once.
  'ecs-task-events': [...ROLLOUT_STEP, ...DESCRIBE_DEPLOYMENT, ...ASYNC_DEAD_LETTERS],
  // A stopped release phase task: its outcome is in the event; records it and resumes the wait.
  'release-phase-events': [...ROLLOUT_STEP, ...RESUME_STEP, ...ASYNC_DEAD_LETTERS],
  // Promotions cut short, every app's queue, then the outbox sweep (gsi3).
  'rollout-reconcile': [...ROLLOUT_STEP, ...MOVE_QUEUE, ...ASYNC_DEAD_LETTERS],
  'hook-delivery': [...LAMBDA_RUNTIME, ...STORE, ...DELIVER_HOOKS, ...CONSUME_DELIVERIES],
} as const satisfies Record<FunctionName | `rollout-${RolloutStep}`, readonly AwsCall[]> & Record<string, readonly AwsCall[]>;

/**
 * The rollout state machine's role: the step Lambdas it invokes, the UpdateService task (aws-sdk:ecs) on
 * managed services only, and what Step Functions itself does with the role for logging ALL (CloudWatch
 * Logs vended-log delivery) and for X-Ray tracing.
 */
export const STATE_MACHINE_CALLS: readonly AwsCall[] = [
  ...(['lock', 'deploy', 'release-phase', 'await', 'finish'] as const).map((step) => call('lambda:InvokeFunction', `rollout-step:${step}`)),
  call('ecs:UpdateService', 'ecs-service', { [`aws:ResourceTag/${MANAGED_SERVICE_TAG.key}`]: MANAGED_SERVICE_TAG.value }),
  ...['CreateLogDelivery', 'GetLogDelivery', 'UpdateLogDelivery', 'DeleteLogDelivery', 'ListLogDeliveries', 'PutResourcePolicy', 'DescribeResourcePolicies', 'DescribeLogGroups'].map(
    (action) => call(`logs:${action}`, 'any'),
  ),
  ...['PutTraceSegments', 'PutTelemetryRecords', 'GetSamplingRules', 'GetSamplingTargets'].map((action) => call(`xray:${action}`, 'any')),
];
