import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { IdOrName, Uuid } from '../api/common';
import { logger } from '../observability/logger';
import { authenticate } from '../operations/api-keys';
import { requireApp } from '../operations/apps';
import { ServiceUnavailable, unauthenticated, type Authenticate, type UncheckedRequest } from './http-function';
import { bearerTokenOf } from './request';

/**
 * The app a path names by name, read in one call with the caller's key. An id (or a value that names
 * nothing) is left to requireApp, which resolves ids through the index.
 */
const appNameOnPath = (event: APIGatewayProxyEventV2): string | undefined => {
  const value = event.pathParameters?.app;
  return value !== undefined && IdOrName.safeParse(value).success && !Uuid.safeParse(value).success ? value : undefined;
};

const lookUpKey = async (base: UncheckedRequest) => {
  try {
    return await authenticate(bearerTokenOf(base.headers, base.query), appNameOnPath(base.event));
  } catch (error) {
    // The caller should retry, not be told its key is bad.
    logger.warn('API key lookup failed', { requestId: base.event.requestContext.requestId, error: error as Error });
    throw new ServiceUnavailable('The API key could not be checked.');
  }
};

/**
 * Authentication runs in the function that serves the route, not in an API Gateway authorizer: one Lambda
 * invocation per request, a revoked key refused at once (no authorizer cache), a missing key answered with
 * Slipway's own JSON 401, and the key read in the same DynamoDB call as the app the path names.
 */
export const authenticateRequest: Authenticate = async (base) => {
  const { principal, appRead } = await lookUpKey(base);
  if (!principal) throw unauthenticated();
  return { principal, pathApp: () => requireApp(base.event.pathParameters?.app ?? '', principal, appRead) };
};
