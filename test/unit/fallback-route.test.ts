import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/openapi';

/** What API Gateway hands the $default route for a request no route takes. */
const unroutedEvent = (method: string, path: string) =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', routeKey: '$default', http: { method, path } },
  }) as unknown as APIGatewayProxyEventV2;

describe("the API's $default route", () => {
  it("answers a path no route matches with Slipway's JSON 404", async () => {
    const response = await handler(unroutedEvent('GET', '/nowhere'), { awsRequestId: 'r1' } as Context);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: { code: 'route_not_found', message: 'No route GET /nowhere.', details: {} },
      id: 'route_not_found',
      message: 'No route GET /nowhere.',
    });
  });

  it('answers an unknown method on a known path 405 with Allow, as the local server does', async () => {
    const response = await handler(unroutedEvent('DELETE', '/apps/web'), { awsRequestId: 'r1' } as Context);
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'GET, PATCH' });
    expect(JSON.parse(response.body ?? '')).toMatchObject({ id: 'method_not_allowed', error: { details: { allowed: ['GET', 'PATCH'] } } });
  });
});
