import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { Store } from '../shared/store/client';
import { TABLE_KEYS } from '../shared/store/table-design';

/** Creates the Slipway table locally from the same key design the CDK stack deploys. */
export const ensureTable = async (store: Store): Promise<void> => {
  const attributeNames = [
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...TABLE_KEYS.localIndexes.map((index) => index.sortKey),
    ...TABLE_KEYS.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  try {
    await store.client.send(
      new CreateTableCommand({
        TableName: store.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        LocalSecondaryIndexes: TABLE_KEYS.localIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        GlobalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(store);
};

const waitUntilActive = async (store: Store): Promise<void> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await store.client.send(new DescribeTableCommand({ TableName: store.tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${store.tableName} did not become ACTIVE`);
};
