import { randomUUID } from 'node:crypto';
import { DomainError, notFound, unprocessable } from '../domain/errors';
import {
  REQUIRED_OPTIONS,
  assertLegacySignatureFits,
  assertSecretFollowsUrl,
  assertSigningSecret,
  pingEvent,
  subscribedEvents,
  type Delivery,
  type DeliveryCursor,
  type DeliveryPage,
  type Hook,
  type HookPatch,
  type NewHook,
} from '../domain/hooks';
import { newStandardSecret } from '../domain/webhook-signature';
import type { Actor, App } from '../domain/model';
import { urlRefusal } from '../domain/outbound-target';
import { hookWorker } from '../hooks/runtime';
import { attemptDelivery, openRotationEnd, recordDelivery } from '../hooks/worker';
import { deleteHook, findDelivery, findHook, listDeliveryPage, listHooks, putHook, type SealedSecret, type StoredHook } from '../store/hooks-store';

/** Vendors that cannot be called without their token. */
const NEEDS_SECRET: ReadonlySet<Hook['kind']> = new Set(['grafana', 'sentry', 'newrelic', 'bugsnag']);

const refuseInvalid = (hook: Pick<Hook, 'kind' | 'url' | 'options'>, hasSecret: boolean): void => {
  const urlProblem = urlRefusal(hookWorker().policy, hook.url);
  if (urlProblem) throw new DomainError('unprocessable', 'hook_url_refused', `The hook URL ${urlProblem}.`, { url: hook.url });
  const missing = REQUIRED_OPTIONS[hook.kind].filter((option) => !hook.options[option]);
  if (missing.length > 0) {
    throw new DomainError('unprocessable', 'hook_options_missing', `A ${hook.kind} hook needs options ${missing.join(', ')}.`, { missing });
  }
  if (NEEDS_SECRET.has(hook.kind) && !hasSecret) {
    throw new DomainError('unprocessable', 'hook_secret_missing', `A ${hook.kind} hook needs the vendor's token as its secret.`, {});
  }
};

/** A webhook's signing secret is a Standard Webhooks secret; a vendor's token is stored as its text. */
const seal = async (kind: Hook['kind'], secret: string): Promise<SealedSecret> => ({
  sealed: await hookWorker().secrets.seal(secret),
  encoding: kind === 'webhook' ? 'standard' : 'text',
});

/** The secret is returned here only; a webhook without one gets a generated signing secret. */
export const createHook = async (app: App, request: NewHook): Promise<{ stored: StoredHook; secret: string | null }> => {
  assertSigningSecret(request.kind, request.secret);
  const secret = request.secret ?? (request.kind === 'webhook' ? newStandardSecret() : null);
  const now = new Date().toISOString();
  const hook: Hook = {
    id: randomUUID(),
    app_id: app.id,
    kind: request.kind,
    url: request.url,
    events: subscribedEvents(request.kind, request.events),
    active: request.active,
    options: request.options,
    legacy_signature: false,
    created_at: now,
    updated_at: now,
  };
  refuseInvalid(hook, secret !== null);
  const stored: StoredHook = { hook, secret: secret === null ? null : await seal(hook.kind, secret), previous: null };
  await putHook(stored);
  return { stored, secret };
};

export type { StoredHook };

export { openRotationEnd };

export const getHooks = (app: App): Promise<StoredHook[]> => listHooks(app.id);

export const requireHook = async (app: App, hookId: string): Promise<StoredHook> => {
  const stored = await findHook(app.id, hookId);
  if (!stored) throw notFound('hook', hookId);
  return stored;
};

export const updateHook = async (app: App, hookId: string, patch: HookPatch): Promise<StoredHook> => {
  const existing = await requireHook(app, hookId);
  const { secret, events, ...changes } = patch;
  const hook: Hook = {
    ...existing.hook,
    ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
    ...(events === undefined ? {} : { events: subscribedEvents(existing.hook.kind, events) }),
    updated_at: new Date().toISOString(),
  };
  refuseInvalid(hook, secret !== undefined || existing.secret !== null);
  assertSecretFollowsUrl(existing.hook, existing.secret !== null, patch);
  assertSigningSecret(hook.kind, secret);
  assertLegacySignatureFits(hook.kind, hook.legacy_signature);
  // A secret set by hand replaces the current one at once, and ends a rotation's window: it is what a leak calls for.
  const stored: StoredHook =
    secret === undefined ? { ...existing, hook } : { hook, secret: await seal(hook.kind, secret), previous: null };
  await putHook(stored);
  return stored;
};

