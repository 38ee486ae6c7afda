import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { createApiGateway, type HttpHandler } from '../local/api-gateway';
import { httpHandlers } from '../local/handlers';
import { localInvocations } from '../local/lambda-context';
import type { LocalRollouts } from '../local/rollout-runtime';
import { FUNCTION_NAMES, type FunctionName } from '../shared/api/routes';
import { getStore } from '../shared/store/client';
import { countDynamoCalls, type DynamoTally } from './dynamo-census';

const QUIET_MS = 25;
const SETTLE_LIMIT_MS = 2_000;

/** Waits until the request's calls have stopped: none in flight over two quiet spells in a row (or a time limit). */
const settled = async (census: { inFlight: () => number }): Promise<void> => {
  const until = Date.now() + SETTLE_LIMIT_MS;
  let quiet = 0;
  while (quiet < 2 && Date.now() < until) {
    await sleep(QUIET_MS);
    quiet = census.inFlight() === 0 ? quiet + 1 : 0;
  }
};

/** One API request as the bench made it: its route, answer, Lambda invocations and DynamoDB calls. */
export type RouteCalls = DynamoTally & { route: string; status: number; invocations: number };

/** What one release costs beyond its create request: the rollout's Lambda invocations and DynamoDB calls. */
type RolloutCalls = DynamoTally & { invocations: Record<string, number> };

export type CallCensus = { routes: RouteCalls[]; rollout: RolloutCalls };

const HTTP_FUNCTIONS: ReadonlySet<string> = new Set(FUNCTION_NAMES);

