import { v5 as uuidv5 } from 'uuid';
import { conflict, unprocessable } from './errors';
import type { Lease } from './lease';
import type { Actor, AppRef, CheckState, Release } from './model';
import { ownEntry } from './own-entries';
import { nextStageOf, type PipelineCoupling, type PipelineRef, type Stage } from './pipeline';
import type { ReleasePlan } from './release-request';

/**
 * A target is `pending` until its release has finished rolling out, then `succeeded`, or `failed` when it
 * could not be released or its rollout did not verifiably succeed (`failed` or `unknown`).
 */
export const PROMOTION_TARGET_STATUSES = ['pending', 'succeeded', 'failed'] as const;
type PromotionTargetStatus = (typeof PROMOTION_TARGET_STATUSES)[number];

/**
 * `pending` while any target is; then `succeeded` (every target reached its stage), `failed` (none did)
 * or `partially_failed` (some did, some did not).
 */
export const PROMOTION_STATUSES = ['pending', 'succeeded', 'partially_failed', 'failed'] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** What is stored of a target: the release it got, or why it got none (`null`s: not dispatched yet). */
export type PromotionTargetRecord = {
  app: AppRef;
  release: { id: string; version: number } | null;
  error_message: string | null;
};

/**
 * A promotion as stored. `lease` is set while some target is still to be released (dispatched): whoever
 * holds it (the request, or after a crash a retry or the reconciler) releases the rest, and only they.
 * `finished_at` is set by the one write that records its end (every target settled), which also carries
 * its `promotion.finished` event; absent on promotions made before Slipway announced that.
 */
export type PromotionRecord = {
  id: string;
  pipeline: PipelineRef;
  /**
   * `cluster` is the source app's (Akkeris shows it as the promotion's space), kept so that reading a
   * promotion needs not read its app; promotions stored before it was kept have none, and their readers
   * read the app for it (an app's cluster never changes).
   */
  source: { app: AppRef; release: { id: string; version: number }; cluster?: string };
  targets: PromotionTargetRecord[];
  safe: boolean;
  user: Actor;
  created_at: string;
  updated_at: string;
  lease: Lease | null;
  finished_at?: string;
};

export type PromotionTarget = PromotionTargetRecord & { status: PromotionTargetStatus };

/** A promotion as users see it: each target's status follows its release to the end of its rollout. */
export type Promotion = Omit<PromotionRecord, 'source' | 'targets' | 'lease' | 'finished_at'> & {
  source: PromotionRecord['source'] & { cluster: string };
  targets: PromotionTarget[];
  status: PromotionStatus;
};

/** A target app as the request named it, with its coupling if it has one. */
export type TargetCandidate = { app: AppRef; coupling: PipelineCoupling | undefined };

export const assertSourceInPipeline = (
  pipeline: PipelineRef,
  source: AppRef,
  coupling: PipelineCoupling | undefined,
): PipelineCoupling => {
  if (coupling?.pipeline.id !== pipeline.id) {
    throw unprocessable('source_not_in_pipeline', `App ${source.name} is not coupled to pipeline ${pipeline.name}.`, {
      app: source.name,
      pipeline,
    });
  }
  return coupling;
};

/**
 * A promotion moves one step: every target must sit in the same pipeline at the first populated stage after
 * the source's. All offending targets are reported at once so the caller can fix the request in one go.
 */
export const assertPromotionTargets = (
  source: PipelineCoupling,
  pipelineCouplings: readonly PipelineCoupling[],
  targets: readonly TargetCandidate[],
): PipelineCoupling[] => {
  const duplicates = targets.filter((target, index) => targets.findIndex((other) => other.app.id === target.app.id) !== index);
  if (duplicates.length > 0) {
    throw unprocessable('duplicate_promotion_target', `Each target app may be named once; ${duplicates[0]?.app.name} is repeated.`, {
      apps: [...new Set(duplicates.map((target) => target.app.name))],
    });
  }
  const expected = nextStageOf(source.stage, pipelineCouplings);
  const misplaced = targets.filter(
    (target) => target.coupling?.pipeline.id !== source.pipeline.id || target.coupling.stage !== expected,
  );
  if (misplaced.length > 0 || expected === null) {
    throw unprocessable(
      'invalid_promotion_target',
      expected === null
        ? `App ${source.app.name} is at the last populated stage (${source.stage}) of pipeline ${source.pipeline.name}; there is nothing to promote to.`
        : `Targets must be coupled to pipeline ${source.pipeline.name} at stage ${expected}, the stage after ${source.stage}.`,
      {
        pipeline: source.pipeline,
        source_stage: source.stage,
        expected_stage: expected,
        targets: misplaced.map((target) => ({ app: target.app.name, ...placementOf(target, source.pipeline) })),
      },
    );
  }
  return targets.map((target) => target.coupling as PipelineCoupling);
};

