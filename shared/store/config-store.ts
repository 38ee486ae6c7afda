import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigVersion } from '../domain/config-vars';
import { entityOf, findEntityById, findNewestOfApp, getStore, putIfAbsent } from './client';
import { CONFIG_PREFIX, configVersionKey, idIndexPartition } from './keys';

/** The app's newest config version, read consistently (a change builds on it); undefined before the first. */
export const findLatestConfigVersion = async (appId: string): Promise<ConfigVersion | undefined> => {
  const item = await findNewestOfApp(appId, CONFIG_PREFIX);
  return item ? entityOf<ConfigVersion>(item) : undefined;
};

export const findConfigVersion = async (appId: string, version: number): Promise<ConfigVersion | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: configVersionKey(appId, version), ConsistentRead: true }));
  return Item ? entityOf<ConfigVersion>(Item) : undefined;
};

/** The version a change (by its id) made, if it got that far. */
export const findConfigVersionOfChange = (changeId: string): Promise<ConfigVersion | undefined> =>
  findEntityById<ConfigVersion>(changeId, 'CONFIG');

/**
 * Writes the next config version; false when another change took that version first (the caller then
 * applies its change on top of that one). Versions are never overwritten, so no change is lost.
 */
export const putConfigVersion = (config: ConfigVersion): Promise<boolean> =>
  putIfAbsent({
    ...configVersionKey(config.app_id, config.version),
    gsi1pk: idIndexPartition(config.change_id),
    gsi1sk: 'CONFIG',
    type: 'config',
    ...config,
  });
