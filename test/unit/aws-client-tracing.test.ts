import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAwsClient } from '../../shared/aws/aws-client';
import { configFromEnvironment } from '../../shared/config/config';

/** The middleware aws-xray-sdk-core adds to a client it captures: each call it makes becomes a subsegment. */
const XRAY_MIDDLEWARE = /XRaySDKInstrumentation/;
const tracedCalls = (client: { middlewareStack: { identify: () => string[] } }) =>
  client.middlewareStack.identify().filter((name) => XRAY_MIDDLEWARE.test(name));

const options = { endpoint: 'http://127.0.0.1:1', maxAttempts: 1, requestTimeoutMs: 100 };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('AWS SDK clients', () => {
  it('are traced in Lambda only, and only where the deployment asks for it', () => {
    expect(configFromEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'slipway-releases', SLIPWAY_TRACE_AWS_CALLS: 'true' }).traceAwsCalls).toBe(true);
    expect(configFromEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'slipway-releases' }).traceAwsCalls).toBe(false);
    expect(configFromEnvironment({ SLIPWAY_TRACE_AWS_CALLS: 'true' }).traceAwsCalls).toBe(false);
    expect(configFromEnvironment({}).traceAwsCalls).toBe(false);
  });

  it('send nothing to X-Ray outside Lambda: the local runtime and tests get them untouched', () => {
    expect(tracedCalls(createAwsClient(SFNClient, options))).toEqual([]);
    expect(tracedCalls(DynamoDBDocumentClient.from(createAwsClient(DynamoDBClient, options)))).toEqual([]);
  });

  it('show each call in X-Ray in Lambda, the document client through the DynamoDB client it is built on', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'slipway-releases');
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('SLIPWAY_TRACE_AWS_CALLS', 'true');
    vi.resetModules();
    const inLambda = await import('../../shared/aws/aws-client');
    expect(tracedCalls(inLambda.createAwsClient(SFNClient, options))).toHaveLength(1);
    expect(tracedCalls(inLambda.createAwsClient(ECSClient, options, { retryMode: 'adaptive' }))).toHaveLength(1);
    expect(tracedCalls(DynamoDBDocumentClient.from(inLambda.createAwsClient(DynamoDBClient, options)))).toHaveLength(1);
  });
});
