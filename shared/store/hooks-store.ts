import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryCursor, DeliveryPage, Hook } from '../domain/hooks';
import type { SecretEncoding } from '../domain/webhook-signature';
import { entityOf, getStore, putIfAbsent, queryAll, scanAll, whenConditionHolds } from './client';
import { DELIVERY_PREFIX, DELIVERY_TIME_PREFIX, HOOK_PREFIX, deliveryKey, deliveryTimeSortKey, hookKey } from './keys';

/** A secret sealed at rest (shared/hooks/secret-box.ts), and how its plaintext becomes a key. */
export type SealedSecret = { sealed: string; encoding: SecretEncoding };

/**
 * A hook as stored: its secret sealed, never in the entity handed around, and during a rotation the previous
 * secret, which signs too until `expires_at`.
 */
export type StoredHook = { hook: Hook; secret: SealedSecret | null; previous: (SealedSecret & { expires_at: string }) | null };

type HookItem = Hook & {
  secret_sealed?: string | null;
  secret_encoding?: SecretEncoding;
  previous_secret_sealed?: string | null;
  previous_secret_encoding?: SecretEncoding;
  previous_secret_expires_at?: string | null;
};

/**
 * Items written before Standard Webhooks have no encoding (their secret keys with its text) and no
 * legacy_signature (a webhook among them keeps its Slipway-Signature).
 */
const storedHookOf = (item: Record<string, unknown>): StoredHook => {
  const {
    secret_sealed: sealed,
    secret_encoding: encoding,
    previous_secret_sealed: previousSealed,
    previous_secret_encoding: previousEncoding,
    previous_secret_expires_at: previousExpiresAt,
    ...hook
  } = entityOf<HookItem>(item);
  return {
    hook: { ...hook, legacy_signature: hook.legacy_signature ?? hook.kind === 'webhook' },
    secret: sealed ? { sealed, encoding: encoding ?? 'text' } : null,
    previous: previousSealed && previousExpiresAt ? { sealed: previousSealed, encoding: previousEncoding ?? 'text', expires_at: previousExpiresAt } : null,
  };
};

export const putHook = async ({ hook, secret, previous }: StoredHook): Promise<void> => {
  const { client, tableName } = getStore();
  const item: HookItem = {
    ...hook,
    secret_sealed: secret?.sealed ?? null,
    ...(secret ? { secret_encoding: secret.encoding } : {}),
    ...(previous
      ? { previous_secret_sealed: previous.sealed, previous_secret_encoding: previous.encoding, previous_secret_expires_at: previous.expires_at }
      : {}),
  };
  await client.send(new PutCommand({ TableName: tableName, Item: { ...hookKey(hook.app_id, hook.id), type: 'hook', ...item } }));
};

export const findHook = async (appId: string, hookId: string): Promise<StoredHook | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: hookKey(appId, hookId), ConsistentRead: true }));
  return Item ? storedHookOf(Item) : undefined;
};

/** An app's hooks: one Query on its partition (an app has a handful). */
export const listHooks = async (appId: string): Promise<StoredHook[]> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :app AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':app': hookKey(appId, '').pk, ':prefix': HOOK_PREFIX },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map(storedHookOf);
};

export const deleteHook = async (appId: string, hookId: string): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new DeleteCommand({ TableName: tableName, Key: hookKey(appId, hookId) }));
};

/** The item of a delivery: its key, and its place in the hook's log by time. */
const deliveryItem = (delivery: Delivery) => ({
  ...deliveryKey(delivery.hook_id, delivery.event_id),
  lsi1sk: deliveryTimeSortKey(delivery.created_at, delivery.event_id),
  type: 'hook_delivery',
  ...delivery,
});

type LegacyAttempt = { at: string; status_code: number | null; duration_ms: number; response_excerpt: string };

/**
 * A delivery as the domain knows it. One recorded before Slipway kept every attempt has only its last
 * (`last`, whose excerpt may be the error): it reads as a log of that one attempt.
 */