export const removeHook = async (app: App, hookId: string): Promise<StoredHook> => {
  const existing = await requireHook(app, hookId);
  await deleteHook(app.id, hookId);
  return existing;
};

/** A page of the hook's delivery log, newest first. */
export const getDeliveries = async (app: App, hookId: string, page: { limit: number; after: DeliveryCursor | null }): Promise<DeliveryPage> => {
  await requireHook(app, hookId);
  return listDeliveryPage(hookId, page.limit, page.after);
};

/** One more attempt now, whatever the delivery's outcome; a success ends its retries. */
export const redeliver = async (app: App, hookId: string, deliveryId: string): Promise<Delivery> => {
  await requireHook(app, hookId);
  if (!(await findDelivery(hookId, deliveryId))) throw notFound('hook_delivery', deliveryId);
  const delivery = await attemptDelivery(hookWorker(), { app_id: app.id, hook_id: hookId, event_id: deliveryId }, 'redelivery');
  if (!delivery) throw notFound('hook_delivery', deliveryId);
  return delivery;
};

/**
 * A new signing secret for a webhook, given or made, shown this once; the one it replaces keeps signing
 * beside it (a second `v1` signature) for `previousValidSeconds`, so its receiver can switch without a
 * delivery failing. A rotation within that window drops the older one: only one previous secret signs.
 */
export const rotateHookSecret = async (
  app: App,
  hookId: string,
  request: { secret: string | undefined; previousValidSeconds: number },
): Promise<{ stored: StoredHook; secret: string }> => {
  const existing = await requireHook(app, hookId);
  if (existing.hook.kind !== 'webhook') {
    throw unprocessable(
      'hook_secret_not_rotatable',
      `A ${existing.hook.kind} hook's secret is the vendor's token: set the new one with PATCH (the vendor decides how long the old one lasts).`,
      { kind: existing.hook.kind },
    );
  }
  assertSigningSecret('webhook', request.secret);
  const secret = request.secret ?? newStandardSecret();
  const now = new Date();
  const previous =
    existing.secret && request.previousValidSeconds > 0
      ? { ...existing.secret, expires_at: new Date(now.getTime() + request.previousValidSeconds * 1000).toISOString() }
      : null;
  const stored: StoredHook = { hook: { ...existing.hook, updated_at: now.toISOString() }, secret: await seal('webhook', secret), previous };
  await putHook(stored);
  return { stored, secret };
};

/** Kinds with a place for a test message: a webhook's receiver (the `ping` event) and a Slack channel. */
const PINGABLE: ReadonlySet<Hook['kind']> = new Set(['webhook', 'slack']);

/**
 * Sends a `ping` event to the hook now, once (never retried by itself), and logs it as a delivery like any
 * other, so it can be redelivered; answers that delivery, with the receiver's status.
 */
export const pingHook = async (app: App, hookId: string, actor: Actor): Promise<Delivery> => {
  const { hook } = await requireHook(app, hookId);
  if (!PINGABLE.has(hook.kind)) {
    throw unprocessable(
      'hook_ping_unsupported',
      `A ${hook.kind} hook has no place for a test message (its vendor would record a deploy): ping webhook and slack hooks only.`,
      { kind: hook.kind, pingable: [...PINGABLE] },
    );
  }
  const event = pingEvent(app, hook, actor, new Date());
  const ref = { app_id: app.id, hook_id: hook.id, event_id: event.id };
  await recordDelivery(hookWorker(), hook, event);
  const delivery = await attemptDelivery(hookWorker(), ref, 'ping');
  if (!delivery) throw notFound('hook', hookId);
  return delivery;
};
