import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import * as z from 'zod/mini';
import { FUNCTION_NAMES, OPTIONAL_KEY_ROUTE_KEYS, PUBLIC_ROUTE_KEYS, ROUTES, routeKeyOf, type FunctionName, type Route, type RouteKey } from './routes';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_WINDOW_SECONDS, IdempotencyKey } from './idempotency-key';
import { CreateApiKeyRequest } from './api-keys';
import { ApiKeyResponse, CreatedApiKeyResponse, WhoamiResponse } from './api-key-responses';
import { CreateAppRequest, UpdateAppRequest } from './apps';
import { AppDetailResponse, AppFeatureResponse, AppResponse } from './app-responses';
import { CreateBuildRequest, ListBuildsQuery, UpdateBuildRequest } from './builds';
import { BuildResponse } from './build-responses';
import { MetricsQuery } from './metrics';
import { MetricsResponse } from './metrics-responses';
import { ErrorResponse } from './error-responses';
import { HookPingEvent, SlipwayEvent } from './events';
import { PATH_PARAMETERS, type PathParameterName } from './path-parameters';
import { CreateCouplingRequest, CreatePipelineRequest, CreatePromotionRequest } from './pipelines';
import { CouplingResponse, PipelineResponse, PipelineStagesResponse, PromotionResponse } from './pipeline-responses';
import { CreateReleaseRequest, ListReleasesQuery, UpdateReleaseRequest } from './releases';
import { ReleaseResponse } from './release-responses';
import { ReleasePhaseOutputResponse } from './release-phase-responses';
import { ConfigDiffQuery, UpdateConfigVarsRequest } from './config-vars';
import { ConfigDiffResponse, ConfigVarsResponse } from './config-var-responses';
import { CreateHookRequest, ListDeliveriesQuery, RotateHookSecretRequest, UpdateHookRequest } from './hooks';
import { CreatedHookResponse, DeliveryResponse, HookResponse } from './hook-responses';
import { DeploymentQuery, DeploymentRequest } from './deployments';
import { DeploymentCreatedResponse, DeploymentResponse } from './deployment-responses';
import { SignalReleaseRequest, SignalStatusRequest } from './signals';
import { SignalReleaseResponse } from './signal-responses';
import type { ReleaseAction } from '../domain/release-actions';
import { CreateStatusRequest, UpdateStatusRequest } from './statuses';
import { ReleaseStatusesResponse, StatusResponse } from './status-responses';

/**
 * The OpenAPI 3.1 document of the whole API, generated from the same zod schemas the handlers validate
 * with. Routes come from ROUTES; each needs an entry in OPERATIONS, and a test fails for any that lacks one.
 */
type Operation = {
  summary: string;
  body?: z.core.$ZodType;
  /** The body may be left out (every field has a default, or the fields may come as query parameters instead). */
  bodyOptional?: boolean;
  query?: z.core.$ZodObject;
  headers?: z.core.$ZodObject;
  success: {
    status: number;
    description: string;
    schema?: z.core.$ZodType;
    location?: boolean;
    headers?: z.core.$ZodObject;
    /** Answers in other media types than JSON (an SVG, a text exposition), beside `schema`'s JSON if any. */
    otherMediaTypes?: Record<string, z.core.$ZodType>;
  };
  /** A 206 Partial Content answer (a Range request with more to come), with these headers. */
  partial?: { description: string; headers: z.core.$ZodObject };
  /** More answers than the ones every route of its kind has (see `commonErrors`). */
  also?: Record<number, string>;
};

type Extras = Omit<Operation, 'summary' | 'success'>;

/** A route that answers 200 with one JSON document. */
const answers = (summary: string, description: string, schema: z.core.$ZodType, extras: Extras = {}): Operation => ({
  summary,
  ...extras,
  success: { status: 200, description, schema },
});

/** A route that answers 200 with a JSON array of `item`. */
const lists = (summary: string, description: string, item: z.core.$ZodType, extras: Extras = {}): Operation =>
  answers(summary, description, z.array(item), extras);

/** A route that creates what its body describes: 201 with it, and its path in Location. */
const creates = (summary: string, body: z.core.$ZodType, description: string, schema: z.core.$ZodType, extras: Extras = {}): Operation => ({
  summary,
  body,
  ...extras,
  success: { status: 201, description, schema, location: true },
});

