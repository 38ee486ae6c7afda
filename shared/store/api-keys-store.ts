import { GetCommand, paginateQuery, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../domain/access';
import { entityOf, getStore } from './client';
import { apiKeyKey } from './keys';
import { readTogether, type ItemRead } from './batch-get';
import { API_KEY_PARTITIONS } from './table-design';

/** The one Query API-key items are reached by, besides a GetItem on a key's hash. */
const keyListQuery = {
  IndexName: API_KEY_PARTITIONS.listIndex,
  KeyConditionExpression: 'gsi2pk = :keys',
  ExpressionAttributeValues: { ':keys': API_KEY_PARTITIONS.listPartition },
} as const;

export const insertApiKey = async (record: ApiKeyRecord): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...apiKeyKey(record.key_hash),
        gsi2pk: API_KEY_PARTITIONS.listPartition,
        gsi2sk: `${record.created_at}#${record.id}`,
        type: 'api_key',
        ...record,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

const apiKeyNamed = (keyHash: string): ItemRead<ApiKeyRecord> => ({ key: apiKeyKey(keyHash), entityOf: (item) => entityOf<ApiKeyRecord>(item) });

export const findApiKeyByHash = async (keyHash: string): Promise<ApiKeyRecord | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: apiKeyKey(keyHash), ConsistentRead: true }));
  return Item ? entityOf<ApiKeyRecord>(Item) : undefined;
};

/**
 * The key on its hash and the item the request's path names (its app, pipeline or promotion), both read
 * consistently in one BatchGetItem: authentication and that item cost one call. Consistent for the item
 * (an app's `current` pointer); for the key, so a revoked key stops working at once.
 */
export const findApiKeyWith = async <T>(
  keyHash: string,
  named: ItemRead<T>,
): Promise<{ key: ApiKeyRecord | undefined; named: T | undefined }> => {
  const [key, item] = await readTogether<[ApiKeyRecord, T]>([apiKeyNamed(keyHash), named]);
  return { key, named: item };
};

export const anyApiKeyExists = async (): Promise<boolean> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(
    new QueryCommand({ TableName: tableName, ...keyListQuery, Limit: 1 }),
  );
  return (Items?.length ?? 0) > 0;
};

/** Keys are few, and reaching them only through their own partition keeps them out of every other function's reach. */
export const findApiKeyById = async (id: string): Promise<ApiKeyRecord | undefined> =>
  (await listApiKeyRecords()).find((record) => record.id === id);

/** Every key, oldest first. */
export const listApiKeyRecords = async (): Promise<ApiKeyRecord[]> => {
  const { client, tableName } = getStore();
  const records: ApiKeyRecord[] = [];
  const pages = paginateQuery(
    { client },
    { TableName: tableName, ...keyListQuery },
  );
  for await (const page of pages) records.push(...(page.Items ?? []).map((item) => entityOf<ApiKeyRecord>(item)));
  return records;
};

/** Marks the key revoked unless it already is; returns the record as stored afterwards. */
export const markApiKeyRevoked = async (record: ApiKeyRecord, at: string): Promise<ApiKeyRecord> => {
  const { client, tableName } = getStore();
  const { Attributes } = await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: apiKeyKey(record.key_hash),
      UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :at)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes ? entityOf<ApiKeyRecord>(Attributes) : { ...record, revoked_at: at };
};
