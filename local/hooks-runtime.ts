import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../shared/domain/hooks';
import { LOCAL_TARGET_POLICY } from '../shared/domain/outbound-target';
import { subscribe } from '../shared/events/bus';
import { useHookWorker } from '../shared/hooks/runtime';
import { localSecretBox } from '../shared/hooks/secret-box';
import { listUnfinishedDeliveries } from '../shared/store/hooks-store';
import { attemptDelivery, recordDeliveries, type DeliveryRef, type HookWorker } from '../shared/hooks/worker';
import { logger } from '../shared/observability/logger';
import { apartFromInvocation } from '../shared/runtime/deadline';

export type LocalHooksOptions = { retry?: Partial<RetryPolicy> };

/** The stand-in for KMS: a key file beside the data, named for what it is. */
const LOCAL_HOOK_KEY_FILE = 'local-hook-secrets.key';

const localKey = async (dataDir: string | undefined): Promise<Buffer> => {
  if (!dataDir) return randomBytes(32);
  const path = join(dataDir, LOCAL_HOOK_KEY_FILE);
  try {
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    await writeFile(path, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    return key;
  }
};

/**
 * The delivery worker in this process, fed by the in-process bus. Deliveries are recorded before the bus
 * hands the event on (so the outbox is cleared only once they are durable) and attempted after, so a slow
 * receiver never holds up the request that made the change. Retries wait on timers here (in AWS, on the
 * queue); what a previous process left unfinished is resumed at start. Returns the stop.
 */
export const startLocalHooks = async (dataDir: string | undefined, options: LocalHooksOptions = {}): Promise<() => Promise<void>> => {
  const timers = new Set<NodeJS.Timeout>();
  // Once stopped, an attempt still in flight schedules no retry: its timer would outlive the stop.
  let stopped = false;
  const worker: HookWorker = {
    policy: LOCAL_TARGET_POLICY,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    secrets: localSecretBox(await localKey(dataDir)),
    schedule: (delivery, at) => {
      const appId = delivery.event.app?.id;
      if (!appId) return;
      later({ app_id: appId, hook_id: delivery.hook_id, event_id: delivery.event_id }, at);
    },
  };
  // A retry's timer is set before the attempt that scheduled it is saved (see attemptDelivery): a short wait
  // could fire first and read the delivery without that attempt. Attempts of one delivery run one after another.
  const inFlight = new Map<string, Promise<unknown>>();
  const attempt = (ref: DeliveryRef) => {
    const key = `${ref.hook_id}/${ref.event_id}`;
    const run = (inFlight.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => attemptDelivery(worker, ref))
      .catch((error: unknown) => logger.warn('hook delivery attempt failed', { hookId: ref.hook_id, eventId: ref.event_id, error }))
      .finally(() => {
        if (inFlight.get(key) === run) inFlight.delete(key);
      });
    inFlight.set(key, run);
  };
  const later = (ref: DeliveryRef, at: Date) => {
    if (stopped) return;
    // In AWS each attempt is an invocation of its own: a retry set by a request's attempt (a redelivery) does not
    // run out of that request's time.
    const timer = setTimeout(() => {
      timers.delete(timer);
      apartFromInvocation(() => attempt(ref));
    }, Math.max(0, at.getTime() - Date.now()));
    timers.add(timer);
  };
  useHookWorker(worker);
  // Published by a request, an event reaches the hook worker as EventBridge and SQS would hand it over: in an
  // invocation of its own, not within the publishing request's time.
  const unsubscribe = subscribe((event) =>
    apartFromInvocation(async () => {
      for (const ref of await recordDeliveries(worker, event)) later(ref, new Date());
    }),
  );
  for (const delivery of await listUnfinishedDeliveries()) {
    const appId = delivery.event.app?.id;
    if (appId) later({ app_id: appId, hook_id: delivery.hook_id, event_id: delivery.event_id }, new Date(delivery.next_attempt_at ?? Date.now()));
  }
  return async () => {
    stopped = true;
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
};