const deliveryOf = (item: Record<string, unknown>): Delivery => {
  const { last, log, ...delivery } = entityOf<Delivery & { last?: LegacyAttempt | null }>(item);
  const legacy = last ? [{ ...last, error: null, reason: 'scheduled' as const }] : [];
  return { ...delivery, log: log ?? legacy };
};

/** False when the hook already has a delivery of this event (the bus delivers at least once). */
export const insertDelivery = (delivery: Delivery): Promise<boolean> => putIfAbsent(deliveryItem(delivery));

export const saveDelivery = async (delivery: Delivery): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new PutCommand({ TableName: tableName, Item: deliveryItem(delivery) }));
};

export const findDelivery = async (hookId: string, deliveryId: string): Promise<Delivery | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: deliveryKey(hookId, deliveryId), ConsistentRead: true }));
  return Item ? deliveryOf(Item) : undefined;
};

/**
 * A page of a hook's delivery log, newest first, after `after` (the last delivery of the previous page): one
 * Query on the hook's partition by time (lsi1), read consistently, whatever the log's length.
 */
export const listDeliveryPage = async (hookId: string, limit: number, after: DeliveryCursor | null): Promise<DeliveryPage> => {
  const { client, tableName } = getStore();
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'lsi1',
      KeyConditionExpression: 'pk = :hook AND begins_with(lsi1sk, :prefix)',
      ExpressionAttributeValues: { ':hook': deliveryKey(hookId, '').pk, ':prefix': DELIVERY_TIME_PREFIX },
      ScanIndexForward: false,
      ConsistentRead: true,
      // One more than asked for tells whether another page follows.
      Limit: limit + 1,
      ...(after
        ? { ExclusiveStartKey: { ...deliveryKey(hookId, after.id), lsi1sk: deliveryTimeSortKey(after.created_at, after.id) } }
        : {}),
    }),
  );
  const deliveries = Items.slice(0, limit).map(deliveryOf);
  const last = deliveries.at(-1);
  return { deliveries, next: Items.length > limit && last ? { created_at: last.created_at, id: last.id } : null };
};

/**
 * Puts the deliveries a hook recorded before its log was paged by time (no lsi1sk) into that log: one Query
 * of the hook's partition, then one conditional update each. Returns how many it placed; safe to repeat.
 */
export const indexUnindexedDeliveries = async (hookId: string): Promise<number> => {
  const { client, tableName } = getStore();
  const unindexed = await queryAll({
    KeyConditionExpression: 'pk = :hook AND begins_with(sk, :deliveries)',
    FilterExpression: 'attribute_not_exists(lsi1sk)',
    ExpressionAttributeValues: { ':hook': deliveryKey(hookId, '').pk, ':deliveries': DELIVERY_PREFIX },
    ConsistentRead: true,
  });
  let indexed = 0;
  for (const delivery of unindexed.map(deliveryOf)) {
    const placed = await whenConditionHolds(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: deliveryKey(hookId, delivery.event_id),
          UpdateExpression: 'SET lsi1sk = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(lsi1sk)',
          ExpressionAttributeValues: { ':at': deliveryTimeSortKey(delivery.created_at, delivery.event_id) },
        }),
      ),
    );
    if (placed) indexed++;
  }
  return indexed;
};

/**
 * Deliveries still to be attempted (pending or retrying), for the local runtime to resume after a restart:
 * its retries wait on timers that die with the process. A Scan, so local only; in AWS every retry is a
 * queue message and needs no resuming.
 */
export const listUnfinishedDeliveries = async (): Promise<Delivery[]> => {
  const items = await scanAll({
    FilterExpression: '#type = :type AND #outcome IN (:pending, :retrying)',
    ExpressionAttributeNames: { '#type': 'type', '#outcome': 'outcome' },
    ExpressionAttributeValues: { ':type': 'hook_delivery', ':pending': 'pending', ':retrying': 'retrying' },
  });
  return items.map(deliveryOf);
};
