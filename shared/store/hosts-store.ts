import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { getStore, queryAll, whenConditionHolds } from './client';
import { HOST_PREFIX, appPartition, hostKey } from './keys';

/** What an external app's host runs, as its latest reported deployment says. */
export type HostDeployment = { host: string; release_id: string; version: number; deployment_id: string; at: string };

/** Records the host's deployment unless a later one is recorded already (reports may arrive out of order). */
export const noteHostDeployment = (appId: string, deployment: HostDeployment): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...hostKey(appId, deployment.host), type: 'host', ...deployment },
        ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': deployment.at },
      }),
    ),
  );
};

/** Every host of the app with what it runs: strongly consistent Queries of its HOST# rows (a cost of its hosts, not its history). */
export const listHostDeployments = async (appId: string): Promise<HostDeployment[]> =>
  (
    await queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :hosts)',
      ExpressionAttributeValues: { ':pk': appPartition(appId), ':hosts': HOST_PREFIX },
      ConsistentRead: true,
    })
  ).map((item) => ({
    host: String(item.host),
    release_id: String(item.release_id),
    version: Number(item.version),
    deployment_id: String(item.deployment_id),
    at: String(item.at),
  }));
