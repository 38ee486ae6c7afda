/**
 * Webhooks: what a hook is, which events it receives, and when a failed delivery is tried again.
 * Pure rules; sending, signing and storing live in shared/hooks and shared/store.
 */
import { randomUUID } from 'node:crypto';
import { ATTEMPT_LOG_LIMITS, type AttemptReason, type DeliveryOutcome, type HookKind } from './hook-vocabulary';
import { unprocessable } from './errors';
import { EVENT_SPEC_VERSION, EVENT_TYPES, type EventType } from './events';
import { SECRET_KEY_BYTES, SECRET_PREFIX, isStandardSecret } from './webhook-signature';

export * from './hook-vocabulary';

/**
 * The event envelope as a delivery keeps it: the shape of shared/api/events.ts's SlipwayEvent, loosened
 * to what any event type satisfies, so the domain needs no API schema.
 */
export type HookEvent = {
  id: string;
  specversion: number;
  type: string;
  time: string;
  app: { id: string; name: string } | null;
  actor: { id: string; email: string } | null;
  data: Record<string, unknown>;
};

/**
 * How a hook shapes the event: `webhook` posts the envelope itself, signed; the others speak a vendor's API
 * (shared/hooks/integrations.ts) and authenticate with the hook's secret as that vendor expects.
 */

export type Hook = {
  id: string;
  app_id: string;
  kind: HookKind;
  url: string;
  /** Event types, or `['*']` for all. */
  events: string[];
  active: boolean;
  /** Kind-specific settings, e.g. Sentry's project or New Relic's entity GUID. */
  options: Record<string, string>;
  /**
   * A `webhook` made before Slipway signed with Standard Webhooks: its deliveries also carry the legacy
   * `Slipway-Signature`, `Slipway-Event` and `Slipway-Event-Id` headers, until its owner turns them off.
   */
  legacy_signature: boolean;
  created_at: string;
  updated_at: string;
};

export const ALL_EVENTS = '*';

/** What a key that may not manage hooks is shown in place of the part of a URL it must not see. */
const REDACTED_URL_PART = '/…';

/**
 * A hook's URL as a key that may not manage hooks sees it: its origin (scheme, host and port), then
 * `/…` when the URL had more. A Slack incoming-webhook URL is itself the credential, and any other URL
 * may carry a token in its path or query (a receiver's `?token=`, a chat webhook's path), so no kind's
 * URL is shown whole to a key that could not have set it. The host still tells where events go.
 */
export const redactedHookUrl = (url: string): string => {
  const parsed = URL.parse(url);
  if (!parsed) return REDACTED_URL_PART;
  const hidesMore = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '';
  return `${parsed.origin}${hidesMore ? REDACTED_URL_PART : ''}`;
};

/** How long a rotated-out signing secret still signs unless the rotation says otherwise (a day), and at most (a week). */
export const DEFAULT_PREVIOUS_SECRET_SECONDS = 86_400;
export const MAX_PREVIOUS_SECRET_SECONDS = 7 * 86_400;

/** The event a ping sends: not one of Slipway's changes, so no hook subscribes to it; it names the hook pinged. */
export const PING_EVENT_TYPE = 'ping';

export const pingEvent = (app: { id: string; name: string }, hook: Pick<Hook, 'id' | 'kind' | 'events'>, actor: { id: string; email: string }, at: Date): HookEvent => ({
  id: randomUUID(),
  specversion: EVENT_SPEC_VERSION,
  type: PING_EVENT_TYPE,
  time: at.toISOString(),
  app: { id: app.id, name: app.name },
  actor,
  data: { hook: { id: hook.id, kind: hook.kind, events: hook.events } },
});

/**
 * The events each kind takes: a webhook any; an integration only those its vendor has a place for. A deploy
 * (Sentry's deploy, New Relic's deployment, Bugsnag's build) is a release that succeeded, a rollback's too;
 * a failure goes only where a team looks for it as such (a Slack channel, a Grafana annotation).
 */