const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: z.optional(IdempotencyKey).check(
    z.meta({
      description: `Makes the request safe to retry for ${IDEMPOTENCY_WINDOW_SECONDS / 3600} h: the same key and body answer what the first request made (a create: 303 with its Location).`,
    }),
  ),
});

const ListHeaders = z.object({
  range: z
    .optional(z.string())
    .check(z.meta({ description: 'Heroku list range, e.g. `version ..; order=desc, max=10` (instead of limit/cursor).', example: 'version ..; order=desc, max=10' })),
});

const PROMETHEUS_TEXT = z.string().check(z.meta({ description: 'Prometheus text exposition format 0.0.4, with format=prometheus' }));

const NEXT_RANGE = z.string().check(z.meta({ description: 'The Range that asks for the rest (answered 206 when sent as Range).' }));

/** An operator's action on a release whose deployment shifts traffic (shared/domain/release-actions.ts). */
const releaseAction = (action: ReleaseAction, summary: string): Partial<Record<RouteKey, Operation>> => ({
  [`POST /apps/{app}/releases/{release}/actions/${action}`]: answers(summary, 'The release, as ECS was told', ReleaseResponse, {
    headers: IdempotencyHeaders,
    also: { 409: 'release_not_at_gate: the release is not rolling out with bakes or a gate (or, to approve, its gate asks for no approval)' },
  }),
});

