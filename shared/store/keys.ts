import { stageIndex, type Stage } from '../domain/pipeline';
import { versionSortKey } from '../domain/versioning';
import { API_KEY_PARTITIONS } from './table-design';

/**
 * Every key and index key of the table, built here alone from the layout table-design.ts documents, so
 * no two adapters can spell an item's key differently.
 */

export const APPS_PARTITION = 'APPS';
export const PIPELINES_PARTITION = 'PIPELINES';
/** Promotions with targets still to be released sit in this sparse gsi2 partition, for the reconciler. */
export const OPEN_PROMOTIONS = 'OPEN_PROMOTIONS';
/** Items with events not yet published sit in this sparse gsi3 partition, for the sweeper. */
export const OUTBOX_PARTITION = 'OUTBOX';
export const RELEASE_PREFIX = 'REL#';
export const BUILD_TIME_PREFIX = 'BUILDAT#';
export const COUPLING_PREFIX = 'COUPLING#';

export const appPartition = (appId: string) => `APP#${appId}`;
/** gsi1pk: finds any entity by its id alone. */
export const idIndexPartition = (id: string) => `ID#${id}`;

export const appKey = (name: string) => ({ pk: APPS_PARTITION, sk: `APP#${name}` });

export const buildKey = (appId: string, buildId: string) => ({ pk: appPartition(appId), sk: `BUILD#${buildId}` });
export const buildTimeSortKey = (createdAt: string, buildId: string) => `${BUILD_TIME_PREFIX}${createdAt}#${buildId}`;

export const releaseSortKey = (version: number) => `${RELEASE_PREFIX}${versionSortKey(version)}`;
export const releaseKey = (appId: string, version: number) => ({ pk: appPartition(appId), sk: releaseSortKey(version) });
export const releaseIdSortKey = (releaseId: string) => `RELID#${releaseId}`;
/** gsi2 lists an app's releases by status in version order; the update that changes the status moves it. */
export const statusIndexKeys = (appId: string, status: string, version: number) => ({
  gsi2pk: `RELSTATUS#${appId}#${status}`,
  gsi2sk: releaseSortKey(version),
});
/** Where a release's index rows for one dimension and value start (the version follows); values are free
 * text, encoded so that no `#` inside one can reach into the version part of the key. */
export const releaseIndexPrefix = (dimension: string, value: string) => `RIX#${dimension}#${encodeURIComponent(value)}#`;
export const sequenceKey = (appId: string) => ({ pk: appPartition(appId), sk: 'RELEASE_SEQUENCE' });
export const intentKey = (appId: string, releaseId: string) => ({ pk: appPartition(appId), sk: `RELEASE_INTENT#${releaseId}` });

export const CONFIG_PREFIX = 'CONFIG#';
const configVersionSortKey = (version: number) => `${CONFIG_PREFIX}${versionSortKey(version)}`;
export const configVersionKey = (appId: string, version: number) => ({ pk: appPartition(appId), sk: configVersionSortKey(version) });
/** lsi1sk of a config version: finds the version a change (a config change, a rollback) made with a consistent read. */
export const configChangeSortKey = (changeId: string) => `CONFIGCHANGE#${changeId}`;

export const lockKey = (appId: string) => ({ pk: appPartition(appId), sk: 'ROLLOUT_LOCK' });
export const waiterKey = (appId: string, version: number) => ({
  pk: appPartition(appId),
  sk: `ROLLOUT_WAITER#${versionSortKey(version)}`,
});
export const deploymentKey = (deploymentId: string) => ({ pk: `ECSDEPLOY#${deploymentId}`, sk: 'ROLLOUT' });
/** The deployment of an ECS service a rollout watches, by the cluster and service names ECS's task events carry. */
export const serviceWatchKey = (cluster: string, service: string) => ({ pk: `ECSSERVICE#${cluster}/${service}`, sk: 'ROLLOUT' });
export const releasePhaseTaskKey = (taskArn: string) => ({ pk: `ECSTASK#${taskArn}`, sk: 'RELEASE_PHASE' });

export const autoReleaseMarkerKey = (appId: string, buildId: string) => ({ pk: appPartition(appId), sk: `AUTOREL#${buildId}` });

export const pipelineKey = (name: string) => ({ pk: PIPELINES_PARTITION, sk: `PIPELINE#${name}` });
/** The coupling is keyed by its app, so "one pipeline per app" is a conditional put on one key. */
export const couplingKey = (appId: string) => ({ pk: appPartition(appId), sk: 'COUPLING' });
export const pipelineCouplingsPartition = (pipelineId: string) => `PIPELINE#${pipelineId}`;
export const couplingStageSortKey = (stage: Stage, appName: string) => `${COUPLING_PREFIX}${stageIndex(stage)}#${appName}`;

export const promotionKey = (id: string) => ({ pk: `PROMOTION#${id}`, sk: 'PROMOTION' });
export const openPromotionSortKey = (createdAt: string, id: string) => `${createdAt}#${id}`;

export const apiKeyKey = (keyHash: string) => ({ pk: `${API_KEY_PARTITIONS.itemPrefix}${keyHash}`, sk: 'APIKEY' });

/** The release an external app's host last reported deploying (ReleaseBits), one item per host. */
export const HOST_PREFIX = 'HOST#';
export const hostKey = (appId: string, host: string) => ({ pk: appPartition(appId), sk: `${HOST_PREFIX}${encodeURIComponent(host)}` });

/** An Echoes-style release declaration: its deliverables and the release recorded for each (one id for all). */
export const signalReleaseKey = (id: string) => ({ pk: `SIGNAL#${id}`, sk: 'SIGNAL_RELEASE' });

export const idempotencyRecordKey = (scopeHash: string) => ({ pk: `IDEMPOTENCY#${scopeHash}`, sk: 'IDEMPOTENCY' });

export const HOOK_PREFIX = 'HOOK#';
export const hookKey = (appId: string, hookId: string) => ({ pk: appPartition(appId), sk: `${HOOK_PREFIX}${hookId}` });
/** One delivery per hook and event: an event the bus hands over twice finds its delivery already there. */
export const deliveryKey = (hookId: string, eventId: string) => ({ pk: `${HOOK_PREFIX}${hookId}`, sk: `DELIVERY#${eventId}` });
export const DELIVERY_PREFIX = 'DELIVERY#';
/** lsi1sk of a delivery: a hook's delivery log by time, paged with Queries (`DELIVERYAT#{created_at}#{eventId}`). */
export const DELIVERY_TIME_PREFIX = 'DELIVERYAT#';
export const deliveryTimeSortKey = (createdAt: string, eventId: string) => `${DELIVERY_TIME_PREFIX}${createdAt}#${eventId}`;
