import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parsePathParameters } from '../api/path-parameters';
import type { Principal } from '../domain/access';
import { errorBodyOf } from '../api/common';
import { DomainError, type ErrorKind } from '../domain/errors';
import { logger, type RequestLogFacts } from '../observability/logger';
import { runBeforeDeadline } from '../runtime/deadline';
import { HttpError, type HttpErrorKind } from './http-error';
import { isKeyCheckUnavailable, principalOf } from './principal-context';
import { bodyOf } from './request';
import { matchRoute, type FunctionName, type RouteKey, type RouteKeyOf } from '../api/routes';

export type HttpRequest = {
  event: APIGatewayProxyEventV2;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | undefined>>;
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON or form body (`{}` when empty); validated by each route against its zod schema. */
  body: unknown;
  principal: Principal;
  /** The Lambda context; its remaining time bounds work that must not outlive the invocation. */
  context: Context;
  /** Adds what the route learns (e.g. the release it created) to this request's log line. */
  annotate: (facts: RequestLogFacts) => void;
};

/** `body` is sent as JSON; `text` as it is, for the dashboard's files, with the content-type in `headers`. */
export type HttpResult = { status: number; body?: unknown; text?: string; headers?: Record<string, string> };
export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;
export type PublicRouteHandler = (request: Omit<HttpRequest, 'principal'>) => Promise<HttpResult>;

const STATUS_OF: Record<ErrorKind | HttpErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  unavailable: 503,
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const RETRY_AFTER_SECONDS = '1';
const ANSWER_RESERVE_MS = 500;

const errorResult = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => ({
  statusCode: status,
  headers: JSON_HEADERS,
  body: JSON.stringify(errorBodyOf(code, message, details)),
});

/** What API Gateway's $default route (and the local server's) answers for a request no route takes. */
const unroutedError = (method: string, path: string): DomainError | HttpError => {
  const found = matchRoute(method, path);
  return found.kind === 'method_not_allowed'
    ? new HttpError('method_not_allowed', 'method_not_allowed', `${path} does not take ${method}; it takes ${found.allowed.join(', ')}.`, {
        allowed: found.allowed,
      })
    : new DomainError('not_found', 'route_not_found', `No route ${method} ${path}.`, {});
};

/** A dependency failed in a way the caller should simply retry (answered 503 with Retry-After). */
class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
}

/**
 * Faults of our dependencies that a client should simply retry: throttling, timeouts, dropped connections
 * and any server-side fault an AWS service reports (the SDK marks those `$fault: 'server'`).
 */
const isTransientFault = (error: unknown): boolean =>
  error instanceof Error &&
  ((error as { $fault?: string }).$fault === 'server' ||
    /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|InternalServerError|TimeoutError|ECONNRESET|ECONNREFUSED|socket hang up/.test(
      `${error.name} ${error.message}`,
    ));

/**
 * DynamoDB refusing a value (a key over its size limit, say) means input got past validation: a bug to
 * log and fix, but still the caller's request that cannot be served, never a 500 that invites a retry.
 */
const isRefusedByStore = (error: unknown): boolean => error instanceof Error && error.name === 'ValidationException';

