import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { RolloutStep } from '../infra/rollout';
import { ownEntry } from '../shared/domain/own-entries';
import { logger } from '../shared/observability/logger';
import { createEcsClient } from '../shared/ecs/ecs-client';
import { ECS_SDK_RESOURCE_PREFIX, ecsSdkTask } from './ecs-simulator/sdk-integration';
import { LOCAL_ACCOUNT, LOCAL_REGION, synthesizeRolloutDefinition, type SynthesizedRollout } from './rollout-definition';

/**
 * A local Step Functions API on loopback (the JSON 1.0 protocol @aws-sdk/client-sfn speaks, so the code
 * that starts and resumes rollouts is the code that runs in AWS), executing the rollout state machine's
 * synthesized ASL with aws-local-stepfunctions. What that library leaves to the cloud is done here:
 * Lambda tasks call the step handlers in-process, `.waitForTaskToken` tasks park until SendTaskSuccess
 * (or their TimeoutSeconds), and `aws-sdk:ecs:*` tasks go to the ECS simulator through its Step
 * Functions SDK-integration shim (PascalCase in and out, errors named `Ecs.*`).
 */

type StepHandler = (event: unknown) => Promise<unknown>;

export type StepFunctionsEmulatorOptions = {
  handlers: Record<RolloutStep, StepHandler>;
  /** Where `aws-sdk:ecs:*` tasks send their calls: the ECS simulator. */
  ecsEndpoint: string;
  /**
   * Multiplies every duration of the definition (task timeouts, retry intervals, Wait states), so tests
   * can run the real definition's timeouts and polls in milliseconds. 1 (the default) keeps them as deployed.
   */
  timeScale?: number;
  definition?: SynthesizedRollout;
};

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

type ExecutionRecord = {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate: Date | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  /** State transitions as Step Functions bills them: every state entered, and every retry. */
  transitions: number;
};

export type StepFunctionsEmulator = {
  endpoint: string;
  stateMachineArn: string;
  execution: (name: string) => ExecutionRecord | undefined;
  executions: () => ExecutionRecord[];
  /** Resolves once the named execution has ended (at once if it already has). */
  finished: (name: string) => Promise<ExecutionRecord>;
  close: () => Promise<void>;
};

const STATE_MACHINE_NAME = 'SlipwayRollout';
const TARGET_PREFIX = 'AWSStepFunctions.';
const TASK_TOKEN_MARKER = 'local-task-token-placeholder';
const LAMBDA_WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** Step Functions' own limit when a task names no TimeoutSeconds. */
const UNBOUNDED_TASK_SECONDS = 99_999_999;
const MAX_TIMER_MS = 2 ** 31 - 1;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error as a Task state sees it: the name is what Retry and Catch match. */
const stateError = (name: string, cause: string): Error => Object.assign(new Error(cause), { name });

type TaskState = { Type: 'Task'; Resource: string; TimeoutSeconds?: number; Retry?: { IntervalSeconds?: number }[] };
type AnyState = { Type: string; Seconds?: number; Resource?: string };

const replaceToken = (value: unknown, token: string): unknown =>
  JSON.parse(JSON.stringify(value).replaceAll(TASK_TOKEN_MARKER, token));

