import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { getStore } from './client';

export type ItemKey = { pk: string; sk: string };

/** How often keys DynamoDB leaves unprocessed (under throttling) are asked for again before giving up. */
const BATCH_GET_ATTEMPTS = 3;
/** DynamoDB's limit of keys in one BatchGetItem. */
const BATCH_GET_MAX = 100;

/** Named like the SDK's throttling errors, so the HTTP layer answers 503 and the caller retries. */
class UnprocessedKeys extends Error {
  override name = 'ThrottlingException';
}

/**
 * The items at `keys`, read consistently in as few BatchGetItem calls as DynamoDB allows (one for up to
 * 100 keys): several items a request needs together cost one round trip and are each as fresh as a
 * consistent GetItem. The answer follows the order of `keys`, undefined where no item is.
 */
export const getItemsConsistently = async (keys: readonly ItemKey[]): Promise<(Record<string, unknown> | undefined)[]> => {
  const { client, tableName } = getStore();
  const found = new Map<string, Record<string, unknown>>();
  const idOf = ({ pk, sk }: ItemKey) => `${pk}\u0000${sk}`;
  for (let start = 0; start < keys.length; start += BATCH_GET_MAX) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + BATCH_GET_MAX).map(({ pk, sk }) => ({ pk, sk }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) throw new UnprocessedKeys('DynamoDB left part of a batch read unprocessed.');
      const { Responses, UnprocessedKeys: left } = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[tableName] ?? []) found.set(idOf(item as ItemKey), item);
      pending = left?.[tableName]?.Keys ?? [];
    }
  }
  return keys.map((key) => found.get(idOf(key)));
};

/** An item to read along with others: its key, and how its stored form becomes the entity. */
export type ItemRead<T> = { key: ItemKey; entityOf: (item: Record<string, unknown>) => T };

/** Several entities read together in one consistent BatchGetItem, in the order asked; a read left out (undefined) yields undefined. */
export const readTogether = async <T extends readonly unknown[]>(reads: {
  readonly [K in keyof T]: ItemRead<T[K]> | undefined;
}): Promise<{ [K in keyof T]: T[K] | undefined }> => {
  const asked = (reads as readonly (ItemRead<unknown> | undefined)[]).filter((read): read is ItemRead<unknown> => read !== undefined);
  const items = await getItemsConsistently(asked.map((read) => read.key));
  return (reads as readonly (ItemRead<unknown> | undefined)[]).map((read) => {
    const item = read && items[asked.indexOf(read)];
    return read && item ? read.entityOf(item) : undefined;
  }) as { [K in keyof T]: T[K] | undefined };
};
