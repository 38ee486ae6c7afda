import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { checkPathParameters } from '../api/path-parameters';
import type { Caller } from '../domain/access';
import { errorBodyOf } from '../api/common';
import type { PathReferences } from '../domain/requests';
import { DomainError, type ErrorKind } from '../domain/errors';
import { isId } from '../domain/ids';
import { logger, logsDebug, type RequestLogFacts } from '../observability/logger';
import { runBeforeDeadline } from '../runtime/deadline';
import { compressAnswers } from './compression';
import { HttpError, type HttpErrorKind } from './http-error';
import { bearerTokenOf, bodyOf } from './request';
import { matchRoute, type FunctionName, type RouteKey, type RouteKeyOf } from '../api/routes';

/** What every request carries, whoever calls. */
export type RequestBase = {
  event: APIGatewayProxyEventV2;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | undefined>>;
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON or form body (`{}` when empty); validated by each route against its zod schema. */
  body: unknown;
  /** The Lambda context; its remaining time bounds work that must not outlive the invocation. */
  context: Context;
  /** Adds what the route learns (e.g. the release it created) to this request's log line. */
  annotate: (facts: RequestLogFacts) => void;
};

export type HttpRequest<C extends Caller = Caller> = RequestBase & C;

/** `body` is sent as JSON; `text` as it is (the dashboard's files, a badge, a metrics exposition), with the content-type in `headers`. */
type HttpResult = { status: number; body?: unknown; text?: string; headers?: Record<string, string> };
export type RouteHandler<C extends Caller = Caller> = (request: HttpRequest<C>) => Promise<HttpResult>;
export type PublicRouteHandler = (request: RequestBase) => Promise<HttpResult>;
/** A route anyone may call; a key, when one is sent, must be valid and then counts. */
export type OptionalKeyRouteHandler<C extends Caller = Caller> = (request: RequestBase & Partial<C>) => Promise<HttpResult>;
type RouteEntry<C extends Caller> = RouteHandler<C> | { public: PublicRouteHandler } | { optionalKey: OptionalKeyRouteHandler<C> };

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

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;
const RETRY_AFTER_SECONDS = '1';
const ANSWER_RESERVE_MS = 500;

const errorResult = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => ({
  statusCode: status,
  headers: JSON_HEADERS,
  body: JSON.stringify(errorBodyOf(code, message, details)),
});

