import { unprocessable, type DomainError } from './errors';
import type { AppRef } from './model';

/** Stages in the order a build travels through them. */
export const STAGES = ['review', 'development', 'staging', 'production'] as const;
export type Stage = (typeof STAGES)[number];

export type PipelineRef = { id: string; name: string };

export type Pipeline = {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
};

/** An app's place in a pipeline; an app has at most one. */
export type PipelineCoupling = {
  id: string;
  pipeline: PipelineRef;
  app: AppRef;
  stage: Stage;
  /** Contexts that must be `success` on a release before a safe promotion may carry it to this app. */
  required_status_checks: { contexts: string[] };
  created_at: string;
  updated_at: string;
};

export const stageIndex = (stage: Stage): number => STAGES.indexOf(stage);

/**
 * Each stage and the one after it, as Akkeris' `GET /pipeline-stages` tells clients. A promotion really goes
 * to the nearest later stage that has apps (`nextStageOf`), which is this one unless a stage is left empty.
 */
export const stageSuccessors = (): Record<Stage, Stage | null> =>
  Object.fromEntries(STAGES.map((stage, index) => [stage, STAGES[index + 1] ?? null])) as Record<Stage, Stage | null>;

const populatedStages = (couplings: readonly Pick<PipelineCoupling, 'stage'>[]): Stage[] =>
  STAGES.filter((stage) => couplings.some((coupling) => coupling.stage === stage));

/** The nearest earlier stage that has an app in it; empty stages do not count as upstream. */
export const upstreamStageOf = (stage: Stage, couplings: readonly Pick<PipelineCoupling, 'stage'>[]): Stage | null =>
  populatedStages(couplings)
    .filter((candidate) => stageIndex(candidate) < stageIndex(stage))
    .at(-1) ?? null;

/** The nearest later stage that has an app in it: where a promotion from `stage` goes. */
export const nextStageOf = (stage: Stage, couplings: readonly Pick<PipelineCoupling, 'stage'>[]): Stage | null =>
  populatedStages(couplings).find((candidate) => stageIndex(candidate) > stageIndex(stage)) ?? null;

/**
 * Apps downstream in a pipeline receive releases only by promotion, so what reaches production is what was
 * proven upstream. Apps at the first populated stage (and apps in no pipeline) release freely. Returns the
 * refusal rather than throwing it because auto-release skips such apps instead of failing.
 */
export const directReleaseRefusal = (
  coupling: PipelineCoupling | undefined,
  pipelineCouplings: readonly PipelineCoupling[],
): DomainError | null => {
  if (!coupling) return null;
  const upstream = upstreamStageOf(coupling.stage, pipelineCouplings);
  if (upstream === null) return null;
  return unprocessable(
    'downstream_pipeline_app',
    `App ${coupling.app.name} is at stage ${coupling.stage} of pipeline ${coupling.pipeline.name}, downstream of ${upstream}; ` +
      'only promotions release there.',
    { app: coupling.app.name, pipeline: coupling.pipeline, stage: coupling.stage, upstream_stage: upstream },
  );
};