const toResponse = (error: unknown, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 => {
  if (error instanceof DomainError || error instanceof HttpError) {
    const result = errorResult(STATUS_OF[error.kind], error.code, error.message, error.details);
    const allowed = error.kind === 'method_not_allowed' ? error.details.allowed : undefined;
    const retryAfter = error.retryAfterSeconds ?? (error.kind === 'unavailable' ? RETRY_AFTER_SECONDS : undefined);
    const headers = {
      ...result.headers,
      ...(Array.isArray(allowed) ? { allow: allowed.join(', ') } : {}),
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    };
    return { ...result, headers };
  }
  if (isRefusedByStore(error)) {
    logger.error('store refused a value that validation let through', {
      requestId: event.requestContext.requestId,
      routeKey: event.routeKey,
      error: error as Error,
    });
    return errorResult(400, 'unsupported_value', 'A value in this request cannot be stored or looked up.', {});
  }
  if (isTransientFault(error)) {
    logger.warn('dependency fault', { requestId: event.requestContext.requestId, routeKey: event.routeKey, error: error as Error });
    return { ...errorResult(503, 'service_unavailable', 'Slipway is briefly unable to serve this; retry shortly.'), headers: { ...JSON_HEADERS, 'retry-after': RETRY_AFTER_SECONDS } };
  }
  logger.error('unhandled error', { requestId: event.requestContext.requestId, routeKey: event.routeKey, error: error as Error });
  return errorResult(500, 'internal_error', 'Slipway failed to handle this request.', {
    request_id: event.requestContext.requestId,
  });
};

const lowerCaseHeaders = (headers: APIGatewayProxyEventV2['headers']): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

/**
 * Builds a Lambda handler that serves the given routes of one function: parses the body, requires an
 * authenticated principal (except on public routes), runs the route and maps domain errors to JSON.
 */
export const httpFunction = <F extends FunctionName>(
  routes: Record<RouteKeyOf<F>, RouteHandler | { public: PublicRouteHandler }>,
  options: {
    /**
     * Runs once the answer is ready, before Lambda freezes: functions that commit changes publish their
     * events here (`relayNotedEvents`); it must not throw. Passed in, so read-only functions do not bundle it.
     */
    afterRequest?: () => Promise<unknown>;
  } = {},
) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .before(async (request) => {
      logger.addContext(request.context);
    })
    .after(async () => {
      await options.afterRequest?.();
    })
    .handler(async (event, context) => {
      const routeKey = event.routeKey as RouteKey;
      const route = (routes as Record<string, RouteHandler | { public: PublicRouteHandler }>)[routeKey];
      const startedAt = performance.now();
      // Request facts travel with the request, not as logger-wide keys, so concurrent requests in one
      // process (the local server) never mix up each other's ids.
      const facts: RequestLogFacts = {
        requestId: event.requestContext.requestId,
        routeKey: event.routeKey,
        ...(event.pathParameters?.app ? { app: event.pathParameters.app } : {}),
      };
      const annotate = (more: RequestLogFacts) => Object.assign(facts, more);
      const logOutcome = (message: string, status: number) =>
        logger.info(message, { ...facts, status, durationMs: Math.round(performance.now() - startedAt) });
      try {
        if (!route) throw unroutedError(event.requestContext.http.method, event.rawPath);
        const base = {
          event,
          context,
          annotate,
          query: event.queryStringParameters ?? {},
          headers: lowerCaseHeaders(event.headers),
          body: event.requestContext.http.method === 'GET' ? {} : bodyOf(event),
        } as UncheckedRequest;
        // Answer before Lambda's own timeout, keeping room to serialize and send the answer.
        const result = await runBeforeDeadline(context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS, () =>
          'public' in route ? route.public(withPathParameters(base)) : runAuthenticated(route, base),
        );
        logOutcome('request served', result.status);
        return {
          statusCode: result.status,
          headers: { ...(result.body === undefined ? {} : JSON_HEADERS), ...result.headers },
          body: result.text ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
        };
      } catch (error) {
        const response = toResponse(error, event);
        logOutcome('request refused', response.statusCode ?? 500);
        return response;
      }
    });

type UncheckedRequest = Omit<HttpRequest, 'principal' | 'params'>;

const runAuthenticated = (route: RouteHandler, base: UncheckedRequest) => {
  const principal = principalOf(base.event);
  if (!principal && isKeyCheckUnavailable(base.event)) throw new ServiceUnavailable('The API key could not be checked.');
  if (!principal) {
    throw new DomainError('unauthorized', 'unauthorized', 'Send a valid API key as "Authorization: Bearer <key>".', {});
  }
  base.annotate({ keyId: principal.keyId });
  return route({ ...withPathParameters(base), principal });
};

/** Path parameters are checked once the caller is known, so an anonymous caller learns nothing from them. */
const withPathParameters = (base: UncheckedRequest): Omit<HttpRequest, 'principal'> => ({
  ...base,
  params: parsePathParameters(base.event.pathParameters ?? {}),
});
