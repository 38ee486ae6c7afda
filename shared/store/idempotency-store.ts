import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Lease } from '../domain/lease';
import { entityOf, getStore, whenConditionHolds } from './client';
import { idempotencyRecordKey } from './keys';
import { TTL_ATTRIBUTE } from './table-design';

/**
 * What Slipway remembers of one Idempotency-Key (per caller, route and resource): which request it was
 * first used with, the id fixed for what that request makes, and whether that is done. Written before the
 * request writes anything else, so every attempt under the key makes (or finds) that very resource.
 */
export type IdempotencyRecord = {
  scope_hash: string;
  request_hash: string;
  resource_id: string;
  status: 'in_progress' | 'completed';
  /** Held by the attempt running the request; a crashed attempt's lease lapses and a retry takes it over. */
  lease: Lease;
  /** Epoch seconds at which the key's window ends (the table's TTL attribute); absent: kept for good (a payload key). */
  [TTL_ATTRIBUTE]?: number;
};


/** Only the current holder may let go of a key; a lapsed holder whose lease was taken over leaves it be. */
const heldBy = (record: IdempotencyRecord) => ({
  ConditionExpression: '#status = :inProgress AND #lease.#holder = :holder',
  ExpressionAttributeNames: { '#lease': 'lease', '#holder': 'holder', '#status': 'status' },
  ExpressionAttributeValues: { ':inProgress': 'in_progress', ':holder': record.lease.holder },
});

/** Claims the key with a conditional put; false when a record inside its window already holds it. */
export const claimIdempotencyKey = (record: IdempotencyRecord, nowSeconds: number): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...idempotencyRecordKey(record.scope_hash), type: 'idempotency_key', ...record },
        // DynamoDB deletes expired items lazily, so a record past its window counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR #expiration < :now',
        ExpressionAttributeNames: { '#expiration': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    ),
  );
};

export const findIdempotencyRecord = async (scopeHash: string): Promise<IdempotencyRecord | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyRecordKey(scopeHash), ConsistentRead: true }));
  return Item ? entityOf<IdempotencyRecord>(Item) : undefined;
};

/** Takes a lapsed lease over; of several retries racing for it exactly one wins. */
export const takeOverIdempotencyKey = (record: IdempotencyRecord, lease: Lease): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: idempotencyRecordKey(record.scope_hash),
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: '#status = :inProgress AND #lease.#holder = :holder AND #lease.#until = :until',
        ExpressionAttributeNames: { '#lease': 'lease', '#holder': 'holder', '#until': 'until', '#status': 'status' },
        ExpressionAttributeValues: {
          ':lease': lease,
          ':inProgress': 'in_progress',
          ':holder': record.lease.holder,
          ':until': record.lease.until,
        },
      }),
    ),
  );
};

export const completeIdempotencyKey = async (record: IdempotencyRecord): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: idempotencyRecordKey(record.scope_hash),
      UpdateExpression: 'SET #status = :completed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':completed': 'completed' },
    }),
  );
};

/** Frees the key for a new request: its holder's request was refused, so nothing was made under it. */
export const forgetIdempotencyKey = (record: IdempotencyRecord): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(new DeleteCommand({ TableName: tableName, Key: idempotencyRecordKey(record.scope_hash), ...heldBy(record) })),
  );
};

/** Ends the lease at once and keeps the record, so the next retry carries on with the same resource id. */
export const lapseIdempotencyLease = (record: IdempotencyRecord): Promise<boolean> => {
  const { client, tableName } = getStore();
  const condition = heldBy(record);
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: idempotencyRecordKey(record.scope_hash),
        UpdateExpression: 'SET #lease.#until = :zero',
        ...condition,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#until': 'until' },
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':zero': 0 },
      }),
    ),
  );
};
