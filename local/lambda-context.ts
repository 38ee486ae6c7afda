import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The HTTP functions' timeout in AWS (infra/slipway-function.ts); locally each invocation counts down from it too. */
const FUNCTION_TIMEOUT_MS = 15_000;

const invocations = new Map<string, number>();

/** Local invocations by function name since the process started: what Lambda would bill as requests. */
export const localInvocations = (): ReadonlyMap<string, number> => new Map(invocations);

/**
 * What the Lambda runtime hands a function with each invocation, for the local calls of the same handlers;
 * every local invocation asks for one, so this is also where they are counted.
 */
export const lambdaContext = (fn: string, requestId: string = randomUUID(), startedAt = Date.now()): Context => {
  invocations.set(fn, (invocations.get(fn) ?? 0) + 1);
  return {
    functionName: `slipway-${fn}`,
    functionVersion: '$LATEST',
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:slipway-${fn}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/slipway-${fn}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => FUNCTION_TIMEOUT_MS - (Date.now() - startedAt),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
};
