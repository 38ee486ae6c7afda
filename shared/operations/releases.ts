import { randomUUID } from 'node:crypto';
import { currentVersionAmong } from '../domain/current-release';
import { DomainError, notFound, UnconfirmedChange, unavailable } from '../domain/errors';
import type { ConfigVersion } from '../domain/config-vars';
import type { Actor, App, BuildLabels, Release, ShippedCommits } from '../domain/model';
import { CREATION_ORDER_SLACK_MS, drivingIndexOf, matchesFilter } from '../domain/release-filter';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type RecordedStatusReport, type ReleaseListQuery, type ReleaseRequest } from '../domain/requests';
import { planBuildRelease, releaseSourceOf, type ReleasePlan, type RollbackTarget } from '../domain/release-request';
import { configRestoredBy, planRollback } from '../domain/rollback';
import { buildLabelsOf, shippedCommits } from '../domain/shipped-commits';
import { findBuildAnywhere } from '../store/builds-store';
import { findFilteredReleasePage, versionSpanOfTimes, type VersionSpan } from '../store/release-index-store';
import { parseReleaseReference, skipsAVersion } from '../domain/versioning';
import { nextVersionRange, parseVersionRange } from '../domain/version-range';
import {
  findReleaseById,
  findReleaseByVersion,
} from '../store/releases-store';
import { appendConfigVersion, findConfigVersion } from '../store/config-store';
import { requireSlugForRelease } from './builds';
import { directReleaseRefusalFor } from './pipelines';
import { assertDeployable, assertNothingReported, isExternal, planRecordedRelease, recordedOutcomeOf, recordedStatusChange } from '../domain/external-apps';
import { advanceCurrentRelease, clearSucceeding, findAppByName, markSucceeding, retreatCurrentRelease } from '../store/apps-store';
import { mutateRelease, type ReleaseChanges } from '../store/releases-store';
import { startRollout } from '../rollout/start-rollout';
import { logger } from '../observability/logger';
import { remainingMs } from '../runtime/deadline';
import { retryBeforeDeadline } from '../runtime/retry-before-deadline';
import { isWriterGoneSince } from '../runtime/lease-holder';
import {
  claimNextVersion,
  newestConfigVersion,
  deleteReleaseIntent,
  placeInSlot,
  placeStaleClaims,
  putReleaseIntent,
  revokeClaim,
  rollStaleClaimsForward,
  settleClaim,
  withdrawClaim,
} from '../store/release-claims-store';

/** `POST /apps/{app}/releases`: deploy a build (`slug`) or roll back to an earlier release (`release`). */
export const createRelease = async (
  app: App,
  request: ReleaseRequest,
  actor: Actor,
  /** Fixed by an Idempotency-Key (runOnce), so every attempt under the key makes this one release. */
  id?: string,
): Promise<Release> => {
  const source = releaseSourceOf(request);
  if (isExternal(app) && source.kind === 'rollback') assertDeployable(app, 'rollback');
  if (!isExternal(app)) assertNothingReported(app, request);
  const planOf = async (): Promise<ReleasePlan> =>
    source.kind === 'rollback'
      ? planRollback(app, await requireRollbackTarget(app, source.target), { force: source.force, reason: request.description })
      : isExternal(app)
        ? planRecordedRelease(app, await requireSlugForRelease(app, source.slugId), recordedOutcomeOf(request, new Date().toISOString()), request.description)
        : planBuildRelease(app, await requireSlugForRelease(app, source.slugId), 'deploy', request.description);
  // The pipeline's refusal and the release's source are read side by side (one round trip less), and the refusal
  // still wins: a downstream app answers 422 whatever the slug or release it was sent.
  const [refusal, plan] = await Promise.allSettled([directReleaseRefusalFor(app), planOf()]);
  if (refusal.status === 'rejected') throw refusal.reason;
  if (refusal.value) throw refusal.value;
  if (plan.status === 'rejected') throw plan.reason;
  const planned = { ...plan.value, notes: request.notes, metadata: request.metadata, min_version: request.min_version };
  // An id from runOnce is new or was looked up by its resume already (see recordNewRelease).
  return id === undefined ? recordRelease(app, planned, actor) : recordNewRelease(app, planned, actor, id);
};

