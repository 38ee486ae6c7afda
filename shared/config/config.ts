import * as z from 'zod/mini';
import './english-messages';

const Optional = z.optional(z.string().check(z.minLength(1)));

/** The environment Slipway runs in, as its functions and the local server are given it. */
const Environment = z.object({
  AWS_REGION: Optional,
  SLIPWAY_TABLE: Optional,
  DYNAMODB_ENDPOINT: Optional,
  ECS_ENDPOINT: Optional,
  LOGS_ENDPOINT: Optional,
  SFN_ENDPOINT: Optional,
  ROLLOUT_STATE_MACHINE_ARN: Optional,
  SLIPWAY_EVENT_BUS: Optional,
  AWS_LAMBDA_FUNCTION_NAME: Optional,
  /** 'true': every AWS SDK call is an X-Ray subsegment (deployment option `slipway:traceAwsCalls`); Lambda only. */
  SLIPWAY_TRACE_AWS_CALLS: z.optional(z.enum(['true', 'false'])),
  /** Fractions allowed, for tests. */
  ROLLOUT_DEADLINE_SECONDS: z.optional(z.coerce.number().check(z.positive())),
  SLIPWAY_LOG_LEVEL: z.optional(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'])),
  /** The webhook delivery queue (retries are re-enqueued on it) and the KMS key that seals hook secrets. */
  HOOK_QUEUE_URL: Optional,
  HOOK_KMS_KEY_ID: Optional,
  /** The length of the ECS simulator's minute (every bake time is counted in it); local runs only. */
  ECS_SIMULATOR_MINUTE_MS: z.optional(z.coerce.number().check(z.int(), z.positive())),
  /** The ECS simulator's time between two batches of a deployment, in which a batch's new tasks come up; local runs only. */
  ECS_SIMULATOR_BATCH_MS: z.optional(z.coerce.number().check(z.int(), z.positive())),
  VITEST: Optional,
});

export type Config = {
  region: string;
  /** Unset: the default table name. */
  tableName: string | undefined;
  /** Endpoints of local stand-ins (dynalite, the ECS simulator, the local Step Functions API); unset in AWS. */
  dynamodbEndpoint: string | undefined;
  ecsEndpoint: string | undefined;
  /** CloudWatch Logs (a release phase's output); locally the ECS simulator answers for it. */
  logsEndpoint: string | undefined;
  sfnEndpoint: string | undefined;
  /** Unset: releases stay `queued`, as no rollout can start. */
  stateMachineArn: string | undefined;
  /** The EventBridge bus events are published to; unset (locally): the in-process bus. */
  eventBusName: string | undefined;
  /** CloudWatch EMF metrics: in Lambda only, where CloudWatch reads them from the log. */
  emitMetrics: boolean;
  /**
   * X-Ray subsegments for AWS SDK calls: in Lambda only (the one place with a daemon to receive them), and
   * only where the deployment asks (SLIPWAY_TRACE_AWS_CALLS): the invocation is traced by Lambda either way.
   */
  traceAwsCalls: boolean;
  /** Unset: the default rollout deadline. */
  rolloutDeadlineSeconds: number | undefined;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Set in AWS only; locally hooks run in-process with a local key (local/hooks-runtime.ts). */
  hookQueueUrl: string | undefined;
  hookKmsKeyId: string | undefined;
  /**
   * How long an ECS minute lasts, in which ECS counts bake times: 60 000 ms in AWS; the ECS simulator's own
   * (ECS_SIMULATOR_MINUTE_MS, default 2 s) locally, so a canary's bake is a demo's seconds.
   */
  ecsMinuteMs: number;
  ecsSimulatorMinuteMs: number;
  ecsSimulatorBatchMs: number;
};

/** A simulated minute unless ECS_SIMULATOR_MINUTE_MS says otherwise: short enough for a demo, long enough to watch. */
const DEFAULT_SIMULATOR_MINUTE_MS = 2000;

/** A simulated deployment batch unless ECS_SIMULATOR_BATCH_MS says otherwise: a demo's rollout ends in a second or two. */
const DEFAULT_SIMULATOR_BATCH_MS = 300;

/** Reads and validates an environment; a value Slipway cannot use stops it at start rather than at its first use. */
export const configFromEnvironment = (environment: Readonly<Record<string, string | undefined>>): Config => {
  const parsed = Environment.safeParse(environment);
  if (!parsed.success) {
    throw new Error(`Slipway's environment is not usable: ${z.prettifyError(parsed.error)}`);
  }
  const env = parsed.data;
  return {
    region: env.AWS_REGION ?? 'local',
    tableName: env.SLIPWAY_TABLE,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    ecsEndpoint: env.ECS_ENDPOINT,
    logsEndpoint: env.LOGS_ENDPOINT,
    sfnEndpoint: env.SFN_ENDPOINT,
    stateMachineArn: env.ROLLOUT_STATE_MACHINE_ARN,
    eventBusName: env.SLIPWAY_EVENT_BUS,
    emitMetrics: env.AWS_LAMBDA_FUNCTION_NAME !== undefined,
    traceAwsCalls: env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.SLIPWAY_TRACE_AWS_CALLS === 'true',
    rolloutDeadlineSeconds: env.ROLLOUT_DEADLINE_SECONDS,
    logLevel: env.SLIPWAY_LOG_LEVEL ?? (env.VITEST ? 'SILENT' : 'INFO'),
    hookQueueUrl: env.HOOK_QUEUE_URL,
    hookKmsKeyId: env.HOOK_KMS_KEY_ID,
    ecsMinuteMs: 60_000,
    ecsSimulatorMinuteMs: env.ECS_SIMULATOR_MINUTE_MS ?? DEFAULT_SIMULATOR_MINUTE_MS,
    ecsSimulatorBatchMs: env.ECS_SIMULATOR_BATCH_MS ?? DEFAULT_SIMULATOR_BATCH_MS,
  };
};

let current: Config | undefined;

/** The configuration, read from the process environment on first use (a Lambda's is fixed for its life). */
export const config = (): Config => {
  current ??= configFromEnvironment(process.env);
  return current;
};

/** Where the local runtime sets what it started (endpoints, the state machine); the configuration it replaced. */
export const configure = (changes: Partial<Config>): Config => {
  const previous = config();
  current = { ...previous, ...changes };
  return previous;
};
