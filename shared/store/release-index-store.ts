import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexedDimension } from '../domain/release-filter';
import { indexedValueOf } from '../domain/release-filter';
import type { Release } from '../domain/model';
import { versionSortKey } from '../domain/versioning';
import { getItemsConsistently } from './batch-get';
import { entityOf, getStore, whenConditionHolds } from './client';
import { appPartition, RELEASE_PREFIX, releaseIndexPrefix, releaseKey, statusIndexKeys } from './keys';

/**
 * Index rows written beside each release in its app's partition (see table-design.ts):
 * `RIX#{dimension}#{value}#{version}` for what never changes after a release is recorded (build, its CI
 * build id, revision, version label, trigger, creation time). In the partition, not a GSI: they are read with the same strongly
 * consistent Query as the releases, and need no new index on the deployed table. Status changes, so it is
 * indexed on the release item itself (gsi2, moved by the very update that changes it).
 */
const STATIC_DIMENSIONS = ['build', 'ci_build', 'revision', 'version', 'trigger'] as const satisfies readonly IndexedDimension[];
const LAST_VERSION_KEY = '9999999999';

export const releaseIndexRows = (release: Release): Record<string, unknown>[] => {
  const row = (prefix: string) => ({
    pk: appPartition(release.app.id),
    sk: `${prefix}${versionSortKey(release.version)}`,
    type: 'release_index',
    release_id: release.id,
    version: release.version,
  });
  const rows = STATIC_DIMENSIONS.flatMap((dimension) => {
    const value = indexedValueOf(release, dimension);
    return value === null ? [] : [row(releaseIndexPrefix(dimension, value))];
  });
  return [...rows, row(releaseIndexPrefix('at', release.created_at))];
};

/** Idempotent: written before the release takes its slot, so a placed release always has its rows. */
export const putReleaseIndexRows = async (release: Release): Promise<void> => {
  const { client, tableName } = getStore();
  let pending = releaseIndexRows(release).map((Item) => ({ PutRequest: { Item } }));
  while (pending.length > 0) {
    const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
    pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
  }
};

export type VersionSpan = { from: number; to: number };
/** A version a Query found; the release itself when the Query returns whole releases. */
export type Candidate = { version: number; releaseId?: string; release?: Release };
type CandidatePage = { candidates: Candidate[]; next: Record<string, unknown> | undefined };
export type CandidateQuery = (limit: number, startKey: Record<string, unknown> | undefined) => Promise<CandidatePage>;

/** One Query over a key range in version order: the app's releases, an index row range, or gsi2 by status. */
export const candidateQuery = (
  appId: string,
  source: { dimension: IndexedDimension; value: string } | undefined,
  span: VersionSpan,
  descending: boolean,
): CandidateQuery => {
  const { client, tableName } = getStore();
  const between = (prefix: string) => ({ ':from': `${prefix}${versionSortKey(span.from)}`, ':to': `${prefix}${versionSortKey(span.to)}` });
  const input =
    source === undefined
      ? { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', values: { ':pk': appPartition(appId), ...between(RELEASE_PREFIX) } }
      : source.dimension === 'status'
        ? {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
            values: { ':pk': statusIndexKeys(appId, source.value, 0).gsi2pk, ...between(RELEASE_PREFIX) },
          }
        : {
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            values: { ':pk': appPartition(appId), ...between(releaseIndexPrefix(source.dimension, source.value)) },
          };
  return async (limit, startKey) => {
    const { IndexName, KeyConditionExpression, values } = input as typeof input & { IndexName?: string };
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName,
        KeyConditionExpression,
        ExpressionAttributeValues: values,
        Limit: limit,
        ExclusiveStartKey: startKey,
        ScanIndexForward: !descending,
        // GSIs offer no consistent reads; what they return is re-checked on the release as read.
        ConsistentRead: IndexName === undefined,
      }),
    );
    const candidates = (page.Items ?? []).map((item): Candidate =>
      item.type === 'release_index'
        ? { version: item.version as number, releaseId: item.release_id as string }
        : { version: item.version as number, release: entityOf<Release>(item) },
    );
    return { candidates, next: page.LastEvaluatedKey };
  };
};

/** The releases behind index rows, read consistently; a row whose slot holds another release (or none) yields nothing. */
export const releasesOfCandidates = async (appId: string, candidates: readonly Candidate[]): Promise<Release[]> => {
  const wanted = candidates.filter((candidate) => candidate.release === undefined);
  const items = await getItemsConsistently(wanted.map((candidate) => releaseKey(appId, candidate.version)));
  const found = new Map<number, Release>();
  for (const item of items) {
    if (!item) continue;
    const release = entityOf<Release>(item);
    found.set(release.version, release);
  }
  return candidates.flatMap((candidate) => {
    if (candidate.release) return [candidate.release];
    const release = found.get(candidate.version);
    return release && release.id === candidate.releaseId ? [release] : [];
  });
};

/**
 * The versions of releases created in [since, until], widened by `slackMs` (versions follow creation
 * times only to within it): two small Queries per bound on the `at` rows, so the cost is that of the
 * releases created near the bound, never of the history. Null when no release can be in the window.
 */