/**
 * `PATCH /apps/{app}/releases/{release}`: how a recorded release went, as its client reports it. A release
 * reported succeeded becomes current as a rollout's does (announced on the app first, so it is current from
 * the moment its status says so); a failure reported after success is a failed change from then on.
 */
export const reportRecordedStatus = async (app: App, reference: string, report: RecordedStatusReport, actor: Actor): Promise<Release> => {
  const now = new Date().toISOString();
  return changeRecordedRelease(app, await requireRelease(app, reference), (latest) => recordedStatusChange(latest, report, now), actor);
};

/** `PATCH /apps/{app}/releases/{release}`: the release as reported, and the app as that left it (its current release may have moved). */
export const reportRecordedStatusOf = async (
  app: App,
  reference: string,
  report: RecordedStatusReport,
  actor: Actor,
): Promise<{ release: Release; app: App }> => {
  const release = await reportRecordedStatus(app, reference, report, actor);
  return { release, app: (await findAppByName(app.name)) ?? app };
};

/**
 * A change a client reports to a recorded release (`decide`: from the release as it is, what changes, or
 * null). One that makes it succeeded is announced on the app first, so it is current from the moment its
 * status says so, as a rolled-out release is; the app's pointer then moves to it.
 */
export const changeRecordedRelease = async (
  app: App,
  release: Release,
  decide: (latest: Release) => ReleaseChanges | null,
  actor: Actor,
): Promise<Release> => {
  const planned = decide(release);
  if (planned === null) return release;
  const succeeding = planned.status === 'succeeded' && (await markSucceeding(app.name, release.version));
  const updated = await mutateRelease(app.id, release.version, decide, actor);
  if (updated.status === 'succeeded') await advanceCurrentRelease(app.name, updated, updated.updated_at);
  else if (succeeding) await clearSucceeding(app.name, release.version);
  // Current is the newest succeeded release: one reported failed after success gives way to the one before it.
  if (release.status === 'succeeded' && updated.status !== 'succeeded') {
    await retreatCurrentRelease(app.name, updated.version, await newestSucceededBefore(app, updated.version), updated.updated_at);
  }
  return updated;
};

/** The newest succeeded release below `version` (the status index, each found release read again consistently). */
const newestSucceededBefore = async (app: App, version: number): Promise<Release | undefined> =>
  version <= 1
    ? undefined
    : (
        await findFilteredReleasePage(app.id, {
          span: { from: 1, to: version - 1 },
          descending: true,
          limit: 1,
          sources: [{ dimension: 'status', value: 'succeeded' }],
          accept: (candidate) => candidate.status === 'succeeded',
        })
      ).releases[0];

