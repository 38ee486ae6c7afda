import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticate } from '../shared/operations/api-keys';
import { KEY_CHECK_UNAVAILABLE, toPrincipalContext, UNAUTHENTICATED, type PrincipalContext } from '../shared/http/principal-context';
import { logger } from '../shared/observability/logger';

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
  try {
    const principal = await authenticate(bearerTokenOf(event));
    return { isAuthorized: true, context: principal ? toPrincipalContext(principal) : UNAUTHENTICATED };
  } catch (error) {
    // Throwing here would make API Gateway answer a bare 500; the handler answers a JSON 503 instead.
    logger.warn('API key lookup failed', { error: error as Error });
    return { isAuthorized: true, context: KEY_CHECK_UNAVAILABLE };
  }
};