export const versionSpanOfTimes = async (
  appId: string,
  times: { since?: string | undefined; until?: string | undefined },
  slackMs: number,
): Promise<VersionSpan | null> => {
  const { client, tableName } = getStore();
  const atKey = (time: string, version: string) => `${releaseIndexPrefix('at', time)}${version}`;
  const shifted = (time: string, ms: number) => new Date(Date.parse(time) + ms).toISOString();
  const rowsBetween = async (from: string, to: string, options: { limit?: number; descending?: boolean } = {}) => {
    const rows: { version: number; at: string }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': appPartition(appId), ':from': from, ':to': to },
          ScanIndexForward: options.descending !== true,
          Limit: options.limit,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        rows.push({ version: item.version as number, at: decodeURIComponent((item.sk as string).split('#')[2] ?? '') });
      }
      startKey = options.limit === undefined ? page.LastEvaluatedKey : undefined;
    } while (startKey);
    return rows;
  };
  const allTimes = { from: atKey('0', ''), to: atKey('9', LAST_VERSION_KEY) };
  const since = times.since === undefined ? undefined : new Date(times.since).toISOString();
  const until = times.until === undefined ? undefined : new Date(times.until).toISOString();
  const lower = since === undefined ? allTimes.from : atKey(since, '');
  const upper = until === undefined ? allTimes.to : atKey(until, LAST_VERSION_KEY);
  let from = 1;
  let to = Number(LAST_VERSION_KEY);
  if (since !== undefined) {
    const [first] = await rowsBetween(lower, upper, { limit: 1 });
    if (!first) return null;
    // A lower version created later than `first` was created within the slack after it.
    const near = await rowsBetween(lower, atKey(shifted(first.at, slackMs), LAST_VERSION_KEY));
    from = Math.min(...near.map((row) => row.version));
  }
  if (until !== undefined) {
    const [last] = await rowsBetween(lower, upper, { limit: 1, descending: true });
    if (!last) return null;
    const near = await rowsBetween(atKey(shifted(last.at, -slackMs), ''), upper);
    to = Math.max(...near.map((row) => row.version));
  }
  return from <= to ? { from, to } : null;
};

/** Keeps one Query's answers in hand and reads on when they run out, so several can be merged in order. */
class CandidateStream {
  private buffer: Candidate[] = [];
  private startKey: Record<string, unknown> | undefined;
  private done = false;

  constructor(
    private readonly query: CandidateQuery,
    private readonly chunk: number,
  ) {}

  async peek(): Promise<Candidate | undefined> {
    while (this.buffer.length === 0 && !this.done) {
      const page = await this.query(this.chunk, this.startKey);
      this.buffer = page.candidates;
      this.startKey = page.next;
      this.done = page.next === undefined;
    }
    return this.buffer[0];
  }

  take(): Candidate | undefined {
    return this.buffer.shift();
  }
}

export type FilteredPageRequest = {
  span: VersionSpan;
  descending: boolean;
  limit: number;
  /** Each a Query in version order; their union is merged (an empty list: the app's releases). */
  sources: readonly ({ dimension: IndexedDimension; value: string } | undefined)[];
  accept: (release: Release) => boolean;
};

/**
 * One page of releases in version order from the merged Queries, read in chunks of about a page, keeping
 * those `accept` takes; one more than the limit tells whether another page exists.
 */
export const findFilteredReleasePage = async (
  appId: string,
  request: FilteredPageRequest,
): Promise<{ releases: Release[]; hasMore: boolean }> => {
  // A page's worth (and one more) per Query: an unfiltered page stays the single Query it always was.
  const chunk = request.limit + 1;
  const streams = request.sources.map((source) => new CandidateStream(candidateQuery(appId, source, request.span, request.descending), chunk));
  const before = (a: number, b: number) => (request.descending ? a > b : a < b);
  const nextCandidate = async (): Promise<Candidate | undefined> => {
    let best: CandidateStream | undefined;
    let bestVersion = 0;
    for (const stream of streams) {
      const head = await stream.peek();
      if (head && (best === undefined || before(head.version, bestVersion))) {
        best = stream;
        bestVersion = head.version;
      }
    }
    return best?.take();
  };
  const releases: Release[] = [];
  const seen = new Set<number>();
  for (;;) {
    const batch: Candidate[] = [];
    while (batch.length < chunk) {
      const candidate = await nextCandidate();
      if (!candidate) break;
      if (seen.has(candidate.version)) continue;
      seen.add(candidate.version);
      batch.push(candidate);
    }
    releases.push(...(await releasesOfCandidates(appId, batch)).filter(request.accept));
    if (releases.length > request.limit || batch.length < chunk) break;
  }
  return { releases: releases.slice(0, request.limit), hasMore: releases.length > request.limit };
};

/**
 * Indexes the releases an app recorded before index rows existed (they lack `build_labels`, or the gsi2
 * status keys): writes their rows and sets the status keys, unless a status change set them meanwhile.
 * Idempotent; pages through the app's releases once. Returns how many releases it indexed.
 */
export const indexUnindexedReleases = async (appId: string): Promise<number> => {
  const { client, tableName } = getStore();
  let indexed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :releases)',
        FilterExpression: 'attribute_not_exists(gsi2pk) OR attribute_not_exists(build_labels)',
        ExpressionAttributeValues: { ':pk': appPartition(appId), ':releases': RELEASE_PREFIX },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const release = entityOf<Release>(item);
      await putReleaseIndexRows(release);
      const keys = statusIndexKeys(appId, release.status, release.version);
      await whenConditionHolds(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: releaseKey(appId, release.version),
            UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
            ConditionExpression: '#status = :status AND attribute_not_exists(gsi2pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': keys.gsi2pk, ':sk': keys.gsi2sk, ':status': release.status },
          }),
        ),
      );
      indexed += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return indexed;
};
