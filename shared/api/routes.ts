/** The OpenAPI document's file beside the openapi function's code, written when the function is bundled (infra/http-api.ts). */
export const OPENAPI_DOCUMENT_FILE = 'openapi.json';

/**
 * Every HTTP route and the Lambda function that serves it. The CDK stack creates one API Gateway route
 * per entry and the local server matches requests against the same list, so the two cannot disagree.
 */
export const FUNCTION_NAMES = ['apps', 'builds', 'releases', 'config-vars', 'statuses', 'pipelines', 'keys', 'hooks', 'openapi', 'dashboard'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const ROUTES = [
  { method: 'POST', path: '/apps', fn: 'apps' },
  { method: 'GET', path: '/apps', fn: 'apps' },
  { method: 'GET', path: '/apps/{app}', fn: 'apps' },
  { method: 'PATCH', path: '/apps/{app}', fn: 'apps' },
  { method: 'GET', path: '/apps/{app}/features', fn: 'apps' },
  { method: 'GET', path: '/apps/{app}/metrics', fn: 'apps' },
  { method: 'GET', path: '/apps/{app}/badge.svg', fn: 'apps' },
  { method: 'POST', path: '/apps/{app}/builds', fn: 'builds' },
  { method: 'GET', path: '/apps/{app}/builds', fn: 'builds' },
  { method: 'GET', path: '/apps/{app}/builds/{build}', fn: 'builds' },
  { method: 'PATCH', path: '/apps/{app}/builds/{build}', fn: 'builds' },
  { method: 'GET', path: '/slugs/{slug}', fn: 'builds' },
  { method: 'POST', path: '/apps/{app}/releases', fn: 'releases' },
  { method: 'GET', path: '/apps/{app}/releases', fn: 'releases' },
  { method: 'GET', path: '/apps/{app}/releases/{release}', fn: 'releases' },
  { method: 'PATCH', path: '/apps/{app}/releases/{release}', fn: 'releases' },
  { method: 'POST', path: '/apps/{app}/releases/{release}/actions/approve', fn: 'releases' },
  { method: 'POST', path: '/apps/{app}/releases/{release}/actions/promote', fn: 'releases' },
  { method: 'POST', path: '/apps/{app}/releases/{release}/actions/abort', fn: 'releases' },
  { method: 'GET', path: '/apps/{app}/releases/{release}/release-phase/output', fn: 'releases' },
  { method: 'POST', path: '/v1/signals/releases', fn: 'releases' },
  { method: 'GET', path: '/v1/signals/releases/{signal}', fn: 'releases' },
  { method: 'PATCH', path: '/v1/signals/releases/{signal}', fn: 'releases' },
  { method: 'POST', path: '/components/{app}/deployments', fn: 'releases' },
  { method: 'GET', path: '/components/{app}/deployments', fn: 'releases' },
  { method: 'GET', path: '/apps/{app}/releases/{release}/config-diff', fn: 'config-vars' },
  { method: 'GET', path: '/apps/{app}/config-vars', fn: 'config-vars' },
  { method: 'PATCH', path: '/apps/{app}/config-vars', fn: 'config-vars' },
  { method: 'POST', path: '/apps/{app}/releases/{release}/statuses', fn: 'statuses' },
  { method: 'GET', path: '/apps/{app}/releases/{release}/statuses', fn: 'statuses' },
  { method: 'GET', path: '/apps/{app}/releases/{release}/statuses/{context}', fn: 'statuses' },
  { method: 'PATCH', path: '/apps/{app}/releases/{release}/statuses/{context}', fn: 'statuses' },
  { method: 'POST', path: '/pipelines', fn: 'pipelines' },
  { method: 'GET', path: '/pipelines', fn: 'pipelines' },
  { method: 'GET', path: '/pipelines/{pipeline}', fn: 'pipelines' },
  { method: 'GET', path: '/pipelines/{pipeline}/pipeline-couplings', fn: 'pipelines' },
  { method: 'GET', path: '/pipelines/{pipeline}/metrics', fn: 'pipelines' },
  { method: 'POST', path: '/pipeline-couplings', fn: 'pipelines' },
  { method: 'DELETE', path: '/pipeline-couplings/{coupling}', fn: 'pipelines' },
  { method: 'GET', path: '/apps/{app}/pipeline-couplings', fn: 'pipelines' },
  { method: 'POST', path: '/pipeline-promotions', fn: 'pipelines' },
  { method: 'GET', path: '/pipeline-promotions/{promotion}', fn: 'pipelines' },
  { method: 'GET', path: '/pipeline-stages', fn: 'pipelines' },
  { method: 'POST', path: '/apps/{app}/hooks', fn: 'hooks' },
  { method: 'GET', path: '/apps/{app}/hooks', fn: 'hooks' },
  { method: 'GET', path: '/apps/{app}/hooks/{hook}', fn: 'hooks' },
  { method: 'PATCH', path: '/apps/{app}/hooks/{hook}', fn: 'hooks' },
  { method: 'DELETE', path: '/apps/{app}/hooks/{hook}', fn: 'hooks' },
  { method: 'GET', path: '/apps/{app}/hooks/{hook}/deliveries', fn: 'hooks' },
  { method: 'POST', path: '/apps/{app}/hooks/{hook}/deliveries/{delivery}/redeliver', fn: 'hooks' },
  { method: 'POST', path: '/apps/{app}/hooks/{hook}/rotate-secret', fn: 'hooks' },
  { method: 'POST', path: '/apps/{app}/hooks/{hook}/ping', fn: 'hooks' },
  { method: 'POST', path: '/api-keys', fn: 'keys' },
  { method: 'GET', path: '/api-keys', fn: 'keys' },
  { method: 'DELETE', path: '/api-keys/{key}', fn: 'keys' },
  { method: 'GET', path: '/whoami', fn: 'keys' },
  { method: 'GET', path: '/openapi.json', fn: 'openapi' },
  { method: 'GET', path: '/', fn: 'dashboard' },
  { method: 'GET', path: '/assets/{asset}', fn: 'dashboard' },
] as const satisfies readonly { method: string; path: string; fn: FunctionName }[];

export type Route = (typeof ROUTES)[number];
export type RouteKey = `${Route['method']} ${Route['path']}`;
export type RouteKeyOf<F extends FunctionName> = Extract<Route, { fn: F }> extends infer R
  ? R extends { method: infer M extends string; path: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;

export const routeKeyOf = (route: Pick<Route, 'method' | 'path'>): RouteKey => `${route.method} ${route.path}` as RouteKey;

/** Routes that need no API key: the OpenAPI document and the dashboard's static page, which signs in itself. */
export const PUBLIC_ROUTE_KEYS: ReadonlySet<RouteKey> = new Set<RouteKey>(['GET /openapi.json', 'GET /', 'GET /assets/{asset}']);

/** Routes that answer without a key for some resources (a badge its app made public); a key sent must be valid. */
export const OPTIONAL_KEY_ROUTE_KEYS: ReadonlySet<RouteKey> = new Set<RouteKey>(['GET /apps/{app}/badge.svg']);

type CompiledRoute = { route: Route; pattern: RegExp; names: string[] };

const COMPILED_ROUTES: readonly CompiledRoute[] = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
});

export type RouteMatch =
  | { kind: 'matched'; route: Route; names: string[]; values: string[] }
  /** The path is known but not with this method: API Gateway and the local server both answer 405. */
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

/**
 * Matches a request against the route table, as API Gateway does; path values are still percent-encoded.
 * Every request goes through it locally: one pass, stopping at the route that takes the method.
 */
export const matchRoute = (method: string, requested: string): RouteMatch => {
  // API Gateway takes no route ending in `/` and routes `/a/b/` as `/a/b` (ReleaseBits clients post to `…/deployments/`).
  const path = requested.length > 1 && requested.endsWith('/') ? requested.slice(0, -1) : requested;
  const allowed: string[] = [];
  for (const { route, pattern, names } of COMPILED_ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method === method) return { kind: 'matched', route, names, values: match.slice(1) };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
};