const requireRollbackTarget = async (app: App, target: RollbackTarget): Promise<Release> => {
  const release = 'id' in target ? await findReleaseById(app.id, target.id) : await findReleaseByVersion(app.id, target.version);
  if (!release) throw notFound('release', 'id' in target ? target.id : `v${target.version}`);
  return release;
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
 * Kept back from the invocation's time for what must follow a claim: settling a claim request that was
 * cut short, or writing the claimed release into its slot, each with retries; and answering.
 */
const CLAIM_RESERVE_MS = 3_000;
/** Kept back from those retries for giving the version back and answering. */
const ANSWER_RESERVE_MS = 1_000;

/** How soon a retry under the same Idempotency-Key can place a release its first attempt claimed. */
const NOT_PLACED_RETRY_AFTER_SECONDS = 2;

const notPlaced = (app: App, releaseId: string, version: number) =>
  new UnconfirmedChange(
    'release_not_placed',
    `Release v${version} of ${app.name} was recorded but could not be written into place in time; retry with the same Idempotency-Key to finish it.`,
    { app: app.name, release: { id: releaseId, version } },
    NOT_PLACED_RETRY_AFTER_SECONDS,
  );

const tooBusy = (app: App) =>
  unavailable('release_contention', `Too many concurrent releases to ${app.name}; nothing was recorded, retry shortly.`, {
    app: app.name,
  });

/**
 * Appends a queued release at the next version (see release-claims-store.ts for how the version is
 * claimed). Cost and latency per release stay constant with the number of concurrent writers; when the
 * claim cannot be made within the invocation's time the answer is a 503 and nothing is recorded.
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
  return recordNewRelease(app, plan, actor, fixedId ?? randomUUID());
};

/**
 * `recordRelease` for an id no attempt has recorded a release under: a fresh one, one its caller has just looked
 * up (an Idempotency-Key's earlier attempt, which runOnce's resume reads first), or a target's of a promotion
 * just inserted, so it is not read again.
 */
export const recordNewRelease = async (app: App, plan: ReleasePlan, actor: Actor, id: string): Promise<Release> => {
  // An external app's releases are recorded as reported, never rolled out: nothing else may release to it.
  if (!plan.recorded) assertDeployable(app, plan.trigger === 'promotion' ? 'promotion' : `${plan.trigger} release`);
  // Before the version is claimed, as a config change writes its config: see newestConfigVersion.
  const restored = plan.restoresConfig && (await restoreConfig(app, plan.restoresConfig.version, actor, id));
  const { labels, changes } = await recordOfShipment(app, plan);
  const at = new Date().toISOString();
  const draft: Release = {
    id,
    app: { id: app.id, name: app.name },
    version: 0,
    slug: { id: plan.slugId },
    image: plan.image,
    description: plan.description,
    status: plan.recorded?.status ?? 'queued',
    state: 'pending',
    user: actor,
    trigger: plan.trigger,
    ...(plan.promotionId === undefined ? {} : { promotion_id: plan.promotionId }),
    created_at: at,
    updated_at: at,
    started_at: plan.recorded?.started_at ?? null,
    finished_at: plan.recorded?.finished_at ?? null,
    rollout: null,
    // The config it runs with is read once its version is claimed (below); a rollback's restored one until then.
    config_version: restored?.version ?? null,
    checks: {},
    revision: 0,
    notes: plan.notes ?? null,
    metadata: plan.metadata ?? {},
    ...(plan.min_version ? { min_version: plan.min_version } : {}),
    build_labels: labels,
    changes,
    ...(plan.recorded ? { recorded: true, url: plan.recorded.url, name: plan.recorded.name } : {}),
  };
  // False when a call with the same id got here first: the claim below is then shared with it.
  const ownsIntent = await putReleaseIntent(draft);
  const version = await claimInTime(app, id, at, ownsIntent);
  // A release recorded succeeded is current from the moment it is in its slot, as a rollout's is: announced first.
  if (draft.status === 'succeeded') await markSucceeding(app.name, version);
  let release: Release;
  try {
    release = await placeInOwnSlot({ ...draft, version, config_version: await newestConfigVersion(app.id) });
  } catch (error) {
    // The version can be given back while none was taken after it; the slot is looked at once more after,
    // as a slot write that timed out may still have landed (the next writer then steps past it: no gap).
    if (ownsIntent && (await withdrawClaim(app.id, id, version).catch(() => false))) {
      const landed = await findReleaseByVersion(app.id, version).catch(() => undefined);
      if (landed?.id !== id) {
        await deleteReleaseIntent(app.id, id);
        throw error;
      }
      release = landed;
      await settleOrRollOut(app, release);
      return release;
    }
    // Only when the store refused the slot write for the whole invocation: the version is spoken for and
    // its intent holds the release, so it will be placed (by a retry under the same key at once, else by
    // whoever finds the claim stale). A refusal would be untrue, and a 201 too: it cannot be read yet.
    logger.error('release claimed but not in its slot; it is placed by a retry or rolled forward', { releaseId: id, version, error: error as Error });
    throw notPlaced(app, id, version);
  }
  await retryBeforeDeadline(() => retireClaim(release), ANSWER_RESERVE_MS).catch((error: unknown) => {
    // The release is in its slot; a claim left open is settled by whoever finds it stale.
    logger.warn('release claim not retired; it is settled when stale', { releaseId: id, version: release.version, error: error as Error });
  });
  await settleOrRollOut(app, release);
  return release;
};

/**
 * Every release Slipway runs, whatever triggered it, rolls out the same way once its version is its own. A
 * recorded one (an external app's) is never rolled out: one recorded succeeded moves the app's pointer.
 */
const settleOrRollOut = async (app: App, release: Release): Promise<void> => {
  if (release.recorded !== true) return startRollout(release);
  if (release.status === 'succeeded') await advanceCurrentRelease(app.name, release, release.updated_at);
};

/**
 * A rollback makes its target's config the app's (a new version of the same vars, secrets as the same
 * references), made under the rollback's release id: a retry after a crash, or a concurrent call with the
 * same id (an automatic rollback reported twice), finds that version instead of writing another.
 */
const restoreConfig = async (app: App, version: number | null, actor: Actor, releaseId: string): Promise<ConfigVersion> => {
  const target = version === null ? undefined : await findConfigVersion(app.id, version);
  if (version !== null && !target) throw new Error(`Config version ${version} of app ${app.name}, which a rollback restores, was not found`);
  return appendConfigVersion(app.id, { id: releaseId, user: actor }, () => configRestoredBy(target?.vars ?? null));
};

/** The build's labels and what it ships on top of the app's current release (read now: one GetItem each). */
const recordOfShipment = async (app: App, plan: ReleasePlan): Promise<{ labels: BuildLabels; changes: ShippedCommits }> => {
  const [build, previous] = await Promise.all([
    plan.build ?? findBuildAnywhere(plan.slugId),
    app.current_release_version === null ? undefined : findReleaseByVersion(app.id, app.current_release_version),
  ]);
  const known = build ?? { source_blob: { image: plan.image, commit: null, branch: null, repo: null, version: null, author: null, message: null } };
  return {
    labels: buildLabelsOf(known),
    changes: shippedCommits(known, previous && { version: previous.version, commit: previous.build_labels?.commit ?? null }),
  };
};

/** The version claim, given up (with nothing claimed) when it would eat the time needed to answer. */
const claimInTime = async (app: App, releaseId: string, at: string, ownsIntent: boolean): Promise<number> => {
  const budgetMs = remainingMs() - CLAIM_RESERVE_MS;
  if (budgetMs <= 0) {
    if (ownsIntent) await deleteReleaseIntent(app.id, releaseId);
    throw tooBusy(app);
  }
  const abortSignal = Number.isFinite(budgetMs) ? AbortSignal.timeout(budgetMs) : undefined;
  try {
    return await claimNextVersion(app.id, releaseId, at, { abortSignal });
  } catch (error) {
    // Cut short, the request may still land: revoking it settles which it is, so it is retried in the time
    // kept back (a refusal must mean nothing was claimed). If even that fails, the intent stays, so a
    // claim that did land is still rolled forward from it.
    const landed = await retryBeforeDeadline(() => revokeClaim(app.id, releaseId, new Date().toISOString()), ANSWER_RESERVE_MS);
    if (landed !== null) return landed;
    if (ownsIntent) await retryBeforeDeadline(() => deleteReleaseIntent(app.id, releaseId), ANSWER_RESERVE_MS);
    throw abortSignal?.aborted ? tooBusy(app) : error;
  }
};

/**
 * Writes a claimed release into its version slot; the release as placed. Both steps are idempotent (a
 * slot write whose answer was lost meets its own release; a moved claim meets itself), so they are
 * retried while the invocation has time: a failure here leaves a claimed version without its release.
 */
const placeInOwnSlot = async (claimed: Release): Promise<Release> => {
  const inTime = <T>(step: () => Promise<T>) => retryBeforeDeadline(step, ANSWER_RESERVE_MS);
  let release = claimed;
  let placed = await inTime(() => placeInSlot(release));
  while (placed.id !== release.id) {
    // The slot was filled outside the sequence (a release older than it): take the next one; no gap opens.
    const taken = release.version;
    release = { ...release, version: await inTime(() => claimNextVersion(release.app.id, release.id, release.created_at, { taken })) };
    placed = await inTime(() => placeInSlot(release));
  }
  return placed;
};

/** Retires the intent and the claim of a placed release; on the way, rolls forward claims found stale. */
const retireClaim = async (release: Release): Promise<void> => {
  // Either order is safe after a crash: an intent left over is inert, a claim left over is settled when stale.
  const [, pending] = await Promise.all([deleteReleaseIntent(release.app.id, release.id), settleClaim(release.app.id, release.id, release.version)]);
  await rollStaleClaimsForward(release.app.id, pending, isWriterGoneSince);
};

/**
 * A release read by id or version; on a miss, the app's stale claims are placed and it is read again, so
 * a release whose writer died (or gave up) between claim and slot is found without waiting for another
 * write. The index read by id is a projection of the slot item, written with it in one write, so a release
 * found by id is in its slot.
 */
const readPlacingStaleClaims = async (app: App, read: () => Promise<Release | undefined>): Promise<Release | undefined> =>
  (await read()) ?? ((await placeStaleClaims(app.id, isWriterGoneSince)).placed > 0 ? read() : undefined);

export const requireReleaseById = async (app: App, releaseId: string): Promise<Release> => {
  const release = await readPlacingStaleClaims(app, () => findReleaseById(app.id, releaseId));
  if (!release) throw notFound('release', releaseId);
  return release;
};

/** `/releases/{id|version}`. */
export const requireRelease = async (app: App, reference: string): Promise<Release> => {
  const parsed = parseReleaseReference(reference);
  const release = await readPlacingStaleClaims(app, () =>
    'version' in parsed ? findReleaseByVersion(app.id, parsed.version) : findReleaseById(app.id, parsed.id),
  );
  if (!release) throw notFound('release', reference);
  return release;
};

export type ReleaseList = {
  releases: Release[];
  /** For `limit`/`cursor`/`order` clients: the version the next page starts after (in the asked order). */
  nextAfterVersion: number | null;
  /** For `Range` clients and the default answer: the `Next-Range` of the rest. */
  nextRange: string | null;
  /** Whether the client asked with `Range` (such a partial answer is a 206). */
  ranged: boolean;
};

const FIRST_VERSION = 1;
const LAST_VERSION = 9_999_999_999;

/**
 * `GET /apps/{app}/releases` in its three forms: `limit`/`cursor`/`order` pages (oldest first unless
 * `order=desc`); a Heroku `Range` header pages either way; a client that sends none of them gets the newest
 * page, oldest first, so a long-lived app's latest releases are in the answer of clients that never page
 * (the Akkeris CLI takes the last entry as the latest release). Filters narrow every form, each served by
 * a Query on a key range (see release-index-store.ts), so a page costs the same however long the history.
 */
export const listReleases = async (app: App, query: ReleaseListQuery, rangeHeader: string | undefined): Promise<ReleaseList> => {
  const list = await listReleasesOnce(app, query, rangeHeader);
  // Every version of an unfiltered page is there: a hole is a release whose writer died between its claim
  // and its slot, placed now (once stale) rather than when the app's next write comes along.
  const unfiltered = !query.current && Object.values(query.filter).every((value) => value === undefined);
  const holed = unfiltered && skipsAVersion(list.releases.map((release) => release.version));
  return holed && (await placeStaleClaims(app.id, isWriterGoneSince)).placed > 0 ? listReleasesOnce(app, query, rangeHeader) : list;
};

const listReleasesOnce = async (app: App, query: ReleaseListQuery, rangeHeader: string | undefined): Promise<ReleaseList> => {
  const paged = query.limit !== undefined || query.afterVersion !== undefined || query.order !== undefined;
  if (rangeHeader !== undefined && paged) {
    throw new DomainError('bad_request', 'invalid_range', 'Send either a Range header or limit/cursor/order, not both.', { range: rangeHeader });
  }
  const window = await spanOfFilter(app, query);
  if (paged) {
    const descending = query.order === 'desc';
    const after = query.afterVersion;
    const span = descending ? { from: FIRST_VERSION, to: (after || LAST_VERSION + 1) - 1 } : { from: (after ?? 0) + 1, to: LAST_VERSION };
    const page = await pageOf(app, query, window, span, descending, query.limit ?? DEFAULT_PAGE_SIZE);
    const last = page.releases.at(-1)?.version;
    return { releases: page.releases, nextAfterVersion: page.hasMore && last !== undefined ? last : null, nextRange: null, ranged: false };
  }
  const range =
    rangeHeader === undefined
      ? ({ afterVersion: 0, beforeVersion: undefined, order: 'desc', max: DEFAULT_PAGE_SIZE } as const)
      : parseVersionRange(rangeHeader, { defaultMax: DEFAULT_PAGE_SIZE, maxMax: MAX_PAGE_SIZE });
  const span = { from: range.afterVersion + 1, to: (range.beforeVersion ?? LAST_VERSION + 1) - 1 };
  const page = await pageOf(app, query, window, span, range.order === 'desc', range.max);
  const last = page.releases.at(-1)?.version;
  return {
    releases: rangeHeader === undefined ? [...page.releases].reverse() : page.releases,
    nextAfterVersion: null,
    nextRange: page.hasMore && last !== undefined ? nextVersionRange(range, last) : null,
    ranged: rangeHeader !== undefined,
  };
};

/** The versions the filter allows at all: the current release's, or those created within since/until. */
const spanOfFilter = async (app: App, query: ReleaseListQuery): Promise<VersionSpan | null> => {
  const { since, until } = query.filter;
  let span: VersionSpan | null = { from: FIRST_VERSION, to: LAST_VERSION };
  if (query.current) {
    const pointer = app.current_release_version;
    if (pointer === null) return null;
    // A rollout announces the version it is making current before its release says succeeded.
    span = { from: pointer, to: Math.max(pointer, app.succeeding_release_version ?? pointer) };
  }
  if (since === undefined && until === undefined) return span;
  const times = await versionSpanOfTimes(app.id, { since, until }, CREATION_ORDER_SLACK_MS);
  return times && intersect(span, times);
};

const intersect = (a: VersionSpan | null, b: VersionSpan | null): VersionSpan | null => {
  if (!a || !b) return null;
  const span = { from: Math.max(a.from, b.from), to: Math.min(a.to, b.to) };
  return span.from <= span.to ? span : null;
};

const pageOf = async (
  app: App,
  query: ReleaseListQuery,
  window: VersionSpan | null,
  pageSpan: VersionSpan,
  descending: boolean,
  limit: number,
): Promise<{ releases: Release[]; hasMore: boolean }> => {
  const span = intersect(window, pageSpan);
  if (!span) return { releases: [], hasMore: false };
  const driver = drivingIndexOf(query.filter);
  const page = await findFilteredReleasePage(app.id, {
    span,
    descending,
    limit,
    sources: driver ? driver.values.map((value) => ({ dimension: driver.dimension, value })) : [undefined],
    accept: (release) => matchesFilter(release, query.filter),
  });
  if (!query.current) return page;
  const current = currentVersionAmong(app.current_release_version, page.releases);
  return { releases: page.releases.filter((release) => release.version === current), hasMore: false };
};
