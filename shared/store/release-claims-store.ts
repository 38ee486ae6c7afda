import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Release } from '../domain/model';
import { logger } from '../observability/logger';
import { entityOf, getStore, isConditionFailure, putIfAbsent, whenConditionHolds } from './client';
import { intentKey, releaseKey, sequenceKey } from './keys';
import { findLatestConfigVersion } from './config-store';
import { advanceCurrentRelease } from './apps-store';
import { putReleaseIndexRows } from './release-index-store';
import { claimReleaseVersion, findLatestRelease, findReleaseByVersion } from './releases-store';

/**
 * How a release gets its version without a transaction, a gap or a race of many writers on one slot
 * (see table-design.ts):
 *
 * 1. the release is written whole as an intent, keyed by its id (no contention: one key per release);
 * 2. one update of the app's version sequence takes the next number and records `claims[id] = version`
 *    in the same write: the commit point. Writers queue on that item but never fail and retry, so the
 *    cost per release is constant however many write at once;
 * 3. the intent is copied into its version slot, then the intent and the claim are removed.
 *
 * A crash after 2 leaves a claim whose intent still holds the whole release, so anyone who finds the
 * claim stale rolls it forward into its slot: a claimed version is never left empty.
 */

/**
 * Versions taken in the sequence whose release is not in its slot yet, by release id; the claims revoked by
 * writers that gave up, and the releases placed lately, with when (each kept until no late claim request
 * can arrive any more).
 */
export type PendingClaims = ReadonlyMap<string, { version: number; claimedAt: string }> & {
  revokedAt?: ReadonlyMap<string, string>;
  placedAt?: ReadonlyMap<string, string>;
};

/** A release placed in its slot, kept in the sequence for a while so that a late claim under its id meets it. */
type Placed = { version: number; at: string };

type SequenceItem = {
  last_version?: number;
  claims?: Record<string, number>;
  claimed_at?: Record<string, string>;
  revoked?: Record<string, string>;
  placed?: Record<string, Placed>;
};

const pendingClaimsOf = (item: SequenceItem | undefined): PendingClaims =>
  Object.assign(
    new Map(
      Object.entries(item?.claims ?? {}).map(([releaseId, version]) => [
        releaseId,
        { version, claimedAt: item?.claimed_at?.[releaseId] ?? '' },
      ]),
    ),
    {
      revokedAt: new Map(Object.entries(item?.revoked ?? {})),
      placedAt: new Map(Object.entries(item?.placed ?? {}).map(([releaseId, placed]) => [releaseId, placed.at])),
    },
  );

/** Whether the sequence holds nothing to settle: no claim pending, none revoked or placed lately. */
const isQuiet = (claims: PendingClaims): boolean => claims.size === 0 && (claims.revokedAt?.size ?? 0) === 0 && (claims.placedAt?.size ?? 0) === 0;

/** The release, waiting for its version; false when an intent with this id exists already. */
export const putReleaseIntent = (release: Release): Promise<boolean> =>
  putIfAbsent({ ...intentKey(release.app.id, release.id), type: 'release_intent', ...release });

const findReleaseIntent = async (appId: string, releaseId: string): Promise<Release | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: intentKey(appId, releaseId), ConsistentRead: true }));
  return Item ? entityOf<Release>(Item) : undefined;
};

/**
 * The config version a release runs with: the app's newest, read after the release's version was claimed,
 * by whoever places it (its writer, or a roll-forward). A config change claims its release's version only
 * after writing its config, and a rollback only after writing its target's config as the newest, so the
 * newest release always carries the newest config and racing changes lose no key: a change racing a
 * rollback builds on the restored config when written after it and is undone by it when written before.
 */
export const newestConfigVersion = async (appId: string): Promise<number | null> =>
  (await findLatestConfigVersion(appId))?.version ?? null;

export const deleteReleaseIntent = async (appId: string, releaseId: string): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(new DeleteCommand({ TableName: tableName, Key: intentKey(appId, releaseId) }));
};

/**
 * Creates an app's sequence at its newest stored version (apps whose releases predate the sequence).
 * Two writers may race to create it: the conditional put lets one win and both go on.
 */
const createSequence = async (appId: string): Promise<void> => {
  const latest = await findLatestRelease(appId);
  await putIfAbsent({
    ...sequenceKey(appId),
    type: 'release_sequence',
    last_version: latest?.version ?? 0,
    claims: {},
    claimed_at: {},
    revoked: {},
    placed: {},
  });
};

