import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../domain/errors';
import { buildCreationEvents, buildSettledEvents } from '../domain/events';
import type { Actor, Build, BuildStatus } from '../domain/model';
import type { ItemRead } from './batch-get';
import { entityOf, findEntityById, getStore, isConditionFailure, whenConditionHolds } from './client';
import { BUILD_TIME_PREFIX, appPartition, buildKey, buildTimeSortKey, idIndexPartition } from './keys';
import { noteOutbox, outboxAppend, outboxOfNewItem, pendingEvents } from './outbox-store';


/** Registers the build with its creation events; false when a build with its id exists already (a retry under a fixed id). */
export const insertBuild = async (build: Build, actor: Actor): Promise<boolean> => {
  const { client, tableName } = getStore();
  const inserted = await whenConditionHolds(() => client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...buildKey(build.app.id, build.id),
        lsi1sk: buildTimeSortKey(build.created_at, build.id),
        gsi1pk: idIndexPartition(build.id),
        gsi1sk: 'BUILD',
        type: 'build',
        ...build,
        ...outboxOfNewItem(pendingEvents(buildCreationEvents(build), build.created_at, actor)),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  ));
  if (inserted) noteOutbox(buildKey(build.app.id, build.id));
  return inserted;
};

/** The build with that id, to read along with other items. */
export const buildWithId = (appId: string, buildId: string): ItemRead<Build> => ({
  key: buildKey(appId, buildId),
  entityOf: (item) => entityOf<Build>(item),
});

export const findBuild = async (appId: string, buildId: string): Promise<Build | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: buildKey(appId, buildId), ConsistentRead: true }),
  );
  return Item ? entityOf<Build>(Item) : undefined;
};

/** Finds a build without knowing its app (GET /slugs/{id}, and telling "other app's slug" from "no slug"). */
export const findBuildAnywhere = (buildId: string): Promise<Build | undefined> => findEntityById<Build>(buildId, 'BUILD');

/** An app's builds by creation time: the oldest `limit`, or with `newest` the newest `limit` (newest first). */
export const listBuilds = async (appId: string, limit: number, newest = false): Promise<Build[]> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'lsi1',
      KeyConditionExpression: 'pk = :app AND begins_with(lsi1sk, :prefix)',
      ExpressionAttributeValues: { ':app': appPartition(appId), ':prefix': BUILD_TIME_PREFIX },
      Limit: limit,
      ScanIndexForward: !newest,
    }),
  );
  return (Items ?? []).map((item) => entityOf<Build>(item));
};

/**
 * A build's status moves once, from pending to a final status. Repeating the same final status is a
 * harmless retry; changing a final status is refused.
 */
export const settleBuildStatus = async (
  build: Build,
  status: Exclude<BuildStatus, 'pending'>,
  at: string,
  actor: Actor,
): Promise<{ build: Build; changed: boolean }> => {
  const { client, tableName } = getStore();
  const outbox = outboxAppend(pendingEvents(buildSettledEvents(status), at, actor));
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: buildKey(build.app.id, build.id),
        UpdateExpression: `SET ${['#status = :status', 'updated_at = :at', ...outbox.assignments].join(', ')}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', ...outbox.names },
        ExpressionAttributeValues: { ':status': status, ':pending': 'pending', ':at': at, ...outbox.values },
        ReturnValues: 'ALL_NEW',
      }),
    );
    noteOutbox(buildKey(build.app.id, build.id));
    return { build: entityOf<Build>(Attributes ?? {}), changed: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const latest = await findBuild(build.app.id, build.id);
    if (latest?.status === status) return { build: latest, changed: false };
    throw conflict('build_status_final', `Build ${build.id} is already ${latest?.status ?? 'gone'}; its status cannot change to ${status}.`, {
      build: build.id,
      build_status: latest?.status ?? null,
    });
  }
};
