import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { releaseFixture } from '../shared/fixtures/model';
import { createApiGateway, type HttpHandler } from '../local/api-gateway';
import { FUNCTION_NAMES, type FunctionName } from '../shared/api/routes';
import { APPS_PARTITION, appKey } from '../shared/store/keys';

/**
 * The floors Slipway's reads and creates are measured against, each as a Lambda handler behind the same
 * local API Gateway as Slipway, so the gateway's cost, which AWS's gateway carries, falls on both. The floor
 * for a get-release makes the same DynamoDB calls as Slipway's, with the bare SDK client and nothing else (no
 * framework, no validation, no marshalling): the key by its hash and the app by the name in the path, in one
 * consistent BatchGetItem, then the release by its id. It answers the release item as DynamoDB returns it.
 */
const getReleaseFloor = (client: DynamoDBClient, tableName: string): HttpHandler => async (event) => {
  const answer = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  try {
    const { app: appName, release: releaseId } = event.pathParameters ?? {};
    const key = event.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!appName || !releaseId || !key) return answer(404, { error: 'not found' });
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    const app = appKey(appName);
    const { Responses } = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [tableName]: {
            Keys: [
              { pk: { S: `APIKEY#${hash}` }, sk: { S: 'APIKEY' } },
              { pk: { S: app.pk }, sk: { S: app.sk } },
            ],
            ConsistentRead: true,
          },
        },
      }),
    );
    const items = Responses?.[tableName] ?? [];
    const keyItem = items.find((item) => item.sk?.S === 'APIKEY');
    const appId = items.find((item) => item.pk?.S === APPS_PARTITION)?.id?.S;
    if (!keyItem || keyItem.revoked_at?.S) return answer(401, { error: 'unauthorized' });
    if (!appId) return answer(404, { error: 'not found' });
    const { Items } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'lsi1',
        KeyConditionExpression: 'pk = :app AND lsi1sk = :id',
        ExpressionAttributeValues: { ':app': { S: `APP#${appId}` }, ':id': { S: `RELID#${releaseId}` } },
        ConsistentRead: true,
      }),
    );
    return Items?.[0] ? answer(200, Items[0]) : answer(404, { error: 'not found' });
  } catch (error) {
    return answer(503, { error: String(error) });
  }
};

/** A release as Slipway stores it, marshalled once: the floor writes items of the same size without marshalling each. */
const RELEASE_ITEM = marshall(releaseFixture({ description: 'Deploy 1234567', user: { id: 'key', email: 'bench@slipway.local' } }), {
  removeUndefinedValues: true,
});

/**
 * The floor for a create: only the writes a release must make, in the order they depend on each other.
 * Its intent (so a crash after the claim leaves the release recoverable), the claim of the next version
 * (one conditional update of the app's sequence, which it creates on first use), then the release in its
 * version slot and its index rows, side by side. No authentication, no reads, no validation, no events. It
 * writes under a partition of its own per app (`FLOOR#{app}`), so Slipway's sequences are left alone.
 */
const createReleaseFloor = (client: DynamoDBClient, tableName: string): HttpHandler => async (event) => {
  const partition = { S: `FLOOR#${event.pathParameters?.app ?? 'unknown'}` };
  const id = randomUUID();
  const at = new Date().toISOString();
  const release: Record<string, AttributeValue> = { ...RELEASE_ITEM, id: { S: id }, created_at: { S: at }, updated_at: { S: at } };
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...release, pk: partition, sk: { S: `RELEASE_INTENT#${id}` } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  const { Attributes } = await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: partition, sk: { S: 'RELEASE_SEQUENCE' } },
      UpdateExpression: 'SET last_version = if_not_exists(last_version, :zero) + :one, last_claim = :id',
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':id': { S: id } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const version = Attributes?.last_version?.N ?? '0';
  const slot = version.padStart(10, '0');
  const row = (sk: string) => ({ PutRequest: { Item: { pk: partition, sk: { S: sk }, version: { N: version }, release_id: { S: id } } } });
  await Promise.all([
    client.send(
      new BatchWriteItemCommand({
        RequestItems: { [tableName]: [row(`RIX#build#${id}#${slot}`), row(`RIX#trigger#deploy#${slot}`), row(`RIX#at#${at}#${slot}`)] },
      }),
    ),
    client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...release, pk: partition, sk: { S: `REL#${slot}` }, version: { N: version } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  ]);
  return { statusCode: 201, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ id, version: Number(version) }) };
};

export const startFloorServer = async (options: { endpoint: string; tableName: string }): Promise<{ url: string; server: Server }> => {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const get = getReleaseFloor(client, options.tableName);
  const create = createReleaseFloor(client, options.tableName);
  // Every function name routes to the floors; the bench asks them a get-release and a create only.
  const handler: HttpHandler = (event, context) => (event.routeKey === 'POST /apps/{app}/releases' ? create(event, context) : get(event, context));
  const handlers = Object.fromEntries(FUNCTION_NAMES.map((fn) => [fn, handler])) as Record<FunctionName, HttpHandler>;
  const server = createApiGateway({ handlers });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};
