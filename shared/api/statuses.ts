import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { CHECK_STATES } from '../domain/model';
import { HttpUrl, StatusContext, shortText } from './common';

export const CheckState = z.enum(CHECK_STATES);

export const CreateStatusRequest = builtOnFirstUse(() =>
  z
    .strictObject({
    context: StatusContext,
    name: shortText(255).check(z.minLength(1)),
    state: CheckState,
    description: z.optional(shortText(1024)),
    target_url: z.optional(HttpUrl()),
    image_url: z.optional(HttpUrl()),
    })
    .register(z.globalRegistry, { id: 'CreateStatusRequest' }),
);
export type CreateStatusRequest = z.infer<ReturnType<typeof CreateStatusRequest>>;

export const UpdateStatusRequest = builtOnFirstUse(() =>
  z
    .partial(z.omit(CreateStatusRequest(), { context: true }))
    .check(
      z.refine((patch) => Object.values(patch).some((value) => value !== undefined), {
        message: 'give at least one of name, state, description, target_url, image_url',
      }),
    )
    .register(z.globalRegistry, { id: 'UpdateStatusRequest' }),
);
export type UpdateStatusRequest = z.infer<ReturnType<typeof UpdateStatusRequest>>;
