import { randomUUID } from 'node:crypto';
import { DomainError, notFound } from '../domain/errors';
import {
  REQUIRED_OPTIONS,
  assertLegacySignatureFits,
  assertSecretFollowsUrl,
  assertSigningSecret,
  type Delivery,
  type Hook,
  type HookPatch,
  type NewHook,
} from '../domain/hooks';
import { newStandardSecret } from '../domain/webhook-signature';
import type { App } from '../domain/model';
import { urlRefusal } from '../domain/outbound-target';
import { hookWorker } from '../hooks/runtime';
import { attemptDelivery, openRotationEnd } from '../hooks/worker';
import { deleteHook, findDelivery, findHook, listDeliveries, listHooks, putHook, type SealedSecret, type StoredHook } from '../store/hooks-store';

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
    events: request.events,
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
  const { secret, ...changes } = patch;
  const hook: Hook = { ...existing.hook, ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)), updated_at: new Date().toISOString() };
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

export const getDeliveries = async (app: App, hookId: string): Promise<Delivery[]> => {
  await requireHook(app, hookId);
  return listDeliveries(hookId);
};

/** One more attempt now, whatever the delivery's outcome; a success ends its retries. */
export const redeliver = async (app: App, hookId: string, deliveryId: string): Promise<Delivery> => {
  await requireHook(app, hookId);
  if (!(await findDelivery(hookId, deliveryId))) throw notFound('hook_delivery', deliveryId);
  const delivery = await attemptDelivery(hookWorker(), { app_id: app.id, hook_id: hookId, event_id: deliveryId }, true);
  if (!delivery) throw notFound('hook_delivery', deliveryId);
  return delivery;
};
