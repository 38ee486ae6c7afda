import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ReleaseRef } from '../domain/model';
import { FREE_LOCK, type RolloutLock } from '../domain/rollout';
import type { ItemRead } from './batch-get';
import { getStore, whenConditionHolds } from './client';
import { ecsNameOf } from '../domain/task-progress';
import { deploymentKey, lockKey, serviceWatchKey, waiterKey } from './keys';

/**
 * The rollout's own items (see table-design.ts): an app's lock, the task tokens of releases waiting
 * for it, and the task token of the deployment a rollout waits on, keyed so each is one GetItem.
 */

type LockItem = {
  holder_release_id?: string;
  holder_execution?: string;
  holder_version?: number;
  acquired_at?: string;
  expires_at?: string;
  settled_through?: number;
  rescue_release_id?: string;
  rescue_version?: number;
};

export const getRolloutLock = async (appId: string): Promise<RolloutLock> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: lockKey(appId), ConsistentRead: true }));
  return Item ? lockOf(Item) : FREE_LOCK;
};

/** The app's rollout lock, to read along with other items (no item: the lock is free). */
export const rolloutLockOf = (appId: string): ItemRead<RolloutLock> => ({ key: lockKey(appId), entityOf: lockOf });

const lockOf = (stored: Record<string, unknown>): RolloutLock => {
  const item = stored as LockItem;
  return {
    holder:
      item.holder_release_id && item.holder_version !== undefined && item.acquired_at && item.expires_at
        ? {
            release_id: item.holder_release_id,
            version: item.holder_version,
            acquired_at: item.acquired_at,
            expires_at: item.expires_at,
            execution: item.holder_execution ?? item.holder_release_id,
          }
        : null,
    settled_through: item.settled_through ?? 0,
    rescue:
      item.rescue_release_id && item.rescue_version !== undefined
        ? { id: item.rescue_release_id, version: item.rescue_version }
        : null,
  };
};

/**
 * Names `rescue` as the rollback the queue gives way to, unless a newer rollback already is: from here on
 * every decider of the lock supersedes the releases below it instead of running them.
 */
export const markRescue = (appId: string, rescue: ReleaseRef): Promise<boolean> =>
  updateLockIf(appId, {
    UpdateExpression: 'SET #type = :type, rescue_release_id = :id, rescue_version = :version',
    ConditionExpression: 'attribute_not_exists(rescue_version) OR rescue_version < :version',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':type': 'rollout_lock', ':id': rescue.id, ':version': rescue.version },
  });

/** One conditional update of the lock; false when its condition no longer held. */
const updateLockIf = async (appId: string, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() => client.send(new UpdateCommand({ TableName: tableName, Key: lockKey(appId), ...update })));
};

/**
 * Gives the lock to `next`, only if it is still as the caller saw it: held by `from`, or free (absent,
 * released, or expired by `now`) when `from` is null. One conditional write, so two deciders never both win.
 */
export const handLockTo = async (
  appId: string,
  next: { releaseId: string; version: number; expiresAt: string },
  from: string | null,
  settledThrough: number,
  now: Date,
): Promise<boolean> =>
  updateLockIf(appId, {
    UpdateExpression:
      'SET #type = :type, holder_release_id = :id, holder_execution = :id, holder_version = :version, acquired_at = :now, expires_at = :expires, settled_through = :settled',
    ConditionExpression:
      from === null ? 'attribute_not_exists(holder_release_id) OR expires_at <= :now' : 'holder_release_id = :from',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':type': 'rollout_lock',
      ':id': next.releaseId,
      ':version': next.version,
      ':now': now.toISOString(),
      ':expires': next.expiresAt,
      ':settled': settledThrough,
      ...(from === null ? {} : { ':from': from }),
    },
  });

/**
 * Lets the holder keep the lock until `expiresAt` (a release phase makes its rollout longer than a deployment's
 * deadline); never shortens a hold, and only while `releaseId` holds it.
 */
export const extendLockHold = (appId: string, releaseId: string, expiresAt: string): Promise<boolean> =>
  updateLockIf(appId, {
    UpdateExpression: 'SET expires_at = :expires',
    ConditionExpression: 'holder_release_id = :id AND expires_at < :expires',
    ExpressionAttributeValues: { ':id': releaseId, ':expires': expiresAt },
  });

/** Frees the lock if `holder` still holds it. The item stays: it remembers how far the queue has settled. */
export const freeLock = (appId: string, holder: string, settledThrough: number): Promise<boolean> =>
  updateLockIf(appId, {
    UpdateExpression: 'REMOVE holder_release_id, holder_execution, holder_version, acquired_at, expires_at SET settled_through = :settled',
    ConditionExpression: 'holder_release_id = :holder',
    ExpressionAttributeValues: { ':holder': holder, ':settled': settledThrough },
  });