/** Invocations of the functions behind the API (rollout steps, ECS events) since `before`. */
const backgroundInvocationsSince = (before: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries(
    [...localInvocations()]
      .filter(([fn]) => !HTTP_FUNCTIONS.has(fn))
      .map(([fn, count]) => [fn, count - (before.get(fn) ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );

/**
 * Every route once, one request at a time, on a local Slipway with rollouts (so releases really roll out
 * and promotions have a succeeded source), through a gateway of its own whose handlers are the very ones
 * the local server runs, each call counted as an invocation and run in an async context. DynamoDB calls are
 * counted by an SDK middleware on the store's client and told apart by that context: a request's own, or
 * the rollout's it started (the local Step Functions runs steps outside it, as AWS runs other Lambdas).
 */
export const measureCalls = async (target: { adminKey: string; rollouts: LocalRollouts }): Promise<CallCensus> => {
  // Each request runs in a context of its own number: what a request set off in the background (its
  // events' relay) after answering counts for it, never for the request after it.
  const serving = new AsyncLocalStorage<number>();
  let handled = 0;
  const counted = Object.fromEntries(
    FUNCTION_NAMES.map((fn) => {
      const handler: HttpHandler = (event, context) => {
        handled += 1;
        return serving.run(handled, () => httpHandlers[fn](event, context));
      };
      return [fn, handler];
    }),
  ) as Record<FunctionName, HttpHandler>;
  const gateway = createApiGateway({ handlers: counted });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const census = countDynamoCalls(getStore().client, 'benchRequestCensus', () => serving.getStore() === handled);
  const background = countDynamoCalls(getStore().client, 'benchRolloutCensus', () => serving.getStore() === undefined);
  const routes: RouteCalls[] = [];
  /** Sends one request; with a route name, records what it cost. */
  const send = async <T>(route: string | undefined, method: string, path: string, body?: unknown): Promise<T> => {
    const before = handled;
    census.take();
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    await settled(census);
    const tally = census.take();
    if (route) routes.push({ route, status: response.status, invocations: handled - before, ...tally });
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const call = <T>(route: string, method: string, path: string, body?: unknown) => send<T>(route, method, path, body);
  const seed = (method: string, path: string, body: unknown) => send(undefined, method, path, body);
  let rollout: RolloutCalls | undefined;
  /** Waits for the release's rollout: its calls are what a release costs beyond its request. */
  const settle = async (releaseId: string, before: ReadonlyMap<string, number>) => {
    await target.rollouts.stepFunctions.finished(releaseId);
    rollout = { ...background.take(), invocations: backgroundInvocationsSince(before) };
  };

  await call('POST /apps', 'POST', '/apps', { name: 'census', cluster: 'bench', service: 'census-svc' });
  await seed('POST', '/apps', { name: 'census-stg', cluster: 'bench', service: 'census-stg-svc' });
  await call('GET /apps', 'GET', '/apps');
  await call('GET /apps/{app}/features', 'GET', '/apps/census/features');
  const build = await call<{ id: string }>('POST /apps/{app}/builds', 'POST', '/apps/census/builds', { image: 'registry.local/census:v1' });
  await call('GET /apps/{app}/builds', 'GET', '/apps/census/builds');
  await call('GET /apps/{app}/builds/{build}', 'GET', `/apps/census/builds/${build.id}`);
  await call('PATCH /apps/{app}/builds/{build}', 'PATCH', `/apps/census/builds/${build.id}`, { status: 'succeeded' });
  await call('GET /slugs/{slug}', 'GET', `/slugs/${build.id}`);
  background.take();
  const beforeRelease = new Map(localInvocations());
  const release = await call<{ id: string }>('POST /apps/{app}/releases', 'POST', '/apps/census/releases', { slug: build.id });
  await settle(release.id, beforeRelease);
  // After the rollout, so the app has a current release and build to show.
  await call('GET /apps/{app}', 'GET', '/apps/census');
  await call('GET /apps/{app}/releases', 'GET', '/apps/census/releases');
  await call('GET /apps/{app}/releases/{release}', 'GET', `/apps/census/releases/${release.id}`);
  const statuses = `/apps/census/releases/${release.id}/statuses`;
  await call('POST /apps/{app}/releases/{release}/statuses', 'POST', statuses, { context: 'ci/unit', name: 'unit', state: 'pending' });
  await call('GET /apps/{app}/releases/{release}/statuses', 'GET', statuses);
  await call('GET /apps/{app}/releases/{release}/statuses/{context}', 'GET', `${statuses}/ci%2Funit`);
  await call('PATCH /apps/{app}/releases/{release}/statuses/{context}', 'PATCH', `${statuses}/ci%2Funit`, { state: 'success' });
  await call('POST /pipelines', 'POST', '/pipelines', { name: 'census-flow' });
  await call('GET /pipelines', 'GET', '/pipelines');
  await call('GET /pipelines/{pipeline}', 'GET', '/pipelines/census-flow');
  const coupling = await call<{ id: string }>('POST /pipeline-couplings', 'POST', '/pipeline-couplings', {
    pipeline: 'census-flow',
    app: 'census',
    stage: 'development',
  });
  await seed('POST', '/pipeline-couplings', { pipeline: 'census-flow', app: 'census-stg', stage: 'staging' });
  await call('GET /pipelines/{pipeline}/pipeline-couplings', 'GET', '/pipelines/census-flow/pipeline-couplings');
  await call('GET /apps/{app}/pipeline-couplings', 'GET', '/apps/census/pipeline-couplings');
  await call('GET /pipeline-stages', 'GET', '/pipeline-stages');
  const promotion = await call<{ id: string }>('POST /pipeline-promotions', 'POST', '/pipeline-promotions', {
    pipeline: { name: 'census-flow' },
    source: { app: { name: 'census' } },
    targets: [{ app: { name: 'census-stg' } }],
  });
  await call('GET /pipeline-promotions/{promotion}', 'GET', `/pipeline-promotions/${promotion.id}`);
  await Promise.all(target.rollouts.stepFunctions.executions().map((execution) => target.rollouts.stepFunctions.finished(execution.name)));
  await call('DELETE /pipeline-couplings/{coupling}', 'DELETE', `/pipeline-couplings/${coupling.id}`);
  const key = await call<{ id: string }>('POST /api-keys', 'POST', '/api-keys', { role: 'developer' });
  await call('GET /api-keys', 'GET', '/api-keys');
  await call('DELETE /api-keys/{key}', 'DELETE', `/api-keys/${key.id}`);
  await call('GET /openapi.json', 'GET', '/openapi.json');
  gateway.closeAllConnections();
  gateway.close();
  if (!rollout) throw new Error('the census saw no rollout');
  return { routes, rollout };
};