export const KIND_EVENTS: Record<HookKind, readonly EventType[]> = {
  webhook: EVENT_TYPES,
  // A gate waiting for approval goes where a person can answer it.
  slack: ['release.succeeded', 'release.failed', 'release.unknown', 'release.rollback', 'release.awaiting_approval', 'promotion.finished'],
  grafana: ['release.succeeded', 'release.failed', 'release.unknown'],
  sentry: ['release.succeeded'],
  newrelic: ['release.succeeded'],
  bugsnag: ['release.succeeded'],
};

const kindTakes = (kind: HookKind, eventType: string): boolean => (KIND_EVENTS[kind] as readonly string[]).includes(eventType);

/**
 * The events a hook of `kind` is subscribed to, from what was asked: none or `*` is every event its kind takes
 * (a webhook keeps `*`, so it gets event types added later too); a list naming an event its kind does not
 * take is refused (422, naming them).
 */
export const subscribedEvents = (kind: HookKind, asked: readonly string[] | undefined): string[] => {
  if (asked === undefined || asked.includes(ALL_EVENTS)) return kind === 'webhook' ? [ALL_EVENTS] : [...KIND_EVENTS[kind]];
  const refused = asked.filter((type) => !kindTakes(kind, type));
  if (refused.length > 0) {
    throw unprocessable(
      'hook_events_not_for_kind',
      `A ${kind} hook takes only ${KIND_EVENTS[kind].join(', ')}; not ${refused.join(', ')}.`,
      { field: 'events', events: refused, accepted: KIND_EVENTS[kind] },
    );
  }
  return [...asked];
};

/** Whether an active hook gets an event: it subscribes to it, and its kind takes it (hooks stored before these rules may list more). */
export const hookWants = (hook: Pick<Hook, 'events' | 'active' | 'kind'>, eventType: string): boolean =>
  hook.active && kindTakes(hook.kind, eventType) && (hook.events.includes(ALL_EVENTS) || hook.events.includes(eventType));

/** Settings each integration needs in `options`; refused at create/update when missing. */
export const REQUIRED_OPTIONS: Record<HookKind, readonly string[]> = {
  webhook: [],
  grafana: [],
  sentry: ['project'],
  slack: [],
  newrelic: ['entity_guid'],
  bugsnag: [],
};


export type DeliveryAttempt = {
  at: string;
  /** The receiver's status; null when no answer came. */
  status_code: number | null;
  /** What went wrong without an answer (refused, unresolvable, no answer in time, connection reset), else null. */
  error: string | null;
  duration_ms: number;
  /** The first bytes of the response body ('' without one). */
  response_excerpt: string;
  reason: AttemptReason;
};


