import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLOUT_STATES } from '../../infra/rollout';
import { localStepArn, synthesizeRolloutDefinition } from '../../local/rollout-definition';
import { startStepFunctionsEmulator, type StepFunctionsEmulator } from '../../local/step-functions';
import { createSfnClient } from '../../shared/rollout/sfn';

// asl-validator ships no type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options: { checkArn: boolean; checkPaths: boolean },
) => { isValid: boolean; errorsText: (separator: string) => string };

describe('the synthesized rollout state machine', () => {
  it('is valid Amazon States Language, with every step resolved to a local function', () => {
    const { definition, steps } = synthesizeRolloutDefinition();
    const { isValid, errorsText } = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(Object.keys(definition.States as object).sort()).toEqual(Object.values(ROLLOUT_STATES).sort());
    expect([...steps.values()].sort()).toEqual(['await', 'deploy', 'finish', 'lock', 'release-phase']);
  });
});

/**
 * The local Step Functions API itself, on a small definition that uses what the rollout uses: a Lambda
 * task, a waitForTaskToken task with a timeout caught into a loop, Retry and Catch.
 */
const definition = {
  StartAt: 'Park',
  States: {
    Park: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: localStepArn('lock'), Payload: { 'input.$': '$', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSeconds: 60,
      ResultPath: '$.parked',
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Park' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' },
      ],
      Next: 'Done',
    },
    Done: {
      Type: 'Task',
      Resource: localStepArn('finish'),
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
      End: true,
    },
  },
};

type Input = { name: string; succeedOnPark?: number; failOnPark?: number; flaky?: number };
const tokens: { token: string; input: Input }[] = [];
let flakes = 0;
let emulator: StepFunctionsEmulator;
let sfn: SFNClient;

beforeAll(async () => {
  emulator = await startStepFunctionsEmulator({
    ecsEndpoint: 'http://127.0.0.1:1',
    timeScale: 0.001,
    definition: {
      definition,
      steps: new Map([
        [localStepArn('lock'), 'lock'],
        [localStepArn('finish'), 'finish'],
      ]),
    },
    handlers: {
      // Resumes its own token on the given park, as the rollout's Lock step does when the lock is free.
      lock: async (event) => {
        const { input, taskToken } = event as { input: Input; taskToken: string };
        tokens.push({ token: taskToken, input });
        const parks = tokens.filter((entry) => entry.input.name === input.name).length;
        if (input.succeedOnPark === parks) {
          await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ park: parks }) }));
        }
        if (input.failOnPark === parks) {
          await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Broken', cause: 'by test' }));
        }
      },
      finish: async (event) => {
        const { name, flaky } = event as { name: string; flaky?: number };
        if (flaky && flakes++ < flaky) throw Object.assign(new Error('try again'), { name: 'Flaky' });
        return { finished: name, ...(event as object) };
      },
      deploy: async () => null,
      'release-phase': async () => null,
      await: async () => null,
    },
  });
  sfn = createSfnClient(emulator.endpoint);
});
afterAll(async () => {
  sfn?.destroy();
  await emulator?.close();
});

const start = (name: string, input: Input & Record<string, unknown>) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: emulator.stateMachineArn, name, input: JSON.stringify(input) }));

describe('the local Step Functions API', () => {
  it('resumes a parked task with SendTaskSuccess and reports the execution', async () => {
    const { executionArn } = await start('resumed', { name: 'resumed', succeedOnPark: 1 });
    const record = await emulator.finished('resumed');
    expect(record).toMatchObject({ status: 'SUCCEEDED', transitions: 2 });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toMatchObject({ finished: 'resumed', parked: { park: 1 } });
  });

  it('refuses an operation it does not implement, names Object.prototype has included', async () => {
    for (const operation of ['DeleteStateMachine', 'constructor', 'toString']) {
      const answer = await fetch(emulator.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}` },
        body: '{}',
      });
      expect(answer.status, operation).toBe(400);
      expect(await answer.json()).toMatchObject({ __type: 'UnknownOperationException' });
    }
  });

  it('treats a repeated start with the same name and input as the same execution, and refuses a different input', async () => {
    // Never resumed: it parks again after every timeout until the emulator closes.
    const input = { name: 'twice' };
    const first = await start('twice', input);
    const again = await start('twice', input);
    expect(again.executionArn).toBe(first.executionArn);
    await expect(start('twice', { ...input, other: 1 })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    // An ended execution's name is taken for good.
    await emulator.finished('resumed');
    await expect(start('resumed', { name: 'resumed', succeedOnPark: 1 })).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('times a parked task out as States.Timeout, which the definition loops on; old tokens are then refused', async () => {
    await start('looping', { name: 'looping', failOnPark: 2 });
    const record = await emulator.finished('looping');
    expect(record.status).toBe('SUCCEEDED');
    expect(JSON.parse(record.output ?? '{}')).toMatchObject({ error: { Error: 'Broken', Cause: 'by test' } });
    // Park (timed out), Park (failed, caught), Done.
    expect(record.transitions).toBe(3);
    const stale = tokens.find((entry) => entry.input.name === 'looping')?.token ?? '';
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: stale, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('retries a failing Lambda task per its Retry and counts every retry as a transition', async () => {
    await start('flaky', { name: 'flaky', flaky: 2, succeedOnPark: 1 });
    expect(await emulator.finished('flaky')).toMatchObject({ status: 'SUCCEEDED', transitions: 4 });
  });
});
