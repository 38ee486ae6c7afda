import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/openapi';

describe("the API's $default route", () => {
  it("answers a path no route matches with Slipway's JSON 404", async () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/nowhere',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'r1', routeKey: '$default', http: { method: 'GET', path: '/nowhere' } },
    } as unknown as APIGatewayProxyEventV2;
    const response = await handler(event, { awsRequestId: 'r1' } as Context);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: { code: 'route_not_found', message: 'No route GET /nowhere.', details: {} },
    });
  });
});