/** `text` cut to at most `bytes` bytes of UTF-8, never within a character. */
export const truncatedUtf8 = (text: string, bytes: number): string => {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && ((encoded[end] ?? 0) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
};

/** The log with `attempt` added as its newest, bounded (see ATTEMPT_LOG_LIMITS). */
export const withAttempt = (log: readonly DeliveryAttempt[], attempt: DeliveryAttempt): DeliveryAttempt[] => [
  ...log.slice(-(ATTEMPT_LOG_LIMITS.attempts - 1)),
  {
    ...attempt,
    error: attempt.error === null ? null : truncatedUtf8(attempt.error, ATTEMPT_LOG_LIMITS.textBytes),
    response_excerpt: truncatedUtf8(attempt.response_excerpt, ATTEMPT_LOG_LIMITS.textBytes),
  },
];

export type Delivery = {
  id: string;
  hook_id: string;
  event_id: string;
  event_type: string;
  /** The event itself, kept so a retry or a redelivery sends the same body. */
  event: HookEvent;
  /** Every attempt ever made, redeliveries and pings included; `log` keeps the newest of them. */
  attempts: number;
  outcome: DeliveryOutcome;
  /** The newest attempts, oldest first (see ATTEMPT_LOG_LIMITS). */
  log: DeliveryAttempt[];
  next_attempt_at: string | null;
  created_at: string;
};

/** Where a page of a hook's delivery log ends: the last delivery it showed (the next page starts after it). */
export type DeliveryCursor = { created_at: string; id: string };
export type DeliveryPage = { deliveries: Delivery[]; next: DeliveryCursor | null };
export const DEFAULT_DELIVERY_PAGE = 50;

export type RetryPolicy = {
  /** Delay before the second attempt; each later one doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this long since the first attempt, a failed delivery is given up. */
  giveUpAfterMs: number;
};

/** Doubling from 10 s to at most an hour, for 24 h: about 30 attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 3_600_000, giveUpAfterMs: 86_400_000 };

/**
 * When to try again after `attempts` failed attempts, or null to give up. "Full jitter" (a uniform delay up
 * to the exponential bound) spreads the retries of many hooks failing at once; `random` is in [0, 1).
 */
export const nextAttemptAt = (
  policy: RetryPolicy,
  firstAttemptAt: Date,
  attempts: number,
  now: Date,
  random: number,
): Date | null => {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  // Half fixed, half jitter: never retry immediately, still spread.
  const delay = bound / 2 + (bound / 2) * random;
  const at = new Date(now.getTime() + delay);
  return at.getTime() - firstAttemptAt.getTime() > policy.giveUpAfterMs ? null : at;
};

/** 2xx is delivered; anything else (and no answer at all) is tried again. */
export const isDelivered = (statusCode: number | null): boolean => statusCode !== null && statusCode >= 200 && statusCode < 300;

/** A hook as asked for: `secret` is the HMAC key (webhook) or the vendor's token; absent on a webhook, one is made. */
export type NewHook = {
  kind: HookKind;
  url: string;
  /** Absent: every event the kind takes. */
  events: string[] | undefined;
  active: boolean;
  secret: string | undefined;
  options: Record<string, string>;
};
export type HookPatch = Partial<NewHook> & { legacy_signature?: boolean | undefined };

/**
 * A webhook's secret signs with Standard Webhooks, so it must be one a Standard Webhooks library takes as it
 * is; a vendor token is whatever the vendor issued. Refused (422, naming the field) otherwise.
 */
export const assertSigningSecret = (kind: HookKind, secret: string | undefined): void => {
  if (kind !== 'webhook' || secret === undefined || isStandardSecret(secret)) return;
  throw unprocessable(
    'hook_secret_invalid',
    `A webhook's secret is a Standard Webhooks secret: "${SECRET_PREFIX}" then the base64 of ${SECRET_KEY_BYTES.min} to ${SECRET_KEY_BYTES.max} random bytes (e.g. "${SECRET_PREFIX}" + \`openssl rand -base64 32\`). Leave "secret" out and Slipway makes one.`,
    { field: 'secret' },
  );
};

/** Only a webhook has a legacy signature to send. */
export const assertLegacySignatureFits = (kind: HookKind, legacySignature: boolean): void => {
  if (kind === 'webhook' || !legacySignature) return;
  throw unprocessable('hook_legacy_signature_not_webhook', `A ${kind} hook sends no signature: "legacy_signature" is for webhook hooks only.`, {
    field: 'legacy_signature',
  });
};

/**
 * A hook's secret goes wherever its URL points: a vendor token as a header or in the body, a webhook's
 * signing secret as the HMAC of every delivery. So a patch that moves the URL must carry the secret again,
 * or the new host would get credentials someone else entered (an operator pointing an admin's Grafana hook
 * at a host of theirs would be sent the admin's Bearer token). The signing secret counts too: it never
 * leaves Slipway, but the receiver at the new URL can check signatures only with a secret its owner knows,
 * which is seldom the one shown once to whoever made the hook. Dropping the secret instead would silently
 * break every integration that needs it. A hook without a secret (Slack: the URL is the credential) and
 * the URL it already has need nothing more.
 */
export const assertSecretFollowsUrl = (hook: Pick<Hook, 'kind' | 'url'>, hasSecret: boolean, patch: HookPatch): void => {
  if (!hasSecret || patch.url === undefined || patch.url === hook.url || patch.secret !== undefined) return;
  const secret = hook.kind === 'webhook' ? 'signing secret' : 'vendor token';
  throw unprocessable(
    'hook_secret_required',
    `Changing the url of this ${hook.kind} hook needs its ${secret} again: send "secret" along with the new "url" (the ${secret} is never sent to a URL it was not entered for).`,
    { field: 'secret' },
  );
};
