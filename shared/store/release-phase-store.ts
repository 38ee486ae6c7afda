import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getStore } from './client';
import { releasePhaseTaskKey } from './keys';

/** Which release a release phase's one-off task belongs to, and the token of the step waiting for it to stop. */
export type ReleasePhaseWatch = {
  taskArn: string;
  cluster: string;
  appId: string;
  version: number;
  releaseId: string;
  taskToken: string;
};

export const putReleasePhaseWatch = async (watch: ReleasePhaseWatch): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...releasePhaseTaskKey(watch.taskArn),
        type: 'release_phase_task',
        task_arn: watch.taskArn,
        cluster: watch.cluster,
        app_id: watch.appId,
        version: watch.version,
        release_id: watch.releaseId,
        task_token: watch.taskToken,
      },
    }),
  );
};

export const findReleasePhaseWatch = async (taskArn: string): Promise<ReleasePhaseWatch | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: releasePhaseTaskKey(taskArn), ConsistentRead: true }));
  if (!Item) return undefined;
  return {
    taskArn: String(Item.task_arn),
    cluster: String(Item.cluster),
    appId: String(Item.app_id),
    version: Number(Item.version),
    releaseId: String(Item.release_id),
    taskToken: String(Item.task_token),
  };
};

export const deleteReleasePhaseWatch = async (taskArn: string): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new DeleteCommand({ TableName: tableName, Key: releasePhaseTaskKey(taskArn) }));
};
