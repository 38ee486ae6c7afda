import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../shared/domain/hooks';
import { LOCAL_TARGET_POLICY } from '../shared/domain/outbound-target';
import { subscribe } from '../shared/events/bus';
import { useHookWorker } from '../shared/hooks/runtime';
import { localSecretBox } from '../shared/hooks/secret-box';
import { attemptDelivery, handleEvent, type HookWorker } from '../shared/hooks/worker';
import { logger } from '../shared/observability/logger';

export type LocalHooksOptions = { retry?: Partial<RetryPolicy> };

/** The stand-in for KMS: a key file beside the data, named for what it is. */
export const LOCAL_HOOK_KEY_FILE = 'local-hook-secrets.key';

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
 * The delivery worker in this process, fed by the in-process bus; retries wait on timers here (in AWS,
 * on the queue). Returns the stop, which drops the pending timers.
 */
export const startLocalHooks = async (dataDir: string | undefined, options: LocalHooksOptions = {}): Promise<() => Promise<void>> => {
  const timers = new Set<NodeJS.Timeout>();
  const worker: HookWorker = {
    policy: LOCAL_TARGET_POLICY,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    secrets: localSecretBox(await localKey(dataDir)),
    schedule: (delivery, at) => {
      const appId = delivery.event.app?.id;
      if (!appId) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        attemptDelivery(worker, { app_id: appId, hook_id: delivery.hook_id, event_id: delivery.event_id }).catch((error: unknown) =>
          logger.warn('hook delivery attempt failed', { hookId: delivery.hook_id, eventId: delivery.event_id, error }),
        );
      }, Math.max(0, at.getTime() - Date.now()));
      timers.add(timer);
    },
  };
  useHookWorker(worker);
  const unsubscribe = subscribe((event) => handleEvent(worker, event));
  return async () => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
};
