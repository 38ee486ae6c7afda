import { GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../domain/errors';
import type { App, Release } from '../domain/model';
import { DEFAULT_BAKE_WINDOW_SECONDS } from '../domain/rollback';
import type { ItemRead } from './batch-get';
import { entityOf, findEntityById, getStore, isConditionFailure, putIfAbsent, queryAll, whenConditionHolds } from './client';
import { APPS_PARTITION, appKey, idIndexPartition } from './keys';


/** Creates the app; the name is the key, so a second app of the same name is refused by DynamoDB itself. */
export const insertApp = async (app: App): Promise<void> => {
  if (!(await putIfAbsent({ ...appKey(app.name), gsi1pk: idIndexPartition(app.id), gsi1sk: 'APP', type: 'app', ...app }))) {
    throw conflict('app_name_taken', `An app named ${app.name} already exists.`, { name: app.name });
  }
};

/** The app of that name, to read along with other items (the caller's key). */
export const appNamed = (name: string): ItemRead<App> => ({ key: appKey(name), entityOf: appOf });

export const findAppByName = async (name: string): Promise<App | undefined> => {
  const { client, tableName } = getStore();
  // Consistent: the app carries the `current` pointer, which must not be read from before a rollout's end.
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: appKey(name), ConsistentRead: true }));
  return Item ? appOf(Item) : undefined;
};

/** Apps stored before automatic rollback existed read with its defaults. */
const appOf = (item: Record<string, unknown>): App => ({
  auto_rollback: false,
  bake_window_seconds: DEFAULT_BAKE_WINDOW_SECONDS,
  ...entityOf<Partial<App>>(item),
}) as App;

export const findAppById = async (id: string): Promise<App | undefined> => {
  const app = await findEntityById<App>(id, 'APP');
  return app ? appOf(app) : undefined;
};

/** Changes an app's settings (rollback, badge, deployment); the updated app, or undefined if it is gone. */
export const updateAppSettings = async (
  appName: string,
  changes: Partial<Pick<App, 'auto_rollback' | 'bake_window_seconds' | 'public_badge' | 'deployment' | 'release_phase'>>,
  at: string,
): Promise<App | undefined> => {
  const { client, tableName } = getStore();
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: appKey(appName),
        UpdateExpression: `SET updated_at = :at, ${entries.map(([field]) => `${field} = :${field}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at, ...Object.fromEntries(entries.map(([field, value]) => [`:${field}`, value])) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? appOf(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

export const listApps = async (): Promise<App[]> =>
  (await queryAll({ KeyConditionExpression: 'pk = :apps', ExpressionAttributeValues: { ':apps': APPS_PARTITION } })).map(appOf);

/** One conditional update of the app's item; false when its condition no longer held. */
const updateAppIf = async (appName: string, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() => client.send(new UpdateCommand({ TableName: tableName, Key: appKey(appName), ...update })));
};

/** Sets whether the app's badge is public; the app as it is now, or undefined when it does not exist. */
const NEWER_THAN_CURRENT =
  'attribute_exists(pk) AND (attribute_not_exists(current_release_version) OR current_release_version = :none OR current_release_version < :version)';

/**
 * Announces that the release at `version` is about to be marked succeeded, before that write: from here a
 * reader of the app looks the release up, so it is current from the moment its status says succeeded.
 */
export const markSucceeding = (appName: string, version: number): Promise<boolean> =>
  updateAppIf(appName, {
    UpdateExpression: 'SET succeeding_release_version = :version',
    ConditionExpression: NEWER_THAN_CURRENT,
    ExpressionAttributeValues: { ':version': version, ':none': null },
  });

/** Withdraws the announcement of a release that did not succeed after all. */
export const clearSucceeding = (appName: string, version: number): Promise<boolean> =>
  updateAppIf(appName, {
    UpdateExpression: 'REMOVE succeeding_release_version',
    ConditionExpression: 'succeeding_release_version = :version',
    ExpressionAttributeValues: { ':version': version },
  });

/**
 * Moves the app's `current` pointer back from the release at `fromVersion` (a recorded release whose client
 * reported a failure after success) to `to`, the newest succeeded release before it, or to none; only while
 * the pointer is still at `fromVersion`, so a newer success that moved it meanwhile stands.
 */
export const retreatCurrentRelease = (appName: string, fromVersion: number, to: Pick<Release, 'version' | 'slug'> | undefined, at: string): Promise<boolean> =>
  updateAppIf(appName, {
    UpdateExpression: to
      ? 'SET current_release_version = :to, current_release_build_id = :build, updated_at = :at'
      : 'SET current_release_version = :none, updated_at = :at REMOVE current_release_build_id',
    ConditionExpression: 'current_release_version = :from',
    ExpressionAttributeValues: { ':from': fromVersion, ':at': at, ...(to ? { ':to': to.version, ':build': to.slug.id } : { ':none': null }) },
  });

/**
 * Moves the app's `current` pointer forward to the release at `version`, never backward, so a slow rollout
 * finishing after a newer one cannot steal `current` from it, and retires the announcement of that version.
 * The release's build moves with the pointer, in the same write.
 */
export const advanceCurrentRelease = async (appName: string, release: Pick<Release, 'version' | 'slug'>, at: string): Promise<boolean> => {
  const values = { ':version': release.version, ':build': release.slug.id, ':at': at, ':none': null };
  return (
    (await updateAppIf(appName, {
      UpdateExpression: 'SET current_release_version = :version, current_release_build_id = :build, updated_at = :at REMOVE succeeding_release_version',
      ConditionExpression: `${NEWER_THAN_CURRENT} AND (attribute_not_exists(succeeding_release_version) OR succeeding_release_version <= :version)`,
      ExpressionAttributeValues: values,
    })) ||
    // A newer release is announced already: move the pointer and leave its announcement.
    updateAppIf(appName, {
      UpdateExpression: 'SET current_release_version = :version, current_release_build_id = :build, updated_at = :at',
      ConditionExpression: NEWER_THAN_CURRENT,
      ExpressionAttributeValues: values,
    })
  );
};
