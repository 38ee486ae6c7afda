import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, notFound } from '../domain/errors';
import { releaseChangeEvents, releaseCreationEvents, type PendingEvent } from '../domain/events';
import type { Actor, Release, ReleaseStatus } from '../domain/model';
import type { ItemRead } from './batch-get';
import { entityOf, findNewestOfApp, findOfAppByLocalKey, getStore, isConditionFailure, putIfAbsent } from './client';
import { noteOutbox, outboxAppend, outboxOfNewItem, pendingEvents } from './outbox-store';
import { RELEASE_PREFIX, appPartition, idIndexPartition, releaseIdSortKey, releaseKey, releaseSortKey, statusIndexKeys } from './keys';


/** The item as stored: the release plus its keys. Exported for the bench, which seeds long histories. */
export const releaseItem = (release: Release) => ({
  ...releaseKey(release.app.id, release.version),
  ...statusIndexKeys(release.app.id, release.status, release.version),
  lsi1sk: releaseIdSortKey(release.id),
  gsi1pk: idIndexPartition(release.id),
  gsi1sk: 'RELEASE',
  type: 'release',
  ...release,
});

/** The new release's item with the events its creation announces (its outbox). */
const newReleaseItem = (release: Release) => ({
  ...releaseItem(release),
  ...outboxOfNewItem(pendingEvents(releaseCreationEvents(release), release.created_at, release.user)),
});

/**
 * Writes the release into its version slot, with its creation events. Returns false when another writer
 * took that version first; the caller then retries with the next version. One conditional put: a release
 * is whole or absent, and so are the events that announce it.
 */
export const claimReleaseVersion = async (release: Release): Promise<boolean> => {
  const placed = await putIfAbsent(newReleaseItem(release));
  if (placed) noteOutbox(releaseKey(release.app.id, release.version));
  return placed;
};

export const findLatestRelease = async (appId: string): Promise<Release | undefined> => {
  const item = await findNewestOfApp(appId, RELEASE_PREFIX);
  return item ? entityOf<Release>(item) : undefined;
};


/** The release at `version`, to read along with other items. */
export const releaseAt = (appId: string, version: number): ItemRead<Release> => ({
  key: releaseKey(appId, version),
  entityOf: (item) => entityOf<Release>(item),
});

export const findReleaseByVersion = async (appId: string, version: number): Promise<Release | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: releaseKey(appId, version), ConsistentRead: true }),
  );
  return Item ? entityOf<Release>(Item) : undefined;
};

export const findReleaseById = (appId: string, releaseId: string): Promise<Release | undefined> =>
  findOfAppByLocalKey<Release>(appId, releaseIdSortKey(releaseId));

export type ReleasePageRequest = {
  afterVersion: number;
  /** Only versions below this one; none when absent. */
  beforeVersion?: number | undefined;
  /** Newest first: the page starts at the highest version in range. */
  descending?: boolean | undefined;
  limit: number;
  status?: ReleaseStatus | undefined;
};

export type ReleasePage = { releases: Release[]; lastVersion: number | null; hasMore: boolean };

/**
 * One page of an app's releases in version order (ascending unless `descending`), within a key range that
 * starts right after the cursor's version (or ends before a bound), so page cost does not grow with history. Filters may need more than one Query to fill a page.
 */
export const listReleasePage = async (appId: string, request: ReleasePageRequest): Promise<ReleasePage> => {
  if (request.beforeVersion !== undefined && request.beforeVersion <= request.afterVersion + 1) {
    return { releases: [], lastVersion: null, hasMore: false };
  }
  const { client, tableName } = getStore();
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':app': appPartition(appId),
    ':from': releaseSortKey(request.afterVersion + 1),
    ':to': request.beforeVersion === undefined ? `${RELEASE_PREFIX}9999999999` : releaseSortKey(request.beforeVersion - 1),
  };
  if (request.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = request.status;
  }

  const releases: Release[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :app AND sk BETWEEN :from AND :to',
        FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
        ExpressionAttributeNames: filters.length > 0 && Object.keys(names).length > 0 ? names : undefined,
        ExpressionAttributeValues: values,
        // One more than asked tells whether another page exists without a second round trip.
        Limit: request.limit + 1 - releases.length,
        ExclusiveStartKey: startKey,
        ScanIndexForward: request.descending !== true,
        ConsistentRead: true,
      }),
    );
    releases.push(...(page.Items ?? []).map((item) => entityOf<Release>(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey && releases.length <= request.limit);

  const hasMore = releases.length > request.limit;
  const pageReleases = releases.slice(0, request.limit);
  return { releases: pageReleases, lastVersion: pageReleases.at(-1)?.version ?? null, hasMore };
};

/** Fields of a release that change after it is created. */
export type ReleaseChanges = Partial<
  Pick<Release, 'status' | 'state' | 'started_at' | 'finished_at' | 'rollout' | 'checks' | 'superseded_by' | 'deployments' | 'release_phase'>
>;

/**
 * Applies `changes` only if the release is still at `expectedRevision`, bumping the revision. Returns the
 * updated release, or undefined when another writer got there first (re-read and decide again).
 */
export const updateReleaseAtRevision = async (
  release: Pick<Release, 'app' | 'version'>,
  expectedRevision: number,
  changes: ReleaseChanges,
  at: string,
  events: readonly PendingEvent[] = [],
): Promise<Release | undefined> => {
  const { client, tableName } = getStore();
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
  const outbox = outboxAppend(events);
  const names: Record<string, string> = { '#revision': 'revision', ...outbox.names };
  const values: Record<string, unknown> = { ':expected': expectedRevision, ':next': expectedRevision + 1, ':at': at, ...outbox.values };
  const assignments = ['#revision = :next', 'updated_at = :at', ...outbox.assignments];
  if (changes.status !== undefined) {
    const index = statusIndexKeys(release.app.id, changes.status, release.version);
    values[':statusIndex'] = index.gsi2pk;
    values[':statusSort'] = index.gsi2sk;
    assignments.push('gsi2pk = :statusIndex', 'gsi2sk = :statusSort');
  }
  entries.forEach(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:v${index}`] = value;
    assignments.push(`#f${index} = :v${index}`);
  });
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: releaseKey(release.app.id, release.version),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND #revision = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (events.length > 0) noteOutbox(releaseKey(release.app.id, release.version));
    return Attributes ? entityOf<Release>(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

/** Bounds the optimistic-concurrency retries of writers racing on one release. */
const MAX_RELEASE_UPDATES = 200;

/**
 * Read-modify-write of one release under optimistic concurrency: `decide` sees the latest release and
 * returns the changes to make (or null for none); a concurrent change makes it decide again. The events
 * the change announces (`releaseChangeEvents`) are written with it, caused by `actor` (null: Slipway itself).
 */
export const mutateRelease = async (
  appId: string,
  version: number,
  decide: (release: Release) => ReleaseChanges | null,
  actor: Actor | null = null,
): Promise<Release> => {
  for (let attempt = 1; attempt <= MAX_RELEASE_UPDATES; attempt++) {
    const release = await findReleaseByVersion(appId, version);
    if (!release) throw notFound('release', `v${version}`);
    const changes = decide(release);
    if (changes === null) return release;
    const at = new Date().toISOString();
    const events = pendingEvents(releaseChangeEvents(release, changes), at, actor);
    const updated = await updateReleaseAtRevision(release, release.revision, changes, at, events);
    if (updated) return updated;
    await sleep(Math.random() * Math.min(50, attempt * 2));
  }
  throw new DomainError('conflict', 'release_contention', `Release v${version} is changing too fast; retry shortly.`, {
    version,
  });
};