/**
 * Names `to` as the execution running the lock's holder, only if the lock still names `from`: of two
 * deciders that found the holder's execution dead, one starts the rerun.
 */
export const switchHolderExecution = (appId: string, releaseId: string, from: string, to: string): Promise<boolean> =>
  updateLockIf(appId, {
    UpdateExpression: 'SET holder_execution = :to',
    ConditionExpression:
      from === releaseId
        ? 'holder_release_id = :id AND (attribute_not_exists(holder_execution) OR holder_execution = :from)'
        : 'holder_release_id = :id AND holder_execution = :from',
    ExpressionAttributeValues: { ':id': releaseId, ':from': from, ':to': to },
  });

/** A queued release's execution, parked until the lock is handed to it. */
export const putLockWaiter = async (appId: string, version: number, releaseId: string, taskToken: string): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...waiterKey(appId, version),
        type: 'rollout_waiter',
        release_id: releaseId,
        task_token: taskToken,
        stored_at: new Date().toISOString(),
      },
    }),
  );
};

export const findLockWaiterToken = async (appId: string, version: number): Promise<string | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: waiterKey(appId, version), ConsistentRead: true }),
  );
  return typeof Item?.task_token === 'string' ? Item.task_token : undefined;
};

export const deleteLockWaiter = async (appId: string, version: number): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new DeleteCommand({ TableName: tableName, Key: waiterKey(appId, version) }));
};

/** Which release an ECS deployment belongs to, and the token of the step waiting for it to end. */
export type DeploymentWatch = {
  deploymentId: string;
  appId: string;
  version: number;
  releaseId: string;
  cluster: string;
  service: string;
  taskToken: string;
};

/** The watch, and beside it which deployment of its service is watched, for the events of the service's tasks. */
export const putDeploymentWatch = async (watch: DeploymentWatch): Promise<void> => {
  const { client, tableName } = getStore();
  const cluster = ecsNameOf(watch.cluster);
  const service = ecsNameOf(watch.service);
  await Promise.all([
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...deploymentKey(watch.deploymentId),
          type: 'rollout_deployment',
          deployment_id: watch.deploymentId,
          app_id: watch.appId,
          version: watch.version,
          release_id: watch.releaseId,
          cluster: watch.cluster,
          service: watch.service,
          task_token: watch.taskToken,
        },
      }),
    ),
    // An update, not a put: the AwaitDeployment step parks again every few minutes, and the pace of progress reads
    // (progress_read_at) outlasts that.
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: serviceWatchKey(cluster, service),
        UpdateExpression: 'SET #type = :type, #cluster = :cluster, #service = :service, deployment_id = :deployment',
        ExpressionAttributeNames: { '#type': 'type', '#cluster': 'cluster', '#service': 'service' },
        ExpressionAttributeValues: { ':type': 'rollout_service_watch', ':cluster': cluster, ':service': service, ':deployment': watch.deploymentId },
      }),
    ),
  ]);
};

/** The deployment a rollout last watched on a service, and the latest progress read planned for it (epoch ms). */
export type ServiceWatch = { deploymentId: string; progressReadAt: number | null };

export const findServiceWatch = async (cluster: string, service: string): Promise<ServiceWatch | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: serviceWatchKey(cluster, service), ConsistentRead: true }));
  if (typeof Item?.deployment_id !== 'string') return undefined;
  return { deploymentId: Item.deployment_id, progressReadAt: typeof Item.progress_read_at === 'number' ? Item.progress_read_at : null };
};

/**
 * Plans the next progress read of the service's watched deployment at `at`, if the watch still names that
 * deployment and no one planned another read since `seen` was read. False when either changed.
 */
export const planProgressRead = async (cluster: string, service: string, seen: ServiceWatch, at: number): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: serviceWatchKey(cluster, service),
        UpdateExpression: 'SET progress_read_at = :at',
        ConditionExpression: `deployment_id = :deployment AND ${seen.progressReadAt === null ? 'attribute_not_exists(progress_read_at)' : 'progress_read_at = :seen'}`,
        ExpressionAttributeValues: {
          ':at': at,
          ':deployment': seen.deploymentId,
          ...(seen.progressReadAt === null ? {} : { ':seen': seen.progressReadAt }),
        },
      }),
    ),
  );
};

export const findDeploymentWatch = async (deploymentId: string): Promise<DeploymentWatch | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: deploymentKey(deploymentId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    deploymentId: String(Item.deployment_id),
    appId: String(Item.app_id),
    version: Number(Item.version),
    releaseId: String(Item.release_id),
    cluster: String(Item.cluster),
    service: String(Item.service),
    taskToken: String(Item.task_token),
  };
};

export const deleteDeploymentWatch = async (deploymentId: string): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new DeleteCommand({ TableName: tableName, Key: deploymentKey(deploymentId) }));
};