export const OPERATIONS: Partial<Record<RouteKey, Operation>> = {
  'POST /apps': creates('Register an app: an ECS service, or without cluster and service an external app whose releases are recorded', CreateAppRequest(), 'The app', AppResponse, {
    also: { 409: 'An app with this name exists' },
  }),
  'GET /apps': lists('List the apps this key may see', 'Apps', AppResponse),
  'GET /apps/{app}': answers('Get an app by name or id, with what it runs now', 'The app', AppDetailResponse),
  'PATCH /apps/{app}': answers(
    "Change an app's settings: automatic rollback (operator), whether its badge is public (admin)",
    'The app, with what it runs now',
    AppDetailResponse,
    { body: UpdateAppRequest() },
  ),
  'GET /apps/{app}/features': lists("An app's features (Akkeris compatibility: auto-release)", 'Features', AppFeatureResponse),
  'GET /apps/{app}/metrics': {
    summary: "The app's delivery metrics (DORA's four keys) over a window, as JSON or a Prometheus exposition",
    query: MetricsQuery(),
    success: {
      status: 200,
      description: 'Each key with its DORA band and the number of releases it rests on',
      schema: MetricsResponse,
      otherMediaTypes: { 'text/plain': PROMETHEUS_TEXT },
    },
  },
  'GET /apps/{app}/badge.svg': {
    summary: "A shields-style badge of the app's current version and state; without a key only if the app made it public",
    success: {
      status: 200,
      description: 'An SVG image (Cache-Control: max-age=60)',
      otherMediaTypes: { 'image/svg+xml': z.string().check(z.meta({ description: 'SVG; every text in it is escaped' })) },
    },
  },
  'POST /apps/{app}/builds': creates('Register a build (a container image made by CI)', CreateBuildRequest(), 'The build', BuildResponse),
  'GET /apps/{app}/builds': lists("List an app's builds", 'Builds', BuildResponse, { query: ListBuildsQuery() }),
  'GET /apps/{app}/builds/{build}': answers('Get a build', 'The build', BuildResponse),
  'PATCH /apps/{app}/builds/{build}': answers("Set a build's outcome (succeeded may release it automatically)", 'The build', BuildResponse, {
    body: UpdateBuildRequest(),
    also: { 409: 'The build already has an outcome' },
  }),
  'GET /slugs/{slug}': answers('Get a build by its slug id', 'The build', BuildResponse),
  'POST /apps/{app}/releases': creates(
    "Deploy a build (slug) or roll back to an earlier release (release); a rollback restores its build and config (the app's config becomes the target's) and overtakes the rollout in flight and the queue. On an external app, record a release of a build as its client reports it (status, times, url, name)",
    CreateReleaseRequest(),
    'The new release: queued for rollout, or on an external app recorded as reported',
    ReleaseResponse,
    {
      headers: IdempotencyHeaders,
      also: {
        303: 'A retry with this Idempotency-Key (of an answered request, or of one cut short, which it completes): the release at Location',
        409: 'The slug is not releasable here, rollback_target_not_succeeded (the rollback target never succeeded and force is not set), or a request with this Idempotency-Key is still in flight (Retry-After)',
        422: 'Invalid body, Idempotency-Key reused with another body, the app only takes pipeline promotions, status or times reported for an app Slipway deploys (not_an_external_app), or a rollback of an external app (external_app_not_deployed)',
        503: 'A dependency is briefly unavailable, or too many releases to this app are being created at once: nothing was recorded; retry after Retry-After',
      },
    },
  ),
  'GET /apps/{app}/releases': {
    summary: "List an app's releases: pages by limit/cursor or Range; without either, the newest page",
    query: ListReleasesQuery(),
    headers: ListHeaders,
    success: {
      status: 200,
      description: 'Releases, ascending by version unless a Range asks for order=desc',
      schema: z.array(ReleaseResponse),
      headers: z.object({
        'next-cursor': z.optional(z.string()).check(z.meta({ description: 'Present when more (newer) releases follow a limit/cursor page.' })),
        'next-range': z.optional(NEXT_RANGE),
      }),
    },
    partial: { description: 'A page of a Range request with more to come', headers: z.object({ 'next-range': NEXT_RANGE }) },
    also: { 400: 'invalid_cursor: the cursor is not one this API issued; invalid_range: the Range header is malformed or sent with limit/cursor' },
  },
  'GET /apps/{app}/releases/{release}': answers('Get a release by id or version', 'The release', ReleaseResponse),
  'PATCH /apps/{app}/releases/{release}': answers(
    "Report how a recorded release of an external app went (succeeded or failed); Slipway sets its own releases' status itself",
    'The release',
    ReleaseResponse,
    { body: UpdateReleaseRequest(), also: { 409: 'release_not_recorded: the release is one Slipway rolls out', 422: 'Invalid body, or finished_at before the release started' } },
  ),
  ...releaseAction('approve', 'Approve a release held at its gate (operator): with every gate check success, the deployment moves on at once'),
  ...releaseAction('promote', 'Promote a release (operator): skip the rest of its bakes and its gate, and shift all production traffic now'),
  ...releaseAction('abort', 'Abort a release (operator): ECS rolls its deployment back now and the release ends failed, saying who aborted it'),
  'GET /apps/{app}/releases/{release}/release-phase/output': answers(
    "What a release's release phase printed, from the CloudWatch Logs stream its container's awslogs driver writes (poll it while the phase runs)",
    'Its lines, oldest first, and whether that is all of them',
    ReleasePhaseOutputResponse,
    {
      also: {
        404: 'No such release; release_phase_not_run: it ran no release phase (none declared, or a rollback that skipped it); release_phase_output_unreadable: its container logs nowhere Slipway can read (no awslogs driver with a stream prefix, or a log group not named in slipway:releasePhaseLogGroups)',
      },
    },
  ),
  'POST /v1/signals/releases': creates(
    "Declare a release as Echoes' releases API takes it: one recorded release per deliverable (an external app), all under one id; the same payload from the same key is the same release, however often and however long after",
    SignalReleaseRequest(),
    'The declaration and the release recorded for each deliverable',
    SignalReleaseResponse,
    {
      also: {
        303: 'The same payload again from the same key (or one cut short, which it completes): the one release at Location',
        422: 'Invalid body, or a deliverable that is no app the key may release to (unknown_deliverable), is deployed by Slipway (deliverable_not_external) or takes releases only by promotion',
      },
    },
  ),
  'GET /v1/signals/releases/{signal}': answers('A release declared by an Echoes client, with each deliverable\'s recorded release', 'The declaration', SignalReleaseResponse),
  'PATCH /v1/signals/releases/{signal}': answers(
    "Report how a declared release went (Echoes: success or failure), on every deliverable's recorded release",
    'The declaration',
    SignalReleaseResponse,
    { body: SignalStatusRequest() },
  ),
  'POST /components/{app}/deployments': {
    summary:
      "Report a deployment as ReleaseBits' deployments API takes it (the component is an external app; a trailing / is fine): the fields as JSON, a form, or query parameters alone (meta_data[key]=value); the key as a Bearer token, the bare Authorization header, or access_token",
    body: DeploymentRequest(),
    bodyOptional: true,
    query: DeploymentQuery(),
    success: { status: 201, description: "The deployment's id; its version's recorded release lists it", schema: DeploymentCreatedResponse },
    also: { 422: 'Invalid fields, an app Slipway deploys (not_an_external_app), too many hosts and stages on one release, or the app takes releases only by promotion' },
  },
  'GET /components/{app}/deployments': lists(
    "The deployments of an external app's newest 100 releases, newest first (ReleaseBits)",
    'Deployments',
    DeploymentResponse,
  ),
  'GET /apps/{app}/releases/{release}/config-diff': answers(
    "What a release's config changes against another release's (e.g. what rolling back to it would change)",
    'Added, removed and changed vars; secret values masked',
    ConfigDiffResponse,
    { query: ConfigDiffQuery() },
  ),
  'GET /apps/{app}/config-vars': answers("An app's config vars (secret values masked)", 'The config vars', ConfigVarsResponse),
  'PATCH /apps/{app}/config-vars': {
    summary: 'Set and unset config vars: a new config version, released with the current build',
    body: UpdateConfigVarsRequest(),
    headers: IdempotencyHeaders,
    success: {
      status: 200,
      description: "The app's config vars after the change (secret values masked); Location names the release it made, if the app had a current release",
      schema: ConfigVarsResponse,
      headers: z.object({ location: z.optional(z.string()).check(z.meta({ description: 'Path of the release the change made' })) }),
    },
    also: {
      409: 'A request with this Idempotency-Key is still in flight (Retry-After)',
      413: 'The body is over 64 KiB, or the config would pass its bounds (config_too_large)',
      422: 'Invalid names or values, nothing to change, a SLIPWAY_RELEASE_* name, Idempotency-Key reused with another body, or the app only takes pipeline promotions',
    },
  },
  'POST /apps/{app}/releases/{release}/statuses': creates('Report a status check on a release', CreateStatusRequest(), 'The status', StatusResponse, {
    also: {
      409: 'This context exists on the release (use PATCH)',
      413: 'The body is over 64 KiB, or the release\'s statuses would pass 256 KiB of UTF-8 together',
      422: 'Invalid body (text bounds count UTF-8 bytes), or the release holds 50 statuses already',
    },
  }),
  'GET /apps/{app}/releases/{release}/statuses': answers("A release's status checks and their combined state", 'Statuses and state', ReleaseStatusesResponse),
  'GET /apps/{app}/releases/{release}/statuses/{context}': answers('Get one status check by its context', 'The status', StatusResponse),
  'PATCH /apps/{app}/releases/{release}/statuses/{context}': answers('Update a status check', 'The status', StatusResponse, {
    body: UpdateStatusRequest(),
    also: { 413: 'The body is over 64 KiB, or the release\'s statuses would pass 256 KiB of UTF-8 together' },
  }),
  'POST /apps/{app}/hooks': creates(
    'Add a webhook or integration to an app (operator or admin)',
    CreateHookRequest(),
    'The hook, with its secret this once',
    CreatedHookResponse,
    { also: { 422: 'Invalid body: a URL the delivery policy refuses, or an option the kind needs is missing' } },
  ),
  'GET /apps/{app}/hooks': lists("List an app's hooks", 'Hooks', HookResponse),
  'GET /apps/{app}/hooks/{hook}': answers('Get a hook', 'The hook', HookResponse),
  'PATCH /apps/{app}/hooks/{hook}': answers('Change a hook (operator or admin)', 'The hook', HookResponse, {
    body: UpdateHookRequest(),
    also: {
      422: 'Invalid body: a URL the delivery policy refuses, an option the kind needs is missing, or a new url without the secret sent again (hook_secret_required)',
    },
  }),
  'DELETE /apps/{app}/hooks/{hook}': answers('Remove a hook (operator or admin)', 'The removed hook', HookResponse),
  'GET /apps/{app}/hooks/{hook}/deliveries': {
    summary: "A hook's delivery log, newest first, a page at a time, each delivery with its attempts",
    query: ListDeliveriesQuery(),
    success: {
      status: 200,
      description: 'Deliveries, newest first',
      schema: z.array(DeliveryResponse),
      headers: z.object({ 'next-cursor': z.optional(z.string()).check(z.meta({ description: 'Present when older deliveries follow: pass it back as cursor.' })) }),
    },
    also: { 400: 'invalid_cursor: the cursor is not one this API issued' },
  },
  'POST /apps/{app}/hooks/{hook}/deliveries/{delivery}/redeliver': answers(
    'Send one delivery again now (operator or admin)',
    'The delivery after the attempt',
    DeliveryResponse,
  ),
  'POST /apps/{app}/hooks/{hook}/rotate-secret': answers(
    "Give a webhook a new signing secret, the old one still signing beside it for a while (operator or admin)",
    'The hook, with its new secret this once and until when the previous one signs',
    CreatedHookResponse,
    {
      body: RotateHookSecretRequest(),
      bodyOptional: true,
      also: { 422: 'Invalid body, a secret that is not a Standard Webhooks secret (hook_secret_invalid), or a hook whose secret is a vendor token (hook_secret_not_rotatable)' },
    },
  ),
  'POST /apps/{app}/hooks/{hook}/ping': answers(
    'Send a ping event to a webhook (or a test message to Slack) now, once; logged as a delivery (operator or admin)',
    "The ping's delivery after its one attempt: the receiver's status code, duration and answer",
    DeliveryResponse,
    { also: { 422: 'The hook is of a kind whose vendor has no place for a test message (hook_ping_unsupported)' } },
  ),
  'POST /pipelines': creates('Create a pipeline', CreatePipelineRequest(), 'The pipeline', PipelineResponse, {
    also: { 409: 'A pipeline with this name exists' },
  }),
  'GET /pipelines': lists('List pipelines', 'Pipelines', PipelineResponse),
  'GET /pipelines/{pipeline}': answers('Get a pipeline by name or id', 'The pipeline', PipelineResponse),
  'GET /pipelines/{pipeline}/pipeline-couplings': lists("List a pipeline's couplings", 'Couplings', CouplingResponse),
  'GET /pipelines/{pipeline}/metrics': {
    summary: "The delivery metrics (DORA's four keys) of the pipeline's production stage over a window",
    query: MetricsQuery(),
    success: {
      status: 200,
      description: "The production stage's apps (those the key covers) summed",
      schema: MetricsResponse,
      otherMediaTypes: { 'text/plain': PROMETHEUS_TEXT },
    },
  },
  'POST /pipeline-couplings': creates('Couple an app to a pipeline stage', CreateCouplingRequest(), 'The coupling', CouplingResponse, {
    also: { 409: 'The app is already in a pipeline' },
  }),
  'DELETE /pipeline-couplings/{coupling}': answers('Remove an app from its pipeline', 'The removed coupling', CouplingResponse),
  'GET /apps/{app}/pipeline-couplings': answers("An app's pipeline coupling", 'The coupling', CouplingResponse),
  'POST /pipeline-promotions': creates("Promote a release to the next stage's apps", CreatePromotionRequest(), 'The promotion', PromotionResponse, {
    headers: IdempotencyHeaders,
    also: {
      303: 'A retry with this Idempotency-Key (of an answered request, or of one cut short, which it completes): the promotion at Location',
      409: 'The source release has not succeeded (source_release_not_succeeded), a required status check is not success on it (unsafe_promotion), or a request with this Idempotency-Key is still in flight (Retry-After)',
      422: 'Invalid body, an {id, name} pair naming two things, targets not at the next stage, or Idempotency-Key reused with another body',
    },
  }),
  'GET /pipeline-promotions/{promotion}': answers(
    'Get a promotion',
    "The promotion; each target's status follows its release's rollout, and the promotion's sums them up",
    PromotionResponse,
  ),
  'GET /pipeline-stages': answers('Each pipeline stage and the one after it (Akkeris compatibility)', 'Stages', PipelineStagesResponse),
  'POST /api-keys': creates(
    'Mint an API key (admin for all apps only); the key is in this response and nowhere else',
    CreateApiKeyRequest(),
    'The key and its grants',
    CreatedApiKeyResponse,
  ),
  'GET /api-keys': lists('List API keys (never the keys themselves)', 'Keys', ApiKeyResponse),
  'DELETE /api-keys/{key}': answers('Revoke an API key; requests with it get 401 from then on', 'The revoked key', ApiKeyResponse),
  'GET /whoami': answers(
    "The calling key's id, role and apps (never the key), so a client can offer only what it may do",
    'The caller',
    WhoamiResponse,
  ),
  'GET /openapi.json': answers('This document', 'OpenAPI 3.1 document', z.record(z.string(), z.unknown())),
  'GET /': { summary: 'The dashboard (an HTML page that signs in with an API key)', success: { status: 200, description: 'HTML' } },
  'GET /assets/{asset}': { summary: "A file of the dashboard's bundle (JavaScript, CSS)", success: { status: 200, description: 'The file' } },
};

