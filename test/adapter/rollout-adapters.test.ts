import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { freeLock, getRolloutLock, handLockTo } from '../../shared/store/rollout-store';
import { isRolloutRunning, sendTaskResult, startRolloutExecution } from '../../shared/rollout/sfn';
import { createStore, useStore } from '../../shared/store/client';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Rollout';
const input = { appId: 'a1', appName: 'web', releaseId: 'r7', version: 7, deadlineSeconds: 1800 };
const now = new Date('2026-11-26T12:00:00.000Z');

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  useStore(createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' }));
});

describe('starting and resuming rollouts', () => {
  it('names the execution after the release, so a repeated start is refused rather than run twice', async () => {
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'x', startDate: now });
    await expect(startRolloutExecution(stateMachineArn, input)).resolves.toBe(true);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: 'r7',
      input: JSON.stringify(input),
    });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(startRolloutExecution(stateMachineArn, input)).resolves.toBe(false);
  });

  it('looks an execution up by the ARN its name gives it', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
    await expect(isRolloutRunning(stateMachineArn, 'r7')).resolves.toBe(true);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:Rollout:r7',
    );
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    await expect(isRolloutRunning(stateMachineArn, 'r7')).resolves.toBe(false);
  });

  it('reports a token that no longer waits instead of failing', async () => {
    sfn.on(SendTaskSuccessCommand).resolvesOnce({});
    await expect(sendTaskResult('token', { acquired: true })).resolves.toBe(true);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token',
      output: '{"acquired":true}',
    });
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'late', $metadata: {} }));
    await expect(sendTaskResult('token', {})).resolves.toBe(false);
    sfn.on(SendTaskSuccessCommand).rejects(new Error('network down'));
    await expect(sendTaskResult('token', {})).rejects.toThrow('network down');
  });
});

describe('the rollout lock item', () => {
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
  const next = { releaseId: 'r8', version: 8, expiresAt: '2026-11-26T13:00:00.000Z' };

  it('reads as free when absent, and as its holder when held', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({})
      .resolvesOnce({
        Item: { holder_release_id: 'r7', holder_version: 7, acquired_at: 'a', expires_at: 'b', settled_through: 6 },
      });
    expect(await getRolloutLock('a1')).toEqual({ holder: null, settled_through: 0 });
    expect(await getRolloutLock('a1')).toEqual({
      holder: { release_id: 'r7', version: 7, acquired_at: 'a', expires_at: 'b', execution: 'r7' },
      settled_through: 6,
    });
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'APP#a1', sk: 'ROLLOUT_LOCK' },
      ConsistentRead: true,
    });
  });

  it('is taken only if free or expired, and handed over only by its holder', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await handLockTo('a1', next, null, 6, now);
    await handLockTo('a1', next, 'r7', 7, now);
    const [take, handOver] = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(take?.ConditionExpression).toBe('attribute_not_exists(holder_release_id) OR expires_at <= :now');
    expect(take?.ExpressionAttributeValues).toMatchObject({ ':id': 'r8', ':version': 8, ':now': now.toISOString(), ':settled': 6 });
    expect(handOver?.ConditionExpression).toBe('holder_release_id = :from');
    expect(handOver?.ExpressionAttributeValues).toMatchObject({ ':from': 'r7', ':settled': 7 });

    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(handLockTo('a1', next, null, 6, now)).resolves.toBe(false);
    await expect(freeLock('a1', 'r7', 7)).resolves.toBe(false);
  });
});