/**
 * Takes the next version for `releaseId`, or the one after `taken` when that version turned out to be
 * occupied already (a release written outside the sequence): one conditional update, `claims[id]` set
 * in the same write as the counter. Idempotent: a retried call (an answer the SDK lost and sent again)
 * meets its own claim and returns it.
 */
export const claimNextVersion = async (
  appId: string,
  releaseId: string,
  at: string,
  options: { taken?: number; abortSignal?: AbortSignal } = {},
): Promise<number> => {
  const { client, tableName } = getStore();
  for (;;) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: sequenceKey(appId),
          UpdateExpression: 'SET last_version = last_version + :one, claims.#id = last_version + :one, claimed_at.#id = :at',
          ConditionExpression:
            options.taken === undefined
              ? 'attribute_exists(last_version) AND attribute_not_exists(claims.#id) AND attribute_not_exists(revoked.#id) AND attribute_not_exists(placed.#id)'
              : 'attribute_exists(last_version) AND claims.#id = :taken',
          ExpressionAttributeNames: { '#id': releaseId },
          ExpressionAttributeValues: { ':one': 1, ':at': at, ...(options.taken === undefined ? {} : { ':taken': options.taken }) },
          ReturnValues: 'ALL_NEW',
        }),
        { abortSignal: options.abortSignal },
      );
      const version = (Attributes as SequenceItem | undefined)?.claims?.[releaseId];
      if (version === undefined) throw new Error(`the version claim of release ${releaseId} was not recorded`);
      return version;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: sequenceKey(appId), ConsistentRead: true }));
    const sequence = Item as SequenceItem | undefined;
    // Placed already, by a call with the same id that claimed, placed and settled while this one was on its way.
    const placed = sequence?.placed?.[releaseId];
    if (placed !== undefined) return placed.version;
    const mine = sequence?.claims?.[releaseId];
    if (mine !== undefined && mine !== options.taken) return mine;
    if (!sequence) await createSequence(appId);
    else if (sequence.revoked?.[releaseId] !== undefined) await forgetSettled(appId, { revoked: [releaseId] });
    else if (mine === undefined && options.taken !== undefined) throw new Error(`release ${releaseId} lost its version claim`);
  }
};

/**
 * Makes sure a claim request that was cut short (timed out, aborted) can never land later: records its
 * revocation in the sequence, which the claim's own condition refuses. Writes to one item are
 * serialized, so either the claim landed first (its version is returned: the release must be placed)
 * or it never will (null: nothing was claimed).
 */
export const revokeClaim = async (appId: string, releaseId: string, at: string): Promise<number | null> => {
  const { client, tableName } = getStore();
  for (;;) {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: sequenceKey(appId),
          UpdateExpression: 'SET revoked.#id = :at',
          ConditionExpression: 'attribute_exists(last_version) AND attribute_not_exists(claims.#id)',
          ExpressionAttributeNames: { '#id': releaseId },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: sequenceKey(appId), ConsistentRead: true }));
    // No sequence yet: no claim could land (its condition needs one) but after another writer's first claim.
    if (!Item) return null;
    const landed = (Item as SequenceItem).claims?.[releaseId];
    if (landed !== undefined) return landed;
  }
};

/**
 * Lifts revocations and placements: a revocation for a new attempt under the same release id (a retried
 * request), and both once no late request can meet them any more.
 */
const forgetSettled = async (appId: string, settled: { revoked?: readonly string[]; placed?: readonly string[] }): Promise<void> => {
  const paths = [
    ...(settled.revoked ?? []).map((releaseId) => ({ map: 'revoked', releaseId })),
    ...(settled.placed ?? []).map((releaseId) => ({ map: 'placed', releaseId })),
  ];
  if (paths.length === 0) return;
  const { client, tableName } = getStore();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: sequenceKey(appId),
      UpdateExpression: `REMOVE ${paths.map(({ map }, index) => `${map}.#id${index}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(paths.map(({ releaseId }, index) => [`#id${index}`, releaseId])),
    }),
  );
};

/**
 * The release is in its slot: its claim no longer holds back the queue, and it is noted as placed, so that a
 * concurrent call with the same id that has yet to claim meets it instead of taking a second version.
 * Returns the claims still pending.
 */
