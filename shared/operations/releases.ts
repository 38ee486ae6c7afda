import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type CreateReleaseRequest, type ListReleasesQuery } from '../api/releases';
import { DomainError, notFound } from '../domain/errors';
import type { Actor, App, Release } from '../domain/model';
import { planBuildRelease, planRollback, releaseSourceOf, type ReleasePlan } from '../domain/release-request';
import { nextReleaseVersion, parseReleaseReference } from '../domain/versioning';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import { nextVersionRange, parseVersionRange } from '../domain/version-range';
import {
  claimReleaseVersion,
  findLatestRelease,
  findReleaseById,
  findReleaseByVersion,
  listReleasePage,
  updateReleaseAtRevision,
  type ReleaseChanges,
} from '../store/releases-store';
import { requireSlugForRelease } from './builds';
import { directReleaseRefusalFor } from './pipelines';
import { startRollout } from '../rollout/start-rollout';

/** Bounds the optimistic-concurrency retries of writers racing on one app's releases. */
const MAX_VERSION_CLAIMS = 200;

/** `POST /apps/{app}/releases`: deploy a build (`slug`) or roll back to an earlier release (`release`). */
export const createRelease = async (
  app: App,
  request: CreateReleaseRequest,
  actor: Actor,
  /** Fixed by an Idempotency-Key, so every attempt under the key makes this one release. */
  id?: string,
): Promise<Release> => {
  const source = releaseSourceOf(request);
  const refusal = await directReleaseRefusalFor(app);
  if (refusal) throw refusal;
  const plan =
    source.kind === 'slug'
      ? planBuildRelease(app, await requireSlugForRelease(app, source.slugId), 'deploy', request.description)
      : planRollback(app, await requireReleaseById(app, source.releaseId));
  return recordRelease(app, plan, actor, id);
};

/**
 * The release an earlier attempt recorded under this fixed id, if any, with its rollout started in case
 * that attempt died before starting it (executions are named after releases: it never runs twice).
 */
export const findRecordedRelease = async (app: App, id: string): Promise<Release | undefined> => {
  const recorded = await findReleaseById(app.id, id);
  if (recorded?.status === 'queued') await startRollout(recorded);
  return recorded;
};

/**
 * Appends a queued release at the next free version. Concurrent writers race for the same version slot
 * with a conditional put; the loser reads the new latest version and tries the one after, so versions
 * stay unique and gap-free without transactions.
 */
export const recordRelease = async (
  app: App,
  plan: ReleasePlan,
  actor: Actor,
  /**
   * Fixed in advance by callers that must find this very release again after a crash (Idempotency-Key,
   * promotion targets, auto-release): if it is already recorded, that release is the answer.
   */
  fixedId?: string,
): Promise<Release> => {
  const recorded = fixedId === undefined ? undefined : await findRecordedRelease(app, fixedId);
  if (recorded) return recorded;
  const id = fixedId ?? randomUUID();
  for (let attempt = 1; attempt <= MAX_VERSION_CLAIMS; attempt++) {
    const latest = await findLatestRelease(app.id);
    const at = new Date().toISOString();
    const release: Release = {
      id,
      app: { id: app.id, name: app.name },
      version: nextReleaseVersion(latest?.version ?? null),
      slug: { id: plan.slugId },
      image: plan.image,
      description: plan.description,
      status: 'queued',
      state: 'pending',
      user: actor,
      trigger: plan.trigger,
      created_at: at,
      updated_at: at,
      started_at: null,
      finished_at: null,
      rollout: null,
      checks: {},
      revision: 0,
    };
    // A put whose answer was lost is retried by the SDK and then meets its own item: that slot is ours too.
    const claimed = (await claimReleaseVersion(release))
      ? release
      : await findReleaseByVersion(app.id, release.version).then((holder) => (holder?.id === id ? holder : undefined));
    if (claimed) {
      // Every release, whatever triggered it, rolls out the same way once its version is its own.
      await startRollout(claimed);
      return claimed;
    }
    // Spread the retries of many racing writers so they do not collide again in lockstep.
    await sleep(Math.random() * Math.min(50, attempt * 2));
  }
  throw new DomainError('conflict', 'release_contention', `Too many concurrent releases to ${app.name}; retry shortly.`, {
    app: app.name,
  });
};

