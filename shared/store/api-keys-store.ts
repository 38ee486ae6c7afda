import { BatchGetCommand, GetCommand, paginateQuery, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../domain/access';
import type { App } from '../domain/model';
import { entityOf, getStore } from './client';
import { apiKeyKey, appKey } from './keys';
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

export const findApiKeyByHash = async (keyHash: string): Promise<ApiKeyRecord | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: apiKeyKey(keyHash), ConsistentRead: true }));
  return Item ? entityOf<ApiKeyRecord>(Item) : undefined;
};

/** How often keys DynamoDB leaves unprocessed (under throttling) are asked for again before giving up. */
const BATCH_GET_ATTEMPTS = 3;

class UnprocessedKeys extends Error {
  override name = 'ThrottlingException';
}

/**
 * The key on its hash and the app of that name, both read consistently in one BatchGetItem: authentication
 * and the path's app cost one call. Consistent for the app's `current` pointer; for the key, so a revoked
 * key stops working at once.
 */
export const findApiKeyAndApp = async (
  keyHash: string,
  appName: string,
): Promise<{ key: ApiKeyRecord | undefined; app: App | undefined }> => {
  const { client, tableName } = getStore();
  const found: Record<string, unknown>[] = [];
  let keys: Record<string, unknown>[] = [apiKeyKey(keyHash), appKey(appName)];
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt === BATCH_GET_ATTEMPTS) throw new UnprocessedKeys('DynamoDB left part of the key and app lookup unprocessed.');
    const { Responses, UnprocessedKeys: left } = await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    found.push(...(Responses?.[tableName] ?? []));
    keys = left?.[tableName]?.Keys ?? [];
  }
  const item = ({ pk, sk }: { pk: string; sk: string }) => found.find((candidate) => candidate.pk === pk && candidate.sk === sk);
  const key = item(apiKeyKey(keyHash));
  const app = item(appKey(appName));
  return { key: key ? entityOf<ApiKeyRecord>(key) : undefined, app: app ? entityOf<App>(app) : undefined };
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
