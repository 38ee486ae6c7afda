import { actorOf, authorize, type Principal } from '../domain/access';
import { conflict, DomainError, notFound } from '../domain/errors';
import type { Lease } from '../domain/lease';
import type { App, Release } from '../domain/model';
import {
  assertPromotionTargets,
  assertSafePromotion,
  assertSourceInPipeline,
  assertPromotableSource,
  isDispatched,
  planPromotion,
  targetReleaseIdOf,
  viewPromotion,
  type Promotion,
  type PromotionRecord,
  type PromotionTargetRecord,
} from '../domain/promotion';
import type { PromotionRequest } from '../domain/requests';
import { logger } from '../observability/logger';
import { METRIC_NAMES, recordMetric } from '../observability/metrics';
import { findAppById } from '../store/apps-store';
import {
  findPromotion,
  insertPromotion,
  listOpenPromotionIds,
  recordPromotionFinished,
  savePromotionProgress,
  takeOverPromotionLease,
  findPromotionViewParts,
} from '../store/promotions-store';
import { findReleaseByVersion } from '../store/releases-store';
import { isLeaseLiveNow, leaseForThisProcess } from '../runtime/lease-holder';
import type { Found } from './api-keys';
import { requireApp } from './apps';
import { findAppCoupling, getPipelineCouplings, requirePipeline } from './pipelines';
import { recordNewRelease, recordRelease, requireRelease, requireReleaseById } from './releases';
import { assertDeployable } from '../domain/external-apps';

const appRef = (app: App) => ({ id: app.id, name: app.name });

/** The named release, else the app's current one; promoting "nothing yet deployed" is refused. */
const sourceReleaseOf = async (app: App, releaseId: string | undefined): Promise<Release> => {
  if (releaseId !== undefined) return requireReleaseById(app, releaseId);
  if (app.current_release_version === null) {
    throw conflict('no_current_release', `App ${app.name} has no current (succeeded) release to promote; name a release instead.`, {
      app: app.name,
    });
  }
  return requireRelease(app, String(app.current_release_version));
};

/**
 * `POST /pipeline-promotions`. Everything is checked before anything is written (who may do it, where the
 * apps sit, which release, whether it succeeded and is safe), so a refused promotion leaves no trace. The
 * record is written first, holding a lease; then each target gets a normal release through
 * `recordRelease`, under an id derived from the promotion and the app, so whoever carries a cut-short
 * promotion on (a retry under its Idempotency-Key, or the reconciler) finds the releases already made.
 * One target failing does not undo the others.
 */
export const promote = async (
  request: PromotionRequest,
  principal: Principal,
  options: { id: string; leaseMs: number },
): Promise<Promotion> => {
  authorize(principal, 'promotions:create');
  const pipeline = await requirePipeline(request.pipeline);
  const sourceApp = await requireApp(request.source.app, principal);
  authorize(principal, 'read', sourceApp.name);
  // An external app's builds were never deployed by Slipway (they may name no image): nothing to promote.
  assertDeployable(sourceApp, 'promotion of its releases');
  const targetApps = await Promise.all(request.targets.map((target) => requireApp(target.app, principal)));
  for (const app of targetApps) authorize(principal, 'promotions:create', app.name);

  const sourceCoupling = assertSourceInPipeline(pipeline, appRef(sourceApp), await findAppCoupling(sourceApp));
  const [pipelineCouplings, targetCouplings] = await Promise.all([
    getPipelineCouplings(pipeline),
    Promise.all(targetApps.map(findAppCoupling)),
  ]);
  const targets = assertPromotionTargets(
    sourceCoupling,
    pipelineCouplings,
    targetApps.map((app, index) => ({ app: appRef(app), coupling: targetCouplings[index] })),
  );
  const sourceRelease = await sourceReleaseOf(sourceApp, request.source.release?.id);
  assertPromotableSource(sourceRelease);
  if (request.safe) assertSafePromotion(targets, sourceRelease);

  const at = new Date().toISOString();
  const record: OpenPromotion = {
    id: options.id,
    pipeline: { id: pipeline.id, name: pipeline.name },
    source: { app: appRef(sourceApp), release: { id: sourceRelease.id, version: sourceRelease.version }, cluster: sourceApp.cluster },
    targets: targetApps.map((app) => ({ app: appRef(app), release: null, error_message: null })),
    safe: request.safe,
    user: actorOf(principal),
    created_at: at,
    updated_at: at,
    lease: leaseForThisProcess(options.leaseMs),
  };
  await insertPromotion(record);
  recordMetric(METRIC_NAMES.promotions, sourceApp.name);
  return finishIfSettled(await dispatchTargets(record, sourceRelease, targetApps));
};

type OpenPromotion = PromotionRecord & { lease: Lease };

/**
 * Releases every target not released yet, as the holder of the promotion's lease, and records what became
 * of each. A refusal (a domain error, nothing written) is the target's final word; any other failure
 * leaves the target to whoever carries the promotion on next, with the lease lapsed so they may at once.
 */