const placementOf = (target: TargetCandidate, pipeline: PipelineRef): { pipeline: PipelineRef | null; stage: Stage | null } =>
  target.coupling === undefined
    ? { pipeline: null, stage: null }
    : { pipeline: target.coupling.pipeline, stage: target.coupling.pipeline.id === pipeline.id ? target.coupling.stage : null };

export type UnsafeTarget = {
  app: string;
  missing: string[];
  failing: { context: string; state: Exclude<CheckState, 'success'> }[];
};

/** Which required contexts of a target are absent from, or not `success` on, the source release. */
export const unsafeTargetOf = (target: PipelineCoupling, release: Pick<Release, 'checks'>): UnsafeTarget | null => {
  const missing: string[] = [];
  const failing: UnsafeTarget['failing'] = [];
  for (const context of target.required_status_checks.contexts) {
    const check = ownEntry(release.checks, context);
    if (!check) missing.push(context);
    else if (check.state !== 'success') failing.push({ context, state: check.state });
  }
  return missing.length + failing.length === 0 ? null : { app: target.app.name, missing, failing };
};

/** A safe promotion is all or nothing: one unready target stops every target. */
export const assertSafePromotion = (targets: readonly PipelineCoupling[], release: Pick<Release, 'checks' | 'version' | 'app'>): void => {
  const unsafe = targets.map((target) => unsafeTargetOf(target, release)).filter((target) => target !== null);
  if (unsafe.length === 0) return;
  throw conflict(
    'unsafe_promotion',
    `Release v${release.version} of ${release.app.name} lacks required successful status checks for ` +
      `${unsafe.map((target) => target.app).join(', ')}; no target was released.`,
    { release_version: release.version, targets: unsafe },
  );
};

/**
 * Each target gets the source release's very image, so what was checked upstream is what runs downstream,
 * and its notes and metadata, so the release record reads the same at every stage.
 */
export const planPromotion = (
  source: Pick<Release, 'slug' | 'image' | 'version' | 'app' | 'notes' | 'metadata'>,
  promotionId: string,
): ReleasePlan => ({
  slugId: source.slug.id,
  image: source.image,
  description: `Promotion of ${source.app.name} v${source.version}`,
  trigger: 'promotion',
  promotionId,
  notes: source.notes ?? null,
  metadata: source.metadata ?? {},
});

/** Names each target's release after the promotion and the app, so whoever carries a promotion on finds it. */
export const targetReleaseIdOf = (promotionId: string, appId: string): string => uuidv5(appId, promotionId);

export const isDispatched = (target: PromotionTargetRecord): boolean => target.release !== null || target.error_message !== null;

/** Only what reached its own stage moves on: promoting a release that did not succeed is refused. */
export const assertPromotableSource = (release: Pick<Release, 'status' | 'version' | 'app'>): void => {
  if (release.status === 'succeeded') return;
  throw conflict(
    'source_release_not_succeeded',
    `Release v${release.version} of ${release.app.name} is ${release.status}; only a succeeded release can be promoted.`,
    { app: release.app.name, release_version: release.version, status: release.status },
  );
};

const targetStatusOf = (
  target: PromotionTargetRecord,
  release: Pick<Release, 'status' | 'version' | 'rollout'> | undefined,
): Pick<PromotionTarget, 'status' | 'error_message'> => {
  if (target.release === null) return { status: target.error_message === null ? 'pending' : 'failed', error_message: target.error_message };
  if (release === undefined) return { status: 'failed', error_message: `Release v${target.release.version} no longer exists.` };
  const reason = release.rollout?.message ? `: ${release.rollout.message}` : '';
  switch (release.status) {
    case 'queued':
    case 'pending':
      return { status: 'pending', error_message: null };
    case 'succeeded':
      return { status: 'succeeded', error_message: null };
    case 'failed':
      return { status: 'failed', error_message: `Release v${release.version} failed${reason}` };
    case 'unknown':
      return { status: 'failed', error_message: `Release v${release.version} ended with its outcome unknown${reason}` };
  }
};

export const promotionStatusOf = (targets: readonly Pick<PromotionTarget, 'status'>[]): PromotionStatus => {
  if (targets.some((target) => target.status === 'pending')) return 'pending';
  const succeeded = targets.filter((target) => target.status === 'succeeded').length;
  if (succeeded === targets.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially_failed';
};

/**
 * The promotion as it stands, from its record, each target's release as read now (index by index) and
 * the source app's cluster.
 */
export const viewPromotion = (
  record: PromotionRecord,
  releases: readonly (Pick<Release, 'status' | 'version' | 'rollout'> | undefined)[],
  sourceCluster: string,
): Promotion => {
  const { lease: _lease, finished_at: _finishedAt, targets: recorded, source, ...rest } = record;
  const targets = recorded.map((target, index) => ({ ...target, ...targetStatusOf(target, releases[index]) }));
  return { ...rest, source: { ...source, cluster: sourceCluster }, targets, status: promotionStatusOf(targets) };
};
