import * as z from 'zod';
import { PROMOTION_STATUSES, PROMOTION_TARGET_STATUSES } from '../domain/promotion';
import { STAGES } from '../domain/pipeline';
import { AppName, AppRef, IdOrName, Timestamp, Uuid, shortText } from './common';
import { StatusContext } from './statuses';

/** `{id}` or `{name}`; `id` also accepts a name, as `/apps/{app}` does. */
const Reference = z
  .strictObject({ id: IdOrName.optional(), name: AppName.optional() })
  .refine((reference) => (reference.id === undefined) !== (reference.name === undefined), {
    message: 'give exactly one of id or name',
  })
  .transform((reference) => (reference.id ?? reference.name) as string);

const Stage = z.enum(STAGES);
const PipelineRef = z.object({ id: Uuid, name: AppName }).meta({ id: 'PipelineRef' });
const ReleaseRef = z.object({ id: Uuid, version: z.number().int().positive() });

/** Bounded so a coupling, and the promotions that check it, stay small. */
export const MAX_REQUIRED_CONTEXTS = 20;
export const MAX_PROMOTION_TARGETS = 20;

export const CreatePipelineRequest = z
  .strictObject({ name: AppName, description: shortText(1024).optional() })
  .meta({ id: 'CreatePipelineRequest' });
export type CreatePipelineRequest = z.infer<typeof CreatePipelineRequest>;

export const PipelineResponse = z
  .object({ id: Uuid, name: AppName, description: z.string().nullable(), created_at: Timestamp, updated_at: Timestamp })
  .meta({ id: 'Pipeline' });
export type PipelineResponse = z.infer<typeof PipelineResponse>;

const RequiredStatusChecks = z.strictObject({
  contexts: z
    .array(StatusContext)
    .max(MAX_REQUIRED_CONTEXTS)
    .refine((contexts) => new Set(contexts).size === contexts.length, { message: 'contexts must not repeat' }),
});

export const CreateCouplingRequest = z
  .strictObject({
    pipeline: IdOrName,
    app: IdOrName,
    stage: Stage,
    required_status_checks: RequiredStatusChecks.default({ contexts: [] }),
  })
  .meta({ id: 'CreatePipelineCouplingRequest' });
export type CreateCouplingRequest = z.infer<typeof CreateCouplingRequest>;

export const CouplingResponse = z
  .object({
    id: Uuid,
    pipeline: PipelineRef,
    app: AppRef,
    stage: Stage,
    required_status_checks: z.object({ contexts: z.array(z.string()) }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'PipelineCoupling' });
export type CouplingResponse = z.infer<typeof CouplingResponse>;

export const CreatePromotionRequest = z
  .strictObject({
    pipeline: Reference,
    source: z.strictObject({ app: Reference, release: z.strictObject({ id: Uuid }).optional() }),
    targets: z.array(z.strictObject({ app: Reference })).min(1).max(MAX_PROMOTION_TARGETS),
    safe: z.boolean().default(true),
  })
  .meta({ id: 'CreatePipelinePromotionRequest' });
export type CreatePromotionRequest = z.infer<typeof CreatePromotionRequest>;

export const PromotionResponse = z
  .object({
    id: Uuid,
    pipeline: PipelineRef,
    source: z.object({ app: AppRef, release: ReleaseRef }),
    targets: z.array(
      z.object({
        app: AppRef,
        release: ReleaseRef.nullable(),
        status: z.enum(PROMOTION_TARGET_STATUSES).meta({
          description: 'pending until its release has rolled out; failed if it got no release or its rollout did not succeed',
        }),
        error_message: z.string().nullable().meta({ description: 'Why the target failed' }),
      }),
    ),
    status: z.enum(PROMOTION_STATUSES).meta({
      description: 'pending while any target is; then succeeded (every target), partially_failed (some) or failed (none)',
    }),
    safe: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'PipelinePromotion' });
export type PromotionResponse = z.infer<typeof PromotionResponse>;
