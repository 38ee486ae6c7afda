import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticate } from '../shared/operations/api-keys';
import { toPrincipalContext, UNAUTHENTICATED, type PrincipalContext } from '../shared/http/principal-context';

/**
 * HTTP API Lambda authorizer (simple responses). It resolves the key and lets the request through either
 * way: handlers refuse unauthenticated callers with Slipway's own 401 JSON error, which API Gateway's
 * built-in deny response (a bare 403) could not give.
 */
export const bearerTokenOf = (event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers' | 'queryStringParameters'>) => {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? event.queryStringParameters?.access_token;
};

export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<PrincipalContext>> => {
  const principal = await authenticate(bearerTokenOf(event));
  return { isAuthorized: true, context: principal ? toPrincipalContext(principal) : UNAUTHENTICATED };
};