const dispatchTargets = async (
  record: OpenPromotion,
  source: Release,
  /**
   * The target apps as `promote` has just read them, in the record's order, on the first dispatch of a promotion
   * it has just inserted: no target can have a release under its id yet, so neither the app nor the release is
   * looked up again. Whoever carries a promotion on later passes none.
   */
  insertedWith?: readonly App[],
): Promise<PromotionRecord> => {
  const plan = planPromotion(source, record.id);
  const outcomes = await Promise.allSettled(
    record.targets.map(async (target, index) => {
      if (isDispatched(target)) return target;
      const app = insertedWith?.[index] ?? (await findAppById(target.app.id));
      if (!app) throw notFound('app', target.app.name);
      const id = targetReleaseIdOf(record.id, app.id);
      const release = insertedWith ? await recordNewRelease(app, plan, record.user, id) : await recordRelease(app, plan, record.user, id);
      return { ...target, release: { id: release.id, version: release.version } };
    }),
  );
  const targets = outcomes.map((outcome, index) => {
    const target = record.targets[index] as PromotionTargetRecord;
    if (outcome.status === 'fulfilled') return outcome.value;
    if (outcome.reason instanceof DomainError) return { ...target, error_message: outcome.reason.message };
    logger.warn('promotion target not released yet; the next holder carries it on', {
      promotionId: record.id,
      app: target.app.name,
      error: outcome.reason as Error,
    });
    return target;
  });
  const progress: PromotionRecord = {
    ...record,
    targets,
    updated_at: new Date().toISOString(),
    lease: targets.every(isDispatched) ? null : { ...record.lease, until: 0 },
  };
  // Lost only to a successor that took the lease over, which now owns the record.
  return (await savePromotionProgress(progress, record.lease.holder)) ? progress : ((await findPromotion(record.id)) ?? progress);
};

/**
 * Carries a promotion cut short (by a crash or a failure) on to the end of its dispatch if its lease has
 * lapsed; a promotion whose lease is live is being carried on by its holder and is left to it.
 */
const carryOn = async (record: PromotionRecord, leaseMs: number): Promise<PromotionRecord> => {
  if (record.lease === null || isLeaseLiveNow(record.lease)) return record;
  const lease = leaseForThisProcess(leaseMs);
  if (!(await takeOverPromotionLease({ ...record, lease: record.lease }, lease))) return (await findPromotion(record.id)) ?? record;
  const held: OpenPromotion = { ...record, lease };
  const source = await findReleaseByVersion(record.source.app.id, record.source.release.version);
  if (source) return dispatchTargets(held, source);
  // Releases are never deleted; should the source be gone all the same, say so rather than wait forever.
  const refusal = notFound('release', record.source.release.id).message;
  const failed = { ...held, targets: held.targets.map((target) => (isDispatched(target) ? target : { ...target, error_message: refusal })), lease: null };
  await savePromotionProgress(failed, lease.holder);
  return failed;
};

/** A promotion as it stands now: each target's status is its release's, read at this moment. */
const viewOf = async (record: PromotionRecord): Promise<Promotion> => {
  const { releases, sourceCluster } = await findPromotionViewParts(record);
  return viewPromotion(record, releases, sourceCluster);
};

/**
 * The promotion as it stands now; if every target has just settled, its end is recorded (with its
 * `promotion.finished` event). Whoever gets here first records it: the request whose targets all failed
 * at once, the Finish step of the last target's rollout, or the reconciler after a crash in between.
 */
const finishIfSettled = async (record: PromotionRecord): Promise<Promotion> => {
  const promotion = await viewOf(record);
  if (promotion.status !== 'pending' && record.lease === null && record.finished_at === undefined) {
    await recordPromotionFinished(record, new Date().toISOString());
  }
  return promotion;
};

/** After a release settles: the promotion that made it (if one did) may have just finished. */
export const finishPromotionOf = async (release: Pick<Release, 'promotion_id'>): Promise<void> => {
  const record = release.promotion_id === undefined ? undefined : await findPromotion(release.promotion_id);
  if (record) await finishIfSettled(record);
};

/**
 * What an earlier attempt under an Idempotency-Key made of the promotion with this id, carried on if it
 * was cut short; undefined if it wrote nothing.
 */
export const resumePromotion = async (id: string, leaseMs: number): Promise<Promotion | undefined> => {
  const record = await findPromotion(id);
  return record && finishIfSettled(await carryOn(record, leaseMs));
};

/**
 * The reconciler's part: every promotion cut short and not carried on by anyone is carried on, and every
 * one whose targets have all settled is finished.
 */
export const carryOnOpenPromotions = async (leaseMs: number): Promise<number> => {
  const ids = await listOpenPromotionIds();
  for (const id of ids) {
    const record = await findPromotion(id);
    if (record) await finishIfSettled(await carryOn(record, leaseMs));
  }
  return ids.length;
};

/** `read`: the promotion as read with the caller's key, which saves reading it again. */
export const requirePromotion = async (id: string, read?: Found<PromotionRecord>): Promise<Promotion> => {
  const record = read ? read.found : await findPromotion(id);
  if (!record) throw notFound('pipeline_promotion', id);
  return viewOf(record);
};
