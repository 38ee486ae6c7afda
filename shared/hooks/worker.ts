import {
  hookWants,
  isDelivered,
  nextAttemptAt,
  withAttempt,
  type AttemptReason,
  type Delivery,
  type DeliveryAttempt,
  type Hook,
  type HookEvent,
  type RetryPolicy,
} from '../domain/hooks';
import type { TargetPolicy } from '../domain/outbound-target';
import { METRIC_NAMES, recordMetric } from '../observability/metrics';
import { signingSecretOf } from '../domain/webhook-signature';
import { findBuild } from '../store/builds-store';
import { findDelivery, findHook, insertDelivery, listHooks, saveDelivery, type SealedSecret, type StoredHook } from '../store/hooks-store';
import { NEEDS_REPOSITORY, requestsFor, type DeliveryContext, type OpenSecrets } from './integrations';
import type { SecretBox } from './secret-box';
import { send, type SendResult } from './send';

/**
 * What the delivery worker runs with. `schedule` hands a failed delivery back for a later attempt: locally
 * a timer in this process, in AWS the queue (a message delayed by at most 15 minutes, re-enqueued until due).
 */
export type HookWorker = {
  policy: TargetPolicy;
  retry: RetryPolicy;
  secrets: SecretBox;
  schedule: (delivery: Pick<Delivery, 'hook_id' | 'event_id' | 'event'>, at: Date) => Promise<unknown> | void;
  now?: () => Date;
  random?: () => number;
};

/** The reference a queue message or timer carries; the delivery itself is re-read from the store. */
export type DeliveryRef = Pick<Delivery, 'hook_id' | 'event_id'> & { app_id: string };

/**
 * Records the delivery of `event` to `hook`, and says whether to attempt it now: when it is new, or was never
 * attempted (the event handed over again, at least once, after the process that recorded it died).
 */
export const recordDelivery = async (worker: HookWorker, hook: Hook, event: HookEvent): Promise<boolean> => {
  const now = (worker.now ?? (() => new Date()))().toISOString();
  const delivery: Delivery = {
    id: event.id,
    hook_id: hook.id,
    event_id: event.id,
    event_type: event.type,
    event,
    attempts: 0,
    outcome: 'pending',
    log: [],
    next_attempt_at: now,
    created_at: now,
  };
  return (await insertDelivery(delivery)) || (await findDelivery(hook.id, event.id))?.outcome === 'pending';
};

/**
 * Records one delivery for every active hook of the event's app that subscribes to its type, and returns
 * those to attempt now.
 */
export const recordDeliveries = async (worker: HookWorker, event: HookEvent): Promise<DeliveryRef[]> => {
  const app = event.app;
  if (!app) return [];
  const hooks = (await listHooks(app.id)).filter(({ hook }) => hookWants(hook, event.type));
  const refs = await Promise.all(
    hooks.map(async ({ hook }) => ((await recordDelivery(worker, hook, event)) ? { hook_id: hook.id, event_id: event.id, app_id: app.id } : null)),
  );
  return refs.filter((ref): ref is DeliveryRef => ref !== null);
};

/** Records the event's deliveries and attempts each once now; failures are scheduled by the attempt. */
export const handleEvent = async (worker: HookWorker, event: HookEvent): Promise<void> => {
  const refs = await recordDeliveries(worker, event);
  await Promise.all(refs.map((ref) => attemptDelivery(worker, ref)));
};

const sendAll = async (worker: HookWorker, requests: ReturnType<typeof requestsFor>): Promise<SendResult> => {
  let last: SendResult = { statusCode: null, error: 'nothing to send', durationMs: 0, excerpt: '' };
  let durationMs = 0;
  for (const request of requests) {
    last = await send(worker.policy, request);
    durationMs += last.durationMs;
    if (!isDelivered(last.statusCode)) break;
  }
  return { ...last, durationMs };
};

