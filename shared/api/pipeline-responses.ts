import * as z from 'zod/mini';
import { PROMOTION_STATUSES, PROMOTION_TARGET_STATUSES } from '../domain/promotion';
import { AppName, AppRef, NamedRef, Timestamp, Uuid } from './common';
import { Stage } from './pipelines';

/** What the API answers about pipelines, their couplings and promotions, apart from the requests (pipelines.ts): the functions that parse those construct none of this at a cold start. */

const PipelineRef = z.object({ id: Uuid, name: AppName }).register(z.globalRegistry, { id: 'PipelineRef' });
const ReleaseRef = z.object({ id: Uuid, version: z.int().check(z.positive()) });

// An object of every stage (a record keyed by an enum is one), spelled out so the document lists each.
export const PipelineStagesResponse = z
  .object(Object.fromEntries(Stage.options.map((stage) => [stage, z.nullable(Stage)])) as Record<z.infer<typeof Stage>, z.ZodMiniNullable<typeof Stage>>)
  .register(z.globalRegistry, { id: 'PipelineStages', description: 'Each stage and the stage after it (null after the last).' });

export const PipelineResponse = z
  .object({ id: Uuid, name: AppName, description: z.nullable(z.string()), created_at: Timestamp(), updated_at: Timestamp() })
  .register(z.globalRegistry, { id: 'Pipeline' });
export type PipelineResponse = z.infer<typeof PipelineResponse>;

export const CouplingResponse = z
  .object({
    id: Uuid,
    pipeline: PipelineRef,
    app: AppRef(),
    stage: Stage,
    required_status_checks: z.object({ contexts: z.array(z.string()) }),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'PipelineCoupling' });
export type CouplingResponse = z.infer<typeof CouplingResponse>;

export const PromotionResponse = z
  .object({
    id: Uuid,
    pipeline: PipelineRef,
    source: z.object({
      app: AppRef(),
      release: ReleaseRef,
      space: NamedRef().check(z.meta({ description: "Akkeris compatibility: the source app's ECS cluster." })),
    }),
    targets: z.array(
      z.object({
        app: AppRef(),
        release: z.nullable(ReleaseRef),
        status: z.enum(PROMOTION_TARGET_STATUSES).check(
          z.meta({
            description: 'pending until its release has rolled out; failed if it got no release or its rollout did not succeed',
          }),
        ),
        error_message: z.nullable(z.string()).check(z.meta({ description: 'Why the target failed' })),
      }),
    ),
    status: z.enum(PROMOTION_STATUSES).check(
      z.meta({
        description: 'pending while any target is; then succeeded (every target), partially_failed (some) or failed (none)',
      }),
    ),
    safe: z.boolean(),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'PipelinePromotion' });
export type PromotionResponse = z.infer<typeof PromotionResponse>;
