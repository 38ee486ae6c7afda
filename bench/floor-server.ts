import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';

/**
 * The floor for a get-release: the fewest DynamoDB calls a get can make (the key by its hash, then the
 * release), with the bare SDK client and node:http, no framework, no validation, no marshalling. It takes
 * the app's id in the path, so it needs no app read; it answers the release item as DynamoDB returns it.
 */
const PATH = /^\/apps\/([^/]+)\/releases\/([^/]+)$/;

export const startFloorServer = async (options: { endpoint: string; tableName: string }): Promise<{ url: string; server: Server }> => {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const server = createServer(async (request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    };
    try {
      const [, appId, releaseId] = PATH.exec(request.url ?? '') ?? [];
      const key = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!appId || !releaseId || !key) return answer(404, { error: 'not found' });
      const hash = createHash('sha256').update(key, 'utf8').digest('hex');
      const { Item: keyItem } = await client.send(
        new GetItemCommand({ TableName: options.tableName, Key: { pk: { S: `APIKEY#${hash}` }, sk: { S: 'APIKEY' } }, ConsistentRead: true }),
      );
      if (!keyItem || keyItem.revoked_at?.S) return answer(401, { error: 'unauthorized' });
      const { Items } = await client.send(
        new QueryCommand({
          TableName: options.tableName,
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
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};
