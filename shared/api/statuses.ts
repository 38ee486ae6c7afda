import * as z from 'zod';
import { CHECK_STATES } from '../domain/model';
import { HttpUrl, StatusContext, Timestamp, Uuid, shortText } from './common';
import { ReleaseResponse } from './releases';

const CheckState = z.enum(CHECK_STATES);

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

export const StatusResponse = z
  .object({
    id: Uuid,
    context: z.string(),
    name: z.string(),
    state: CheckState,
    description: z.string().nullable(),
    target_url: z.string().nullable(),
    image_url: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Status' });
export type StatusResponse = z.infer<typeof StatusResponse>;

/** `state` is the release's aggregate: error > failure > pending (or no statuses) > success. */
export const ReleaseStatusesResponse = z
  .object({ state: CheckState, release: ReleaseResponse, statuses: z.array(StatusResponse) })
  .meta({ id: 'ReleaseStatuses' });
export type ReleaseStatusesResponse = z.infer<typeof ReleaseStatusesResponse>;
