import * as z from 'zod';
import { RECORDED_STATUSES } from '../domain/model';
import { Timestamp, Uuid } from './common';

/** What the API answers about deployments (ReleaseBits), apart from the requests (deployments.ts): the functions that parse those construct none of this at a cold start. */

export const DeploymentCreatedResponse = z.object({ id: Uuid }).meta({ id: 'DeploymentCreated' });

export const DeploymentResponse = z
  .object({
    id: Uuid,
    version: z.string().nullable(),
    result: z.enum(['success', 'failure', 'pending']),
    stage: z.string().nullable(),
    host: z.string().nullable(),
    code_name: z.string().nullable(),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    commit_sha: z.string().nullable(),
    tag: z.string().nullable(),
    branch: z.string().nullable(),
    meta_data: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    release: z.object({ id: Uuid, version: z.number().int().positive() }).meta({ description: 'The recorded release of its version' }),
  })
  .meta({ id: 'Deployment' });
export type DeploymentResponse = z.infer<typeof DeploymentResponse>;

/** A deployment as a release lists it. */
export const ReleaseDeploymentResponse = z
  .object({
    id: Uuid,
    host: z.string().nullable(),
    stage: z.string().nullable(),
    status: z.enum(RECORDED_STATUSES),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    code_name: z.string().nullable(),
    meta_data: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
  })
  .meta({ id: 'ReleaseDeployment' });
