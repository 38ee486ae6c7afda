import * as z from 'zod/mini';
import { CHECK_STATES } from '../domain/model';
import { HttpUrl, StatusContext, shortText } from './common';

export const CheckState = z.enum(CHECK_STATES);

// The fields without the id: z.omit refuses an object that carries checks, and a mini `z.meta` is one.
const StatusFields = z.strictObject({
  context: StatusContext,
  name: shortText(255).check(z.minLength(1)),
  state: CheckState,
  description: z.optional(shortText(1024)),
  target_url: z.optional(HttpUrl),
  image_url: z.optional(HttpUrl),
});

export const CreateStatusRequest = StatusFields.check(z.meta({ id: 'CreateStatusRequest' }));
export type CreateStatusRequest = z.infer<typeof CreateStatusRequest>;

export const UpdateStatusRequest = z.partial(z.omit(StatusFields, { context: true })).check(
  z.refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'give at least one of name, state, description, target_url, image_url',
  }),
  z.meta({ id: 'UpdateStatusRequest' }),
);
export type UpdateStatusRequest = z.infer<typeof UpdateStatusRequest>;
