import type { Hook, HookEvent } from '../domain/hooks';
import { SIGNATURE_HEADER, STANDARD_HEADERS, signatureHeader, standardHeaders, type SigningSecret } from '../domain/webhook-signature';

/** One HTTP request a delivery makes; an integration may need more than one (Sentry: release, then deploy). */
export type OutboundRequest = { method: 'POST'; url: string; headers: Record<string, string>; body: string };

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': 'Slipway-Hookshot/1' };

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** "web v12 release.succeeded: Deploy 1a2b3c4" — what a person reads in Slack or on a Grafana panel. */
export const headline = (event: HookEvent): string => {
  const version = text(event.data.version);
  const subject = [event.app?.name ?? 'slipway', version ? `v${version}` : ''].filter(Boolean).join(' ');
  const description = text(event.data.description);
  return `${subject} ${event.type}${description ? `: ${description}` : ''}`;
};

/** Sentry and Bugsnag know releases by a version string; Slipway's is the app's release number. */
const releaseVersion = (event: HookEvent): string => `${event.app?.name ?? 'slipway'}@v${text(event.data.version)}`;

const joinPath = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

const post = (url: string, body: unknown, headers: Record<string, string> = {}): OutboundRequest => ({
  method: 'POST',
  url,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/**
 * A hook's secrets, opened: the current one (a webhook's signing secret, or the vendor's token) and, while a
 * rotation's window lasts, the previous signing secret.
 */
export type OpenSecrets = { current: SigningSecret | null; previous: SigningSecret | null };

type Shaper = (hook: Hook, secret: string | null, event: HookEvent, nowSeconds: number, secrets: OpenSecrets) => OutboundRequest[];

const bearer = (secret: string | null): Record<string, string> => (secret ? { authorization: `Bearer ${secret}` } : {});

/**
 * Vendor request shapes, from each vendor's public API documentation:
 * - generic: the envelope, signed as Standard Webhooks say (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
 *   and for a hook made before that, also with the legacy `Slipway-Signature`;
 * - Grafana: `POST /api/annotations` `{time (ms), text, tags}`, service account token as Bearer; `url` is Grafana's root;
 * - Sentry: `POST /api/0/organizations/{org}/releases/` `{version, projects}` then
 *   `.../releases/{version}/deploys/` `{environment, name, dateFinished}`, auth token as Bearer; `url` is the organization's API root;
 * - Slack: the incoming webhook URL itself, `{text, blocks}`; the URL is the credential;
 * - New Relic: NerdGraph `POST /graphql`, `API-Key` header, `changeTrackingCreateDeployment(deployment: {entityGuid, version, ...})`;
 * - Bugsnag: Build API `POST /` `{apiKey, appVersion, releaseStage, builderName, sourceControl}`; the key travels in the body.
 */
const SHAPERS: Record<Hook['kind'], Shaper> = {
  webhook: (hook, _token, event, nowSeconds, secrets) => {
    const body = JSON.stringify(event);
    const keys = [secrets.current, secrets.previous].flatMap((secret) => (secret ? [secret.key] : []));
    const legacy: Record<string, string> = hook.legacy_signature
      ? {
          'slipway-event': event.type,
          'slipway-event-id': event.id,
          ...(secrets.current ? { [SIGNATURE_HEADER]: signatureHeader(secrets.current.text, nowSeconds, body) } : {}),
        }
      : {};
    const signed =
      keys.length > 0 ? standardHeaders(keys, event.id, nowSeconds, body) : { [STANDARD_HEADERS.id]: event.id, [STANDARD_HEADERS.timestamp]: String(nowSeconds) };
    return [{ method: 'POST', url: hook.url, headers: { ...JSON_HEADERS, ...signed, ...legacy }, body }];
  },
  grafana: (hook, secret, event) => [
    post(
      joinPath(hook.url, 'api/annotations'),
      {
        time: Date.parse(event.time),
        text: headline(event),
        tags: ['slipway', event.type, ...(event.app ? [`app:${event.app.name}`] : []), ...(hook.options.tags?.split(',') ?? [])],
        ...(hook.options.dashboard_uid ? { dashboardUID: hook.options.dashboard_uid } : {}),
      },
      bearer(secret),
    ),
  ],
  sentry: (hook, secret, event) => {
    const version = releaseVersion(event);
    const releases = joinPath(hook.url, 'releases/');
    return [
      post(releases, { version, projects: [hook.options.project], dateReleased: event.time }, bearer(secret)),
      post(
        joinPath(releases, `${encodeURIComponent(version)}/deploys/`),
        { environment: hook.options.environment ?? 'production', name: event.type, dateFinished: event.time },
        bearer(secret),
      ),
    ];
  },
  slack: (hook, _secret, event) => {
    const title = headline(event);
    return [
      post(hook.url, {
        text: title,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `${event.time}${event.actor ? ` · ${event.actor.email}` : ''}` }],
          },
        ],
      }),
    ];
  },
  newrelic: (hook, secret, event) => [
    post(
      joinPath(hook.url, 'graphql'),
      {
        query:
          'mutation Deploy($deployment: ChangeTrackingDeploymentInput!) { changeTrackingCreateDeployment(deployment: $deployment) { deploymentId } }',
        variables: {
          deployment: {
            entityGuid: hook.options.entity_guid,
            version: releaseVersion(event),
            description: headline(event),
            user: event.actor?.email ?? 'slipway',
            timestamp: Date.parse(event.time),
            deploymentType: 'BASIC',
          },
        },
      },
      secret ? { 'api-key': secret } : {},
    ),
  ],
  bugsnag: (hook, secret, event) => [
    post(hook.url, {
      apiKey: secret ?? '',
      appVersion: releaseVersion(event),
      releaseStage: hook.options.release_stage ?? 'production',
      builderName: event.actor?.email ?? 'slipway',
      metadata: { event: event.type, event_id: event.id },
    }),
  ],
};

/** The requests that deliver `event` to `hook`, in order, with its secrets opened. */
export const requestsFor = (hook: Hook, secrets: OpenSecrets, event: HookEvent, nowSeconds: number): OutboundRequest[] =>
  SHAPERS[hook.kind](hook, secrets.current?.text ?? null, event, nowSeconds, secrets);