/** A fault the caller should simply retry: 503 with Retry-After. */
const retryLaterResult = (code: string, message: string): APIGatewayProxyStructuredResultV2 => ({
  ...errorResult(503, code, message),
  headers: { ...JSON_HEADERS, 'retry-after': RETRY_AFTER_SECONDS },
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
 * Faults of our dependencies that a client should simply retry: throttling, timeouts, dropped connections,
 * calls cut short at the invocation's deadline, and any server-side fault an AWS service reports (the SDK
 * marks those `$fault: 'server'`).
 */
const isTransientFault = (error: unknown): boolean =>
  error instanceof Error &&
  ((error as { $fault?: string }).$fault === 'server' ||
    /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|ServiceUnavailable|InternalServerError|TimeoutError|AbortError|ECONNRESET|ECONNREFUSED|socket hang up/.test(
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
    return retryLaterResult('service_unavailable', 'Slipway is briefly unable to serve this; retry shortly.');
  }
  logger.error('unhandled error', { requestId: event.requestContext.requestId, routeKey: event.routeKey, error: error as Error });
  return errorResult(500, 'internal_error', 'Slipway failed to handle this request.', {
    request_id: event.requestContext.requestId,
  });
};

/**
 * What middy answers when the handler is still running this close to Lambda's timeout (deep work is bounded by
 * the deadline, but a store call already on the wire is not): a JSON 503 instead of the runtime's bare 500. It
 * cannot say whether the change landed; a retry with the same Idempotency-Key finds out and makes it once.
 */
const TIMEOUT_RESERVE_MS = 200;
const answerAtTimeout = (): APIGatewayProxyStructuredResultV2 =>
  retryLaterResult('request_timed_out', 'Slipway could not finish this request in time. Retry it; a change sent with an Idempotency-Key is made once however often it is retried.');

/** A JSON body's content-type unless the route sets its own; the shared constant when it adds none. */
const responseHeadersOf = (result: HttpResult): Record<string, string> => {
  const base = result.body === undefined ? {} : JSON_HEADERS;
  return result.headers ? { ...base, ...result.headers } : base;
};

/**
 * A served read is in API Gateway's access log already (request id, route, status, latency): its own line
 * is DEBUG, which keeps the hot path free of a log write. Served changes keep an INFO line, which says what
 * the access log cannot (the key, the release made), and so do refusals; faults are WARN/ERROR (toResponse).
 */
const servedReadIsDebug = (method: string, status: number): boolean => (method === 'GET' || method === 'HEAD') && status < 400;

/**
 * Builds a Lambda handler that serves the given routes of one function: parses the body, requires an
 * authenticated principal (except on public routes), runs the route and maps domain errors to JSON.
 */
export const httpFunction = <F extends FunctionName, C extends Caller = Caller>(
  routes: Record<RouteKeyOf<F>, RouteEntry<C>>,
  authenticate: Authenticate<C>,
  options: {
    /**
     * Runs once the answer is ready, before Lambda freezes: functions that commit changes publish their
     * events here (`relayNotedEvents`); it must not throw. Passed in, so read-only functions do not bundle it.
     */
    afterRequest?: () => Promise<unknown>;
  } = {},
) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>({
    timeoutEarlyInMillis: TIMEOUT_RESERVE_MS,
    timeoutEarlyResponse: answerAtTimeout,
  })
    .use(compressAnswers())
    .before(async (request) => {
      logger.addContext(request.context);
    })
    .after(async () => {
      await options.afterRequest?.();
    })
    .handler(async (event, context) => {
      const routeKey = event.routeKey as RouteKey;
      const route = (routes as Record<string, RouteEntry<C>>)[routeKey];
      const startedAt = performance.now();
      // Request facts travel with the request, not as logger-wide keys, so concurrent requests in one
      // process (the local server) never mix up each other's ids.
      const facts: RequestLogFacts = {
        requestId: event.requestContext.requestId,
        routeKey: event.routeKey,
        ...(event.pathParameters?.app ? { app: event.pathParameters.app } : {}),
      };
      const annotate = (more: RequestLogFacts) => Object.assign(facts, more);
      const method = event.requestContext.http.method;
      const logOutcome = (message: string, status: number) => {
        const line = () => ({ ...facts, status, durationMs: Math.round(performance.now() - startedAt) });
        if (!servedReadIsDebug(method, status)) logger.info(message, line());
        else if (logsDebug()) logger.debug(message, line());
      };
      try {
        if (!route) throw unroutedError(method, event.rawPath);
        const base: UncheckedRequest = {
          event,
          context,
          annotate,
          query: event.queryStringParameters ?? {},
          // Payload format 2.0 hands header names over lower-cased already (and so does the local gateway).
          headers: event.headers ?? {},
          body: method === 'GET' ? {} : bodyOf(event),
          pathParameters: checkPathParameters(event.pathParameters ?? {}),
        };
        // Answer before Lambda's own timeout, keeping room to serialize and send the answer.
        const result = await runBeforeDeadline(context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS, () =>
          'public' in route
            ? route.public(withPathParameters(base))
            : 'optionalKey' in route
              ? runWithOptionalKey(route.optionalKey, base, authenticate)
              : runAuthenticated(route, base, authenticate),
        );
        logOutcome('request served', result.status);
        return {
          statusCode: result.status,
          headers: responseHeadersOf(result),
          body: result.text ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
        };
      } catch (error) {
        const response = toResponse(error, event);
        logOutcome('request refused', response.statusCode ?? 500);
        return response;
      }
    });

/** The request before its caller is known: its path parameters checked, their refusal not yet told. */
type UncheckedRequest = Omit<RequestBase, 'params'> & { pathParameters: ReturnType<typeof checkPathParameters> };

/**
 * Resolves the presented key to the caller (undefined: not a live key), reading what the path names in
 * the same call. The use case behind it is handed in by each function (shared/operations), so a function
 * with public routes only never loads the key store.
 */
export type Authenticate<C extends Caller = Caller> = (presented: string | undefined, path: PathReferences) => Promise<C | undefined>;

/**
 * What the path names that can be read with the key: apps and pipelines named by name (ids resolve
 * through an index), a promotion by its id. Nothing when a path parameter names nothing: that request is
 * answered 404 once the caller is known.
 */
const pathReferencesOf = (checked: UncheckedRequest['pathParameters']): PathReferences => {
  const { app, pipeline, promotion } = checked.refusal ? {} : checked.params;
  const nameOf = (value: string | undefined) => (value === undefined || isId(value) ? undefined : value);
  return { app, appName: nameOf(app), pipeline, pipelineName: nameOf(pipeline), promotionId: promotion };
};

/**
 * Authentication runs here, in the function that serves the route, not in an API Gateway authorizer: one
 * Lambda invocation per request, a revoked key refused at once (no authorizer cache), a missing key answered
 * with Slipway's own JSON 401, and the key read in the same DynamoDB call as the app the path names.
 */
const authenticatedCaller = async <C extends Caller>(base: UncheckedRequest, authenticate: Authenticate<C>): Promise<C> => {
  const caller = await authenticate(bearerTokenOf(base.headers, base.query), pathReferencesOf(base.pathParameters)).catch(
    (error: unknown) => {
      // The caller should retry, not be told its key is bad.
      logger.warn('API key lookup failed', { requestId: base.event.requestContext.requestId, error: error as Error });
      throw new ServiceUnavailable('The API key could not be checked.');
    },
  );
  if (!caller) {
    throw new DomainError('unauthorized', 'unauthorized', 'Send a valid API key as "Authorization: Bearer <key>".', {});
  }
  base.annotate({ keyId: caller.principal.keyId });
  return caller;
};

const runAuthenticated = async <C extends Caller>(route: RouteHandler<C>, base: UncheckedRequest, authenticate: Authenticate<C>) =>
  route({ ...withPathParameters(base), ...(await authenticatedCaller(base, authenticate)) });

/** Without a key the route runs for anyone; a key that is sent must be valid, as on any other route. */
const runWithOptionalKey = async <C extends Caller>(route: OptionalKeyRouteHandler<C>, base: UncheckedRequest, authenticate: Authenticate<C>) => {
  const presented = bearerTokenOf(base.headers, base.query) !== undefined;
  const caller: Partial<C> = presented ? await authenticatedCaller(base, authenticate) : {};
  return route({ ...withPathParameters(base), ...caller });
};

/**
 * A function whose routes are all public, such as the OpenAPI document's: it authenticates nobody, so it
 * never loads the key store and its AWS SDK client.
 */
export const publicHttpFunction = <F extends FunctionName>(routes: Record<RouteKeyOf<F>, { public: PublicRouteHandler }>) =>
  httpFunction<F>(routes, async () => undefined);

/** Path parameters are checked once the caller is known, so an anonymous caller learns nothing from them. */
const withPathParameters = ({ pathParameters, ...base }: UncheckedRequest): RequestBase => {
  if (pathParameters.refusal) throw pathParameters.refusal;
  return { ...base, params: pathParameters.params };
};