export const startStepFunctionsEmulator = async (options: StepFunctionsEmulatorOptions): Promise<StepFunctionsEmulator> => {
  const scale = options.timeScale ?? 1;
  const { definition, steps } = options.definition ?? synthesizeRolloutDefinition();
  const machine = new StateMachine(definition as unknown as StateMachineDefinition);
  const states = (definition as { States: Record<string, AnyState> }).States;
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
  // One attempt per Task call: Step Functions surfaces every failure to the state's Retry.
  const ecs = createEcsClient({ endpoint: options.ecsEndpoint, maxAttempts: 1 });

  const executions = new Map<string, ExecutionRecord & { done: Promise<void>; abort: () => void }>();
  const waiting = new Map<string, PromiseWithResolvers<unknown>>();
  const issuedTokens = new Set<string>();
  let closing = false;
  /** Executions stopped by hand (StopExecution), which end ABORTED. */
  const stopped = new Set<string>();

  const stepOf = (functionArn: unknown): RolloutStep => {
    const step = typeof functionArn === 'string' ? steps.get(functionArn) : undefined;
    if (!step) throw stateError('Lambda.ResourceNotFoundException', `No local function for ${String(functionArn)}.`);
    return step;
  };

  /** Runs a step handler as Lambda would: JSON in, JSON out, an unhandled error as errorType + errorMessage. */
  const invoke = async (step: RolloutStep, payload: unknown): Promise<unknown> => {
    try {
      const result = await options.handlers[step](JSON.parse(JSON.stringify(payload ?? null)));
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      throw stateError(errorType, JSON.stringify({ errorType, errorMessage }));
    }
  };

  // Clamped to what setTimeout can wait: beyond it Node would fire at once.
  const scaledMs = (seconds: number) => Math.min(MAX_TIMER_MS, Math.max(0, Math.round(seconds * 1000 * scale)));

  /** `.waitForTaskToken`: hand the task a fresh token, then wait for SendTaskSuccess/Failure or the timeout. */
  const waitForTaskToken = async (state: TaskState, input: unknown): Promise<unknown> => {
    const token = `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
    const waiter = Promise.withResolvers<unknown>();
    // The task may be settled while its Lambda still runs, before anything awaits the waiter.
    waiter.promise.catch(() => undefined);
    waiting.set(token, waiter);
    issuedTokens.add(token);
    let timer: NodeJS.Timeout | undefined;
    try {
      const parameters = replaceToken(input, token) as { FunctionName?: unknown; Payload?: unknown };
      await invoke(stepOf(parameters.FunctionName), parameters.Payload);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(stateError('States.Timeout', 'The task timed out waiting for its token.')),
          scaledMs(state.TimeoutSeconds ?? UNBOUNDED_TASK_SECONDS),
        );
      });
      return await Promise.race([waiter.promise, timeout]);
    } finally {
      clearTimeout(timer);
      waiting.delete(token);
    }
  };

  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waitOverrides: Record<string, number> = {};
  const retryOverrides: Record<string, number[]> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait' && state.Seconds !== undefined) waitOverrides[name] = scaledMs(state.Seconds);
    if (state.Type !== 'Task' || !state.Resource) continue;
    const task = state as TaskState;
    if (scale !== 1 && task.Retry) retryOverrides[name] = task.Retry.map((retrier) => scaledMs(retrier.IntervalSeconds ?? 1));
    const resource = task.Resource;
    if (resource === LAMBDA_WAIT_FOR_TOKEN) {
      taskHandlers[name] = (input) => waitForTaskToken(task, input);
    } else if (resource.startsWith(ECS_SDK_RESOURCE_PREFIX)) {
      taskHandlers[name] = ecsSdkTask(resource, ecs);
    } else if (steps.has(resource)) {
      const step = stepOf(resource);
      taskHandlers[name] = (input) => invoke(step, input);
    } else {
      throw new Error(`the local Step Functions cannot run ${name}: unsupported resource ${resource}`);
    }
  }

  const startExecution = (name: string, input: string): ExecutionRecord => {
    const existing = executions.get(name);
    // As in AWS: the same name and input while it runs is the same execution; anything else is refused.
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new ApiError('ExecutionAlreadyExists', `Execution ${name} already exists.`);
    }
    if (closing) throw new ApiError('ServiceUnavailable', 'The local Step Functions is shutting down.');
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const parsedInput: unknown = JSON.parse(input);
    const run = machine.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: taskHandlers as never,
        waitTimeOverrides: waitOverrides,
        retryIntervalOverrides: retryOverrides,
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: name, Input: parsedInput as never },
        StateMachine: { Id: stateMachineArn, Name: STATE_MACHINE_NAME },
        Task: { Token: TASK_TOKEN_MARKER },
      },
    });
    const record: ExecutionRecord = {
      executionArn,
      name,
      input,
      status: 'RUNNING',
      startDate: new Date(),
      stopDate: null,
      output: null,
      error: null,
      cause: null,
      transitions: 0,
    };
    const counting = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried') record.transitions += 1;
        if (event.type === 'ExecutionFailed') {
          record.error = event.Error;
          record.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        }
      }
    })();
    const done = run.result.then(
      (output) => {
        record.status = (closing || stopped.has(name)) && output === null ? 'ABORTED' : 'SUCCEEDED';
        record.output = JSON.stringify(output);
      },
      (error: unknown) => {
        record.status = error instanceof Error && error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
        logger.warn('local rollout execution failed', { execution: name, error: String(error) });
      },
    );
    const settled = Promise.all([done, counting]).then(() => {
      record.stopDate = new Date();
    });
    executions.set(name, Object.assign(record, { done: settled, abort: run.abort }));
    return record;
  };

  const settleToken = (taskToken: unknown, outcome: { output: unknown } | { error: Error }) => {
    if (typeof taskToken !== 'string' || !issuedTokens.has(taskToken)) {
      throw new ApiError('InvalidToken', 'Invalid task token.');
    }
    const waiter = waiting.get(taskToken);
    if (!waiter) throw new ApiError('TaskTimedOut', 'Task timed out.');
    waiting.delete(taskToken);
    if ('output' in outcome) waiter.resolve(outcome.output);
    else waiter.reject(outcome.error);
  };

  const requireExecution = (executionArn: unknown) => {
    const name = typeof executionArn === 'string' ? executionArn.slice(executionArn.lastIndexOf(':') + 1) : '';
    const record = executions.get(name);
    if (!record || record.executionArn !== executionArn) {
      throw new ApiError('ExecutionDoesNotExist', `Execution does not exist: '${String(executionArn)}'`);
    }
    return record;
  };

  const describe = (record: ExecutionRecord) => ({
    executionArn: record.executionArn,
    stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate.getTime() / 1000,
    ...(record.stopDate ? { stopDate: record.stopDate.getTime() / 1000 } : {}),
    input: record.input,
    ...(record.output !== null ? { output: record.output } : {}),
    ...(record.error !== null ? { error: record.error, cause: record.cause ?? '' } : {}),
  });

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      if (body.stateMachineArn !== stateMachineArn) throw new ApiError('StateMachineDoesNotExist', 'No such state machine.');
      const name = typeof body.name === 'string' && body.name !== '' ? body.name : randomUUID();
      const record = startExecution(name, typeof body.input === 'string' ? body.input : '{}');
      return { executionArn: record.executionArn, startDate: record.startDate.getTime() / 1000 };
    },
    DescribeExecution: (body) => describe(requireExecution(body.executionArn)),
    // An operator stopping an execution by hand (the console's "Stop execution"): it ends ABORTED where it stands.
    StopExecution: (body) => {
      const record = requireExecution(body.executionArn);
      if (record.status === 'RUNNING') {
        stopped.add(record.name);
        record.abort();
      }
      return { stopDate: Date.now() / 1000 };
    },
    SendTaskSuccess: (body) => {
      settleToken(body.taskToken, { output: JSON.parse(typeof body.output === 'string' ? body.output : 'null') });
      return {};
    },
    SendTaskFailure: (body) => {
      settleToken(body.taskToken, { error: stateError(String(body.error ?? 'States.TaskFailed'), String(body.cause ?? '')) });
      return {};
    },
    SendTaskHeartbeat: (body) => {
      if (typeof body.taskToken !== 'string' || !waiting.has(body.taskToken)) throw new ApiError('TaskTimedOut', 'Task timed out.');
      return {};
    },
  };

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    response.end(JSON.stringify(body));
  };

  const readBody = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };

  const server = createServer(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = ownEntry(operations, target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '');
      if (!operation) throw new ApiError('UnknownOperationException', `The local Step Functions does not implement ${target}.`);
      send(response, 200, operation(await readBody(request)));
    } catch (error) {
      if (error instanceof ApiError) send(response, 400, { __type: error.type, message: error.message });
      else send(response, 500, { __type: 'InternalFailure', message: String(error) });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const plain = (record: ExecutionRecord): ExecutionRecord => ({
    executionArn: record.executionArn,
    name: record.name,
    input: record.input,
    status: record.status,
    startDate: record.startDate,
    stopDate: record.stopDate,
    output: record.output,
    error: record.error,
    cause: record.cause,
    transitions: record.transitions,
  });

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateMachineArn,
    execution: (name) => {
      const record = executions.get(name);
      return record ? plain(record) : undefined;
    },
    executions: () => [...executions.values()].map(plain),
    finished: async (name) => {
      const record = executions.get(name);
      if (!record) throw new Error(`no local execution named ${name}`);
      await record.done;
      return plain(record);
    },
    close: async () => {
      closing = true;
      for (const record of executions.values()) record.abort();
      for (const waiter of waiting.values()) waiter.reject(stateError('States.Runtime', 'The local Step Functions stopped.'));
      await Promise.all([...executions.values()].map((record) => record.done));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ecs.destroy();
    },
  };
};