export const settleClaim = async (appId: string, releaseId: string, version: number): Promise<PendingClaims> => {
  const { client, tableName } = getStore();
  const settle = () =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sequenceKey(appId),
        UpdateExpression: 'SET placed.#id = :placed REMOVE claims.#id, claimed_at.#id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#id': releaseId },
        ExpressionAttributeValues: { ':placed': { version, at: new Date().toISOString() } satisfies Placed },
        ReturnValues: 'ALL_NEW',
      }),
    );
  let answer: Awaited<ReturnType<typeof settle>>;
  try {
    answer = await settle();
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ValidationException')) throw error;
    // A sequence from before placements were noted has no map to note them in: it gets one.
    await whenConditionHolds(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: sequenceKey(appId),
          UpdateExpression: 'SET placed = :none',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(placed)',
          ExpressionAttributeValues: { ':none': {} },
        }),
      ),
    );
    answer = await settle();
  }
  return pendingClaimsOf(answer.Attributes as SequenceItem | undefined);
};

/** The release at its version: one conditional put keyed by the version; the holder when it was taken. */
export const placeInSlot = async (release: Release): Promise<Release> => {
  // Rows first: whoever finds the release in its slot finds it through its index rows too.
  await putReleaseIndexRows(release);
  if (await claimReleaseVersion(release)) return release;
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: releaseKey(release.app.id, release.version), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`version slot ${release.version} of app ${release.app.id} is neither free nor taken`);
  return entityOf<Release>(Item);
};

/**
 * Gives a version back, only while it is still the newest claimed and no release holds its slot:
 * afterwards the version is spoken for and its release must be placed, or a gap would open.
 */
export const withdrawClaim = async (appId: string, releaseId: string, version: number): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sequenceKey(appId),
        UpdateExpression: 'SET last_version = last_version - :one REMOVE claims.#id, claimed_at.#id',
        ConditionExpression: 'last_version = :version AND claims.#id = :version',
        ExpressionAttributeNames: { '#id': releaseId },
        ExpressionAttributeValues: { ':one': 1, ':version': version },
      }),
    ),
  );
};


/** Whether a claim (or a revocation) made at a time has lost its writer: it is then stale. */
export type StalenessTest = (at: string) => boolean;

/**
 * Claims whose writer died (or gave up) between claim and slot: their intent holds the release, so it is
 * placed for them, with the config it would have had. Returns the claims still pending.
 */
export const rollStaleClaimsForward = async (appId: string, claims: PendingClaims, isStale: StalenessTest): Promise<PendingClaims> => {
  const expired = (notes: ReadonlyMap<string, string> | undefined) => [...(notes ?? [])].filter(([, at]) => isStale(at)).map(([releaseId]) => releaseId);
  await forgetSettled(appId, { revoked: expired(claims.revokedAt), placed: expired(claims.placedAt) });
  const remaining = new Map(claims);
  for (const [releaseId, claim] of claims) {
    if (!isStale(claim.claimedAt)) continue;
    const intent = await findReleaseIntent(appId, releaseId);
    const holder = intent
      ? await placeInSlot({ ...intent, version: claim.version, config_version: await newestConfigVersion(appId) })
      : await findReleaseByVersion(appId, claim.version);
    if (holder?.id !== releaseId) {
      // Cannot happen by construction (the intent outlives the claim's slot write); the claim is kept for a person to see.
      logger.error('a stale release claim cannot be rolled forward', { appId, releaseId, version: claim.version });
      continue;
    }
    // A release recorded succeeded (an external app's) was announced on the app, or not yet: its pointer moves now.
    if (holder.recorded === true && holder.status === 'succeeded') await advanceCurrentRelease(holder.app.name, holder, new Date().toISOString());
    await deleteReleaseIntent(appId, releaseId);
    await settleClaim(appId, releaseId, claim.version);
    remaining.delete(releaseId);
  }
  return remaining;
};

/** The app's version sequence as read once: the newest version taken (null: no sequence yet) and the claims still pending. */
export type SequenceRead = { lastVersion: number | null; pending: PendingClaims; placed: number };

/**
 * Places the app's stale claims now (readers that miss a release, the lock before it reads the queue, the
 * reconciler), so a claimed version never stays empty waiting for the app's next write.
 */
export const placeStaleClaims = async (appId: string, isStale: StalenessTest): Promise<SequenceRead> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: sequenceKey(appId), ConsistentRead: true }));
  const sequence = Item as SequenceItem | undefined;
  const claims = pendingClaimsOf(sequence);
  const pending = isQuiet(claims) ? claims : await rollStaleClaimsForward(appId, claims, isStale);
  return { lastVersion: sequence?.last_version ?? null, pending, placed: claims.size - pending.size };
};

/** The lowest version claimed but not yet in its slot, or null: the rollout queue must not pass it. */
export const lowestPendingVersion = (pending: PendingClaims): number | null => {
  const versions = [...pending.values()].map((claim) => claim.version);
  return versions.length > 0 ? Math.min(...versions) : null;
};
