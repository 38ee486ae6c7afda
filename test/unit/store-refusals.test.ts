import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/apps';
import { lambdaContext } from '../../local/lambda-context';
import { toPrincipalContext } from '../../shared/http/principal-context';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

describe('a value DynamoDB refuses', () => {
  it('reaches the caller as a JSON 400, never a 500', async () => {
    // What DynamoDB answers for, say, a partition key over 2048 bytes.
    dynamo.onAnyCommand().rejects(Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $fault: 'client' }));
    const event = {
      version: '2.0',
      routeKey: 'GET /apps',
      rawPath: '/apps',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        requestId: 'r1',
        routeKey: 'GET /apps',
        http: { method: 'GET', path: '/apps' },
        authorizer: { lambda: toPrincipalContext({ keyId: 'k', role: 'admin', apps: null, email: 'a@b.c' }) },
      },
    } as unknown as APIGatewayProxyEventV2;
    const response = await handler(event, lambdaContext('apps', 'r1'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '').error.code).toBe('unsupported_value');
  });
});