export const requireReleaseById = async (app: App, releaseId: string): Promise<Release> => {
  const release = await findReleaseById(app.id, releaseId);
  if (!release) throw notFound('release', releaseId);
  return release;
};

/** `/releases/{id|version}`. */
export const requireRelease = async (app: App, reference: string): Promise<Release> => {
  const parsed = parseReleaseReference(reference);
  const release =
    'version' in parsed ? await findReleaseByVersion(app.id, parsed.version) : await findReleaseById(app.id, parsed.id);
  if (!release) throw notFound('release', reference);
  return release;
};

export type ReleaseList = {
  releases: Release[];
  /** For `limit`/`cursor` clients: where the next (newer) page starts. */
  nextCursor: string | null;
  /** For `Range` clients and the default answer: the `Next-Range` of the rest. */
  nextRange: string | null;
  /** Whether the client asked with `Range` (such a partial answer is a 206). */
  ranged: boolean;
};

/**
 * `GET /apps/{app}/releases` in its three forms: `limit`/`cursor` pages oldest first; a Heroku `Range`
 * header pages either way; a client that sends neither gets the newest page, oldest first, so a long-lived
 * app's latest releases are in the answer of clients that never page (the Akkeris CLI takes the last entry
 * as the latest release).
 */
export const listReleases = async (app: App, query: ListReleasesQuery, rangeHeader: string | undefined): Promise<ReleaseList> => {
  const filters = { status: query.status, since: query.since };
  if (rangeHeader !== undefined && (query.limit !== undefined || query.cursor !== undefined)) {
    throw new DomainError('bad_request', 'invalid_range', 'Send either a Range header or limit/cursor, not both.', { range: rangeHeader });
  }
  if (rangeHeader === undefined && (query.limit !== undefined || query.cursor !== undefined)) {
    const page = await listReleasePage(app.id, {
      afterVersion: query.cursor === undefined ? 0 : decodeCursor(query.cursor),
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...filters,
    });
    const nextCursor = page.hasMore && page.lastVersion !== null ? encodeCursor(page.lastVersion) : null;
    return { releases: page.releases, nextCursor, nextRange: null, ranged: false };
  }
  const range =
    rangeHeader === undefined
      ? ({ afterVersion: 0, beforeVersion: undefined, order: 'desc', max: DEFAULT_PAGE_SIZE } as const)
      : parseVersionRange(rangeHeader, { defaultMax: DEFAULT_PAGE_SIZE, maxMax: MAX_PAGE_SIZE });
  const page = await listReleasePage(app.id, {
    afterVersion: range.afterVersion,
    beforeVersion: range.beforeVersion,
    descending: range.order === 'desc',
    limit: range.max,
    ...filters,
  });
  return {
    releases: rangeHeader === undefined ? [...page.releases].reverse() : page.releases,
    nextCursor: null,
    nextRange: page.hasMore && page.lastVersion !== null ? nextVersionRange(range, page.lastVersion) : null,
    ranged: rangeHeader !== undefined,
  };
};

/**
 * Read-modify-write of one release under optimistic concurrency: `decide` sees the latest release and
 * returns the changes to make (or null for none); a concurrent change makes it decide again.
 */
export const mutateRelease = async (
  appId: string,
  version: number,
  decide: (release: Release) => ReleaseChanges | null,
): Promise<Release> => {
  for (let attempt = 1; attempt <= MAX_VERSION_CLAIMS; attempt++) {
    const release = await findReleaseByVersion(appId, version);
    if (!release) throw notFound('release', `v${version}`);
    const changes = decide(release);
    if (changes === null) return release;
    const updated = await updateReleaseAtRevision(release, release.revision, changes, new Date().toISOString());
    if (updated) return updated;
    await sleep(Math.random() * Math.min(50, attempt * 2));
  }
  throw new DomainError('conflict', 'release_contention', `Release v${version} is changing too fast; retry shortly.`, {
    version,
  });
};