/**
 * The repository of a release's build, for the integrations that link to source control (one read, only
 * for them, only when the hook names none itself).
 */
const contextOf = async (hook: Hook, event: HookEvent): Promise<DeliveryContext> => {
  const slug = event.data.slug as { id?: unknown } | undefined;
  if (!NEEDS_REPOSITORY.has(hook.kind) || hook.options.repository || !event.app || typeof slug?.id !== 'string') return { repository: null };
  const build = await findBuild(event.app.id, slug.id);
  return { repository: build?.source_blob.repo ?? null };
};

/** When the previous secret of a rotation stops signing, or null when no rotation's window is open at `now`. */
export const openRotationEnd = (stored: StoredHook, now: Date): string | null =>
  stored.previous !== null && Date.parse(stored.previous.expires_at) > now.getTime() ? stored.previous.expires_at : null;

/** The hook's secret, and its previous one while the rotation's window lasts. */
const openSecrets = async (worker: HookWorker, stored: StoredHook, now: Date): Promise<OpenSecrets> => {
  const open = async (secret: SealedSecret | null) => (secret ? signingSecretOf(await worker.secrets.open(secret.sealed), secret.encoding) : null);
  const [current, previous] = await Promise.all([open(stored.secret), open(openRotationEnd(stored, now) ? stored.previous : null)]);
  return { current, previous };
};

/**
 * One attempt of a delivery: sent, logged, and either done, scheduled again (exponential backoff with
 * jitter) or, past the retry window, given up. A delivery already delivered or given up is left alone,
 * so a duplicate timer or queue message does nothing; a redelivery or a ping attempts it regardless.
 */
export const attemptDelivery = async (worker: HookWorker, ref: DeliveryRef, reason: AttemptReason = 'scheduled'): Promise<Delivery | undefined> => {
  const [delivery, stored] = await Promise.all([findDelivery(ref.hook_id, ref.event_id), findHook(ref.app_id, ref.hook_id)]);
  if (!delivery || !stored) return delivery;
  if (reason === 'scheduled' && (delivery.outcome === 'delivered' || delivery.outcome === 'gave_up')) return delivery;
  const now = (worker.now ?? (() => new Date()))();
  const [secrets, context] = await Promise.all([openSecrets(worker, stored, now), contextOf(stored.hook, delivery.event)]);
  const result = await sendAll(worker, requestsFor(stored.hook, secrets, delivery.event, Math.floor(now.getTime() / 1000), context));
  const appName = delivery.event.app?.name ?? null;
  recordMetric(METRIC_NAMES.hookDeliveries, appName);
  recordMetric(METRIC_NAMES.hookDeliveryLatency, appName, Math.round(result.durationMs), 'Milliseconds');
  if (!isDelivered(result.statusCode)) recordMetric(METRIC_NAMES.hookDeliveryFailures, appName);
  const attempts = delivery.attempts + 1;
  const attempt: DeliveryAttempt = {
    at: now.toISOString(),
    status_code: result.statusCode,
    error: result.error,
    duration_ms: Math.round(result.durationMs),
    response_excerpt: result.excerpt,
    reason,
  };
  const next =
    isDelivered(result.statusCode) || reason === 'ping'
      ? null
      : nextAttemptAt(worker.retry, new Date(delivery.created_at), attempts, now, (worker.random ?? Math.random)());
  const updated: Delivery = {
    ...delivery,
    attempts,
    log: withAttempt(delivery.log, attempt),
    outcome: isDelivered(result.statusCode) ? 'delivered' : next ? 'retrying' : 'gave_up',
    next_attempt_at: next?.toISOString() ?? null,
  };
  // Scheduled before it is saved: if the retry cannot be handed on (the queue refused it), the delivery stays
  // as it was, so the message that brought it is failed, handed back by SQS and attempted again.
  if (next) await worker.schedule(updated, next);
  await saveDelivery(updated);
  return updated;
};
