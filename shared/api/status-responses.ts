import * as z from 'zod/mini';
import { Timestamp, Uuid } from './common';
import { ReleaseResponse } from './release-responses';
import { CheckState } from './statuses';

/** What the API answers about status checks, apart from the requests (statuses.ts): the functions that parse those construct none of this at a cold start. */

export const StatusResponse = z
  .object({
    id: Uuid,
    context: z.string(),
    name: z.string(),
    state: CheckState,
    description: z.nullable(z.string()),
    target_url: z.nullable(z.string()),
    image_url: z.nullable(z.string()),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'Status' });
export type StatusResponse = z.infer<typeof StatusResponse>;

/** `state` is the release's aggregate: error > failure > pending (or no statuses) > success. */
export const ReleaseStatusesResponse = z
  .object({ state: CheckState, release: ReleaseResponse, statuses: z.array(StatusResponse) })
  .register(z.globalRegistry, { id: 'ReleaseStatuses' });
export type ReleaseStatusesResponse = z.infer<typeof ReleaseStatusesResponse>;
