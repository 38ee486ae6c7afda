import { conflict, unprocessable } from './errors';
import type { Actor, AppRef, CheckState, Release } from './model';
import { nextStageOf, type PipelineCoupling, type PipelineRef, type Stage } from './pipeline';
import type { ReleasePlan } from './release-request';

export const PROMOTION_TARGET_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type PromotionTargetStatus = (typeof PROMOTION_TARGET_STATUSES)[number];

/** `pending` until every target was attempted; `failed` if any target could not be released. */
export const PROMOTION_STATUSES = ['pending', 'completed', 'failed'] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

export type PromotionTarget = {
  app: AppRef;
  release: { id: string; version: number } | null;
  status: PromotionTargetStatus;
  error_message: string | null;
};

export type Promotion = {
  id: string;
  pipeline: PipelineRef;
  source: { app: AppRef; release: { id: string; version: number } };
  targets: PromotionTarget[];
  status: PromotionStatus;
  safe: boolean;
  user: Actor;
  created_at: string;
  updated_at: string;
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
    const check = release.checks[context];
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

/** Each target gets the source release's very image, so what was checked upstream is what runs downstream. */
export const planPromotion = (source: Pick<Release, 'slug' | 'image' | 'version' | 'app'>): ReleasePlan => ({
  slugId: source.slug.id,
  image: source.image,
  description: `Promotion of ${source.app.name} v${source.version}`,
  trigger: 'promotion',
});

/** Each target's outcome as recorded: the release it got, or why it got none. */
export const settleTargets = (
  targets: readonly PromotionTarget[],
  outcomes: readonly PromiseSettledResult<Pick<Release, 'id' | 'version'>>[],
): PromotionTarget[] =>
  targets.map((target, index) => {
    const outcome = outcomes[index];
    if (outcome?.status === 'fulfilled') {
      return { ...target, release: { id: outcome.value.id, version: outcome.value.version }, status: 'succeeded', error_message: null };
    }
    const reason: unknown = outcome?.reason ?? 'no release was attempted';
    return { ...target, release: null, status: 'failed', error_message: reason instanceof Error ? reason.message : String(reason) };
  });

export const promotionStatusOf = (targets: readonly Pick<PromotionTarget, 'status'>[]): PromotionStatus => {
  if (targets.some((target) => target.status === 'pending')) return 'pending';
  return targets.some((target) => target.status === 'failed') ? 'failed' : 'completed';
};
