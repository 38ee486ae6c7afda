import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../domain/errors';
import type { App } from '../domain/model';
import { entityOf, findEntityById, getStore, isConditionFailure, putIfAbsent } from './client';

const APPS_PARTITION = 'APPS';
const appKey = (name: string) => ({ pk: APPS_PARTITION, sk: `APP#${name}` });

/** Creates the app; the name is the key, so a second app of the same name is refused by DynamoDB itself. */
export const insertApp = async (app: App): Promise<void> => {
  if (!(await putIfAbsent({ ...appKey(app.name), gsi1pk: `ID#${app.id}`, gsi1sk: 'APP', type: 'app', ...app }))) {
    throw conflict('app_name_taken', `An app named ${app.name} already exists.`, { name: app.name });
  }
};

export const findAppByName = async (name: string): Promise<App | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: appKey(name) }));
  return Item ? entityOf<App>(Item) : undefined;
};

export const findAppById = (id: string): Promise<App | undefined> => findEntityById<App>(id, 'APP');

export const listApps = async (): Promise<App[]> => {
  const { client, tableName } = getStore();
  const apps: App[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :apps',
        ExpressionAttributeValues: { ':apps': APPS_PARTITION },
        ExclusiveStartKey: startKey,
      }),
    );
    apps.push(...(page.Items ?? []).map((item) => entityOf<App>(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return apps;
};

/**
 * Moves the app's `current` pointer forward to `version`, never backward, so a slow rollout finishing
 * after a newer one cannot steal `current` from it.
 */
export const advanceCurrentRelease = async (appName: string, version: number, at: string): Promise<boolean> => {
  const { client, tableName } = getStore();
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: appKey(appName),
        UpdateExpression: 'SET current_release_version = :version, updated_at = :at',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(current_release_version) OR current_release_version = :none OR current_release_version < :version)',
        ExpressionAttributeValues: { ':version': version, ':at': at, ':none': null },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};