const pathParametersOf = (path: string): z.ZodMiniObject | undefined => {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as PathParameterName);
  if (names.length === 0) return undefined;
  return z.object(
    Object.fromEntries(names.map((name) => [name, PATH_PARAMETERS[name].schema.check(z.meta({ description: PATH_PARAMETERS[name].description }))])),
  );
};

const ERROR_HEADERS: Record<number, z.core.$ZodObject> = {
  405: z.object({ allow: z.string().check(z.meta({ description: 'The methods this path takes' })) }),
  503: z.object({ 'retry-after': z.string().check(z.meta({ description: 'Seconds to wait before retrying' })) }),
};

const errorResponse = (status: number, description: string) => ({
  description,
  ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
  content: { 'application/json': { schema: ErrorResponse } },
});

/** The refusals every route of its kind can give, so OPERATIONS only lists the route's own. */
const commonErrors = (route: Route, operation: Operation): Record<number, string> => {
  const errors: Record<number, string[]> = {};
  const add = (status: number, description: string) => (errors[status] ??= []).push(description);
  if (operation.body) {
    add(400, 'The body is not JSON');
    add(413, 'The body is over 64 KiB');
    add(415, 'The body is neither application/json nor application/x-www-form-urlencoded');
  }
  if (route.path.includes('{')) add(400, 'A path segment is not validly percent-encoded');
  if (!PUBLIC_ROUTE_KEYS.has(routeKeyOf(route))) {
    add(401, 'No valid API key');
    add(403, "Beyond the key's role (or, for apps, pipelines and keys, its app limit)");
  }
  if (route.path.includes('{')) add(404, 'No such resource, or one the key does not cover');
  add(405, 'The path does not take this method (Allow lists those it takes)');
  if (operation.body || operation.query || operation.headers) add(422, 'Invalid request');
  add(503, 'A dependency is briefly unavailable; retry after Retry-After seconds');
  return Object.fromEntries(Object.entries(errors).map(([status, descriptions]) => [status, descriptions.join('; ')]));
};

