import * as z from 'zod';
import { CHECK_STATES } from '../domain/model';
import { HttpUrl, StatusContext, shortText } from './common';

export const CheckState = z.enum(CHECK_STATES);

export const CreateStatusRequest = z
  .strictObject({
    context: StatusContext,
    name: shortText(255).min(1),
    state: CheckState,
    description: shortText(1024).optional(),
    target_url: HttpUrl.optional(),
    image_url: HttpUrl.optional(),
  })
  .meta({ id: 'CreateStatusRequest' });
export type CreateStatusRequest = z.infer<typeof CreateStatusRequest>;

export const UpdateStatusRequest = CreateStatusRequest.omit({ context: true })
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'give at least one of name, state, description, target_url, image_url',
  })
  .meta({ id: 'UpdateStatusRequest' });
export type UpdateStatusRequest = z.infer<typeof UpdateStatusRequest>;
