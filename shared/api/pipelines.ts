import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import type { NamedPair } from '../domain/requests';
import { STAGES } from '../domain/pipeline';
import { AppName, IdOrName, StatusContext, Uuid, shortText } from './common';

/**
 * `{id}`, `{name}` or both, as Akkeris clients send the `{id, name}` pairs they read from Slipway; `id` also
 * accepts a name, as `/apps/{app}` does. When both are given they must name the same thing: a name in `id`
 * is compared here, a UUID in `id` by `assertNamedPairsAgree` against the stored name.
 */
const ReferenceFields = builtOnFirstUse(() =>
  z.strictObject({ id: z.optional(IdOrName), name: z.optional(AppName) }).check(
    z.refine((reference) => reference.id !== undefined || reference.name !== undefined, { message: 'give id or name' }),
    z.refine(
      (reference) =>
        reference.id === undefined || reference.name === undefined || Uuid.safeParse(reference.id).success || reference.id === reference.name,
      { message: 'id and name name different things' },
    ),
  ),
);

const keyOf = (reference: { id?: string | undefined; name?: string | undefined }) => (reference.id ?? reference.name) as string;

const namedPairOf = (kind: NamedPair['kind'], reference: { id?: string | undefined; name?: string | undefined }): NamedPair[] =>
  reference.id !== undefined && reference.name !== undefined ? [{ kind, id: reference.id, name: reference.name }] : [];

const ReleaseId = builtOnFirstUse(() => z.strictObject({ id: Uuid }));

export const Stage = z.enum(STAGES);

/** Bounded so a coupling, and the promotions that check it, stay small. */
const MAX_REQUIRED_CONTEXTS = 20;
const MAX_PROMOTION_TARGETS = 20;

export const CreatePipelineRequest = builtOnFirstUse(() =>
  z
    .strictObject({ name: AppName, description: z.optional(shortText(1024)) })
    .register(z.globalRegistry, { id: 'CreatePipelineRequest' }),
);
export type CreatePipelineRequest = z.infer<ReturnType<typeof CreatePipelineRequest>>;

const RequiredStatusChecks = builtOnFirstUse(() =>
  z.strictObject({
    contexts: z
      .array(StatusContext)
      .check(
        z.maxLength(MAX_REQUIRED_CONTEXTS),
        z.refine((contexts) => new Set(contexts).size === contexts.length, { message: 'contexts must not repeat' }),
      ),
  }),
);

export const CreateCouplingRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      pipeline: IdOrName,
      app: IdOrName,
      stage: Stage,
      required_status_checks: z._default(RequiredStatusChecks(), { contexts: [] }),
    })
    .register(z.globalRegistry, { id: 'CreatePipelineCouplingRequest' }),
);
export type CreateCouplingRequest = z.infer<ReturnType<typeof CreateCouplingRequest>>;

/**
 * Akkeris' CLI puts a chosen release inside the source app (`source.app.release`); it is taken like
 * `source.release`, and refused when both are given and differ.
 */
export const CreatePromotionRequest = builtOnFirstUse(() =>
  z
    .pipe(
      z
        .strictObject({
          pipeline: ReferenceFields(),
          source: z.strictObject({
            app: z.safeExtend(ReferenceFields(), { release: z.optional(ReleaseId()) }),
            release: z.optional(ReleaseId()),
          }),
          targets: z.array(z.strictObject({ app: ReferenceFields() })).check(z.minLength(1), z.maxLength(MAX_PROMOTION_TARGETS)),
          safe: z._default(z.boolean(), true),
        })
        .check(
          z.refine(({ source }) => !source.release || !source.app.release || source.release.id === source.app.release.id, {
            message: 'source.release and source.app.release name different releases',
            path: ['source', 'release'],
          }),
        ),
      z.transform(({ pipeline, source, targets, safe }) => {
        const release = source.release ?? source.app.release;
        return {
          pipeline: keyOf(pipeline),
          source: { app: keyOf(source.app), ...(release ? { release } : {}) },
          targets: targets.map((target) => ({ app: keyOf(target.app) })),
          safe,
          /** `{id, name}` pairs whose id is a UUID, to be checked against the stored names. */
          named_pairs: [
            ...namedPairOf('pipeline', pipeline),
            ...namedPairOf('app', source.app),
            ...targets.flatMap((target) => namedPairOf('app', target.app)),
          ],
        };
      }),
    )
    .register(z.globalRegistry, { id: 'CreatePipelinePromotionRequest' }),
);
export type CreatePromotionRequest = z.infer<ReturnType<typeof CreatePromotionRequest>>;