const LOCATION_HEADER = z.object({ location: z.string().check(z.meta({ description: 'Path of the resource' })) });

/** URL-safe and stable: `GET /apps/{app}/releases` is `getAppsAppReleases`. */
const operationIdOf = (route: Route): string =>
  route.method.toLowerCase() +
  route.path
    .split(/[/{}.-]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');

const TAG_DESCRIPTIONS: Record<FunctionName, string> = {
  apps: 'Apps: ECS services Slipway releases to, and external apps whose releases it records',
  builds: 'Builds: container images made by CI',
  releases: 'Releases: deployments and rollbacks, rolled out one at a time per app',
  'config-vars': "Config vars: an app's environment, each change released as a new release; a rollback makes its target's config the app's again",
  statuses: 'Status checks on releases',
  pipelines: 'Pipelines, their couplings, stages and promotions',
  keys: 'API keys (admin)',
  hooks: 'Webhooks and integrations: signed event deliveries and their log',
  openapi: 'This document',
  dashboard: 'The dashboard: a web page that is a client of this API',
};

const operationOf = (route: Route, operation: Operation): ZodOpenApiOperationObject => {
  const params = pathParametersOf(route.path);
  const { success, partial } = operation;
  const { 303: redirect, ...refusals } = { ...commonErrors(route, operation), ...operation.also };
  const successHeaders = success.location ? z.extend(LOCATION_HEADER, success.headers?._zod.def.shape ?? {}) : success.headers;
  return {
    operationId: operationIdOf(route),
    summary: operation.summary,
    description: `${operation.summary}. Served by the ${route.fn} function; refusals are JSON errors (see Error).`,
    tags: [route.fn],
    ...(PUBLIC_ROUTE_KEYS.has(routeKeyOf(route)) ? { security: [] } : {}),
    ...(OPTIONAL_KEY_ROUTE_KEYS.has(routeKeyOf(route)) ? { security: [{ bearer: [] }, { access_token: [] }, {}] } : {}),
    requestParams: {
      ...(params ? { path: params } : {}),
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.headers ? { header: operation.headers } : {}),
    },
    ...(operation.body
      ? {
          requestBody: {
            required: operation.bodyOptional !== true,
            content: {
              'application/json': { schema: operation.body },
              // Bracket keys nest (`source[app][name]=web`), `[]` keys repeat into arrays, true/false are booleans.
              'application/x-www-form-urlencoded': { schema: operation.body },
            },
          },
        }
      : {}),
    responses: {
      [success.status]: {
        description: success.description,
        ...(successHeaders ? { headers: successHeaders } : {}),
        ...(success.schema || success.otherMediaTypes
          ? {
              content: {
                ...(success.schema ? { 'application/json': { schema: success.schema } } : {}),
                ...Object.fromEntries(Object.entries(success.otherMediaTypes ?? {}).map(([type, schema]) => [type, { schema }])),
              },
            }
          : {}),
      },
      ...(partial && success.schema
        ? { 206: { description: partial.description, headers: partial.headers, content: { 'application/json': { schema: success.schema } } } }
        : {}),
      ...(redirect && success.schema
        ? { 303: { description: redirect, headers: LOCATION_HEADER, content: { 'application/json': { schema: success.schema } } } }
        : {}),
      ...Object.fromEntries(Object.entries(refusals).map(([status, description]) => [status, errorResponse(Number(status), description)])),
    },
  };
};

