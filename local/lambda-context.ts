import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What the Lambda runtime hands a function with each invocation, for the local calls of the same handlers. */
export const lambdaContext = (fn: string, requestId: string = randomUUID()): Context =>
  ({
    functionName: `slipway-${fn}`,
    functionVersion: '$LATEST',
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:slipway-${fn}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/slipway-${fn}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;
