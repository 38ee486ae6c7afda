import {
  DescribeExecutionCommand,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createAwsClient } from '../aws/aws-client';
import type { RolloutInput } from './contract';
import { config } from '../config/config';

let client: SFNClient | undefined;

/**
 * One Step Functions client per process: SFN_ENDPOINT points it at the local Step Functions API (with
 * dummy credentials); unset, it talks to AWS with the normal credential chain.
 */
const getSfnClient = (): SFNClient => {
  client ??= createSfnClient(config().sfnEndpoint);
  return client;
};

export const createSfnClient = (endpoint: string | undefined): SFNClient =>
  createAwsClient(SFNClient, { endpoint, maxAttempts: 5, requestTimeoutMs: 5_000 });

/** Lets the local server point every rollout call at its own Step Functions API. */
export const useSfnClient = (next: SFNClient): void => {
  client = next;
};

const isNamed = (error: unknown, ...names: string[]): boolean => error instanceof Error && names.includes(error.name);

/**
 * Starts the rollout of one release. The execution is named after the release, so a retried start can
 * never deploy a release twice: Step Functions refuses the second one, which is the outcome wanted.
 * Returns false when an execution of that name already existed.
 */
export const startRolloutExecution = async (
  stateMachineArn: string,
  input: RolloutInput,
  /** A rerun's own name (see rerunExecutionName); the release id otherwise. */
  name: string = input.releaseId,
): Promise<boolean> => {
  try {
    await getSfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return true;
  } catch (error) {
    if (isNamed(error, 'ExecutionAlreadyExists')) return false;
    throw error;
  }
};

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** A rollout execution, by name: running, ended (however it ended), or absent (never started, or lost with a local restart). */
export const rolloutExecutionState = async (stateMachineArn: string, executionName: string): Promise<'running' | 'ended' | 'absent'> => {
  try {
    const { status } = await getSfnClient().send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, executionName) }),
    );
    return status === 'RUNNING' ? 'running' : 'ended';
  } catch (error) {
    if (isNamed(error, 'ExecutionDoesNotExist')) return 'absent';
    throw error;
  }
};

export const isRolloutRunning = async (stateMachineArn: string, executionName: string): Promise<boolean> =>
  (await rolloutExecutionState(stateMachineArn, executionName)) === 'running';

/**
 * Resumes a waiting step. Returns false when the token no longer waits (its wait timed out and the
 * execution moved on, or the execution ended): the caller's news is then picked up by the polling path.
 */
export const sendTaskResult = async (taskToken: string, output: unknown): Promise<boolean> => {
  try {
    await getSfnClient().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    return true;
  } catch (error) {
    if (isNamed(error, 'TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken')) return false;
    throw error;
  }
};