const pathsOf = (): ZodOpenApiPathsObject => {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of ROUTES) {
    const operation = OPERATIONS[routeKeyOf(route)];
    if (operation) paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(route, operation) };
  }
  return paths;
};

const buildOpenApiDocument = () =>
  createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Slipway',
      version: '1',
      description:
        'Release controller for ECS services: apps, builds, releases, status checks and pipelines. The API reference is docs/api.md in the repository.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      contact: { name: 'Slipway maintainers' },
    },
    // Relative, so the document is right wherever Slipway is served (API Gateway, npm start).
    servers: [{ url: '/', description: 'The Slipway that serves this document' }],
    tags: [
      ...FUNCTION_NAMES.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] })),
      { name: 'events', description: 'What Slipway publishes when something changes' },
    ],
    security: [{ bearer: [] }, { access_token: [] }],
    paths: pathsOf(),
    // Events are sent, not served: the document's `webhooks` describes what a receiver gets (a `webhook` hook: signed).
    webhooks: {
      slipwayEvent: {
        post: {
          operationId: 'receiveSlipwayEvent',
          summary: 'A Slipway event',
          description:
            'One event as EventBridge (its detail) and webhook hooks deliver it (or a HookPingEvent, sent by the ping route); dedupe by id (also webhook-id). A webhook hook signs it as Standard Webhooks (standardwebhooks.com) say: webhook-signature is `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">` keyed with the base64-decoded `whsec_` secret, so any Standard Webhooks library verifies it; answer 2xx, or the delivery is retried with backoff for up to 24 h. See docs/api.md.',
          tags: ['events'],
          security: [],
          requestParams: {
            header: z.object({
              'webhook-id': z.string().check(z.meta({ description: "The event's id: the same on every attempt, to dedupe by" })),
              'webhook-timestamp': z.string().check(z.meta({ description: 'When this attempt was signed, in Unix seconds; refuse one more than 5 minutes off' })),
              'webhook-signature': z.string().check(
                z.meta({ description: 'Space-separated `v1,<base64>` signatures: one per secret, two while a rotated secret still signs' }),
              ),
              'slipway-signature': z.optional(z.string()).check(z.meta({ description: 'Legacy hooks only (legacy_signature): t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> keyed with the secret text' })),
              'slipway-event': z.optional(z.string()).check(z.meta({ description: 'Legacy hooks only: the event type' })),
              'slipway-event-id': z.optional(z.string()).check(z.meta({ description: 'Legacy hooks only: the event id' })),
            }),
          },
          requestBody: { required: true, content: { 'application/json': { schema: z.union([SlipwayEvent, HookPingEvent]) } } },
          responses: { 200: { description: 'The receiver took the event (any 2xx)' } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys -- create`, as `Authorization: Bearer <key>`.' },
        access_token: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
    },
  },
    {
      // A user record's carried symbol key (userRecord in common.ts) renders as its override says.
      allowEmptySchema: { symbol: true },
      // An answer may gain fields: only a strict object (z.strictObject) is documented as closed to others.
      override: ({ jsonSchema, zodSchema, io }) => {
        const { def } = zodSchema._zod;
        if (io === 'output' && def.type === 'object' && def.catchall === undefined) delete jsonSchema.additionalProperties;
      },
    },
  );

/** The document as the openapi function serves it: compact JSON text. */
export const openApiDocumentText = (): string => JSON.stringify(buildOpenApiDocument());
