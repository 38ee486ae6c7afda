import type { Caller } from '../domain/access';
import type { Pipeline } from '../domain/pipeline';
import type { Promotion, PromotionRecord } from '../domain/promotion';
import type { PathReferences } from '../domain/requests';
import { pipelineNamed } from '../store/pipelines-store';
import { promotionWithId } from '../store/promotions-store';
import { authenticate, type Found } from './api-keys';
import { authenticateCaller, callerOf } from './authentication';
import { requirePipeline } from './pipelines';
import { requirePromotion } from './promotions';

/** The pipelines function's caller: also the pipeline or the promotion its path names (404 otherwise). */
export type PipelinesCaller = Caller & { pathPipeline: () => Promise<Pipeline>; pathPromotion: () => Promise<Promotion> };

const pipelinesCallerOf = (
  caller: Caller,
  path: PathReferences,
  reads: { pipeline?: Found<Pipeline> | undefined; promotion?: Found<PromotionRecord> | undefined },
): PipelinesCaller => ({
  ...caller,
  pathPipeline: () => requirePipeline(path.pipeline ?? '', reads.pipeline),
  pathPromotion: () => requirePromotion(path.promotionId ?? '', reads.promotion),
});

/**
 * As `authenticateCaller`, with the pipeline a path names by name, or the promotion it names, read in the
 * same DynamoDB call as the key instead of the app.
 */
export const authenticatePipelinesCaller = async (presented: string | undefined, path: PathReferences): Promise<PipelinesCaller | undefined> => {
  const { pipelineName, promotionId } = path;
  if (pipelineName !== undefined) {
    const { principal, named } = await authenticate(presented, pipelineNamed(pipelineName));
    return principal && pipelinesCallerOf(callerOf(principal, path), path, { pipeline: named });
  }
  if (promotionId !== undefined) {
    const { principal, named } = await authenticate(presented, promotionWithId(promotionId));
    return principal && pipelinesCallerOf(callerOf(principal, path), path, { promotion: named });
  }
  const caller = await authenticateCaller(presented, path);
  return caller && pipelinesCallerOf(caller, path, {});
};
