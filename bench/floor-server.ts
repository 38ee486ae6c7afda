import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { createApiGateway, type HttpHandler } from '../local/api-gateway';
import { FUNCTION_NAMES, type FunctionName } from '../shared/api/routes';

/**
 * The floor for a get-release: the fewest DynamoDB calls a get can make (the key by its hash, then the
 * release), with the bare SDK client, no framework, no validation, no marshalling, as a Lambda handler
 * served by the same local API Gateway as Slipway (local/api-gateway.ts), so the gateway's cost, which
 * AWS's gateway carries, falls on both. It takes the app's id in the path ({app}), so it needs no app
 * read; it answers the release item as DynamoDB returns it.
 */
const floorHandler = (client: DynamoDBClient, tableName: string): HttpHandler => async (event) => {
  const answer = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  try {
    const { app: appId, release: releaseId } = event.pathParameters ?? {};
    const key = event.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!appId || !releaseId || !key) return answer(404, { error: 'not found' });
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    const { Item: keyItem } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `APIKEY#${hash}` }, sk: { S: 'APIKEY' } }, ConsistentRead: true }),
    );
    if (!keyItem || keyItem.revoked_at?.S) return answer(401, { error: 'unauthorized' });
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

export const startFloorServer = async (options: { endpoint: string; tableName: string }): Promise<{ url: string; server: Server }> => {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const handler = floorHandler(client, options.tableName);
  // Every function name routes to the floor; the bench only asks it GET /apps/{app}/releases/{release}.
  const handlers = Object.fromEntries(FUNCTION_NAMES.map((fn) => [fn, handler])) as Record<FunctionName, HttpHandler>;
  const server = createApiGateway({ handlers });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};
