import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigVars, ConfigVersion } from '../domain/config-vars';
import type { Actor } from '../domain/model';
import { entityOf, findEntityById, findNewestOfApp, findOfAppByLocalKey, getStore, putIfAbsent } from './client';
import { CONFIG_PREFIX, configChangeSortKey, configVersionKey, idIndexPartition } from './keys';

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

/** The same, read consistently in the app's partition (versions stored before they carried lsi1sk are not found). */
const findOwnConfigVersion = (appId: string, changeId: string): Promise<ConfigVersion | undefined> =>
  findOfAppByLocalKey<ConfigVersion>(appId, configChangeSortKey(changeId));

/**
 * Writes the next config version; false when another change took that version first (the caller then
 * applies its change on top of that one). Versions are never overwritten, so no change is lost.
 */
const putConfigVersion = (config: ConfigVersion): Promise<boolean> =>
  putIfAbsent({
    ...configVersionKey(config.app_id, config.version),
    lsi1sk: configChangeSortKey(config.change_id),
    gsi1pk: idIndexPartition(config.change_id),
    gsi1sk: 'CONFIG',
    type: 'config',
    ...config,
  });

/**
 * Appends the app's next config version for a change, its vars `next` of the newest version's, and
 * returns it; or the version this change made already, so a retry or a concurrent call with the same
 * change id (one automatic rollback reported twice at once) makes one version. Each version is put at
 * the newest one plus one, so versions are gapless and each slot is written once: when this change's
 * version exists, it existed when the newest was read, and the consistent lookup after that read finds it.
 */
export const appendConfigVersion = async (
  appId: string,
  change: { id: string; user: Actor },
  next: (latest: ConfigVars) => ConfigVars,
): Promise<ConfigVersion> => {
  for (;;) {
    const latest = await findLatestConfigVersion(appId);
    const own = await findOwnConfigVersion(appId, change.id);
    if (own) return own;
    const version: ConfigVersion = {
      app_id: appId,
      version: (latest?.version ?? 0) + 1,
      vars: next(latest?.vars ?? {}),
      change_id: change.id,
      user: change.user,
      created_at: new Date().toISOString(),
    };
    if (await putConfigVersion(version)) return version;
  }
};
