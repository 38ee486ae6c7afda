import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createStore, useStore } from '../../shared/store/client';
import type { ApiKeyRecord } from '../../shared/domain/access';
import { findApiKeyById, findApiKeyWith, insertApiKey } from '../../shared/store/api-keys-store';
import { appNamed } from '../../shared/store/apps-store';
import { API_KEY_PARTITIONS } from '../../shared/store/table-design';

/** The store keeps key items where IAM expects them (infra/slipway-table.ts denies them to all but the key routes). */

const dynamo = mockClient(DynamoDBDocumentClient);
const record: ApiKeyRecord = {
  id: '0b6f8e2c-4d1a-4c3e-9a7b-2f5d8c1e0a93',
  key_hash: 'ab'.repeat(32),
  role: 'developer',
  apps: ['web'],
  email: 'dev@example.com',
  created_at: '2026-11-30T00:00:00.000Z',
};

beforeEach(() => {
  dynamo.reset();
  useStore(createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' }));
});

describe('API-key items', () => {
  it('are written under their own partition prefix, listed on gsi2 and kept off gsi1', async () => {
    dynamo.on(PutCommand).resolves({});
    await insertApiKey(record);
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(item.pk).toBe(`${API_KEY_PARTITIONS.itemPrefix}${record.key_hash}`);
    expect(item.gsi2pk).toBe(API_KEY_PARTITIONS.listPartition);
    expect(Object.keys(item).filter((name) => name.startsWith('gsi1'))).toEqual([]);
  });

  it('are found by id through their list partition alone', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ pk: 'x', sk: 'APIKEY', type: 'api_key', ...record }] });
    expect((await findApiKeyById(record.id))?.email).toBe(record.email);
    expect(await findApiKeyById('2c9d7a51-8e3b-4f60-b1d2-7a4e9c0f3b58')).toBeUndefined();
    for (const call of dynamo.commandCalls(QueryCommand)) {
      expect(call.args[0].input).toMatchObject({
        IndexName: API_KEY_PARTITIONS.listIndex,
        ExpressionAttributeValues: { ':keys': API_KEY_PARTITIONS.listPartition },
      });
    }
  });

  it('are read with the app a request names in one consistent BatchGetItem, asking again for what DynamoDB left unprocessed', async () => {
    const keyItem = { pk: `${API_KEY_PARTITIONS.itemPrefix}${record.key_hash}`, sk: 'APIKEY', type: 'api_key', ...record };
    const appItem = { pk: 'APPS', sk: 'APP#web', type: 'app', id: 'a1', name: 'web' };
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'slipway-test': [keyItem] }, UnprocessedKeys: { 'slipway-test': { Keys: [{ pk: 'APPS', sk: 'APP#web' }] } } })
      .resolves({ Responses: { 'slipway-test': [appItem] } });
    const found = await findApiKeyWith(record.key_hash, appNamed('web'));
    expect(found.key?.email).toBe(record.email);
    expect(found.named?.name).toBe('web');
    const calls = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.['slipway-test']);
    expect(calls).toEqual([
      { Keys: [{ pk: keyItem.pk, sk: 'APIKEY' }, { pk: 'APPS', sk: 'APP#web' }], ConsistentRead: true },
      { Keys: [{ pk: 'APPS', sk: 'APP#web' }], ConsistentRead: true },
    ]);
  });

  it('give up as throttled when DynamoDB keeps leaving the lookup unprocessed', async () => {
    dynamo.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'slipway-test': { Keys: [{ pk: 'APPS', sk: 'APP#web' }] } } });
    await expect(findApiKeyWith(record.key_hash, appNamed('web'))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
