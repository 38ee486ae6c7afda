import * as z from 'zod/mini';
import { RECORDED_STATUSES } from '../domain/model';
import { Timestamp, Uuid } from './common';

/** What the API answers about deployments (ReleaseBits), apart from the requests (deployments.ts): the functions that parse those construct none of this at a cold start. */

export const DeploymentCreatedResponse = z.object({ id: Uuid }).register(z.globalRegistry, { id: 'DeploymentCreated' });

export const DeploymentResponse = z
  .object({
    id: Uuid,
    version: z.nullable(z.string()),
    result: z.enum(['success', 'failure', 'pending']),
    stage: z.nullable(z.string()),
    host: z.nullable(z.string()),
    code_name: z.nullable(z.string()),
    started_at: z.nullable(Timestamp()),
    finished_at: z.nullable(Timestamp()),
    commit_sha: z.nullable(z.string()),
    tag: z.nullable(z.string()),
    branch: z.nullable(z.string()),
    meta_data: z.record(z.string(), z.unknown()),
    created_at: Timestamp(),
    release: z.object({ id: Uuid, version: z.int().check(z.positive()) }).check(z.meta({ description: 'The recorded release of its version' })),
  })
  .register(z.globalRegistry, { id: 'Deployment' });
export type DeploymentResponse = z.infer<typeof DeploymentResponse>;

/** A deployment as a release lists it. */
export const ReleaseDeploymentResponse = z
  .object({
    id: Uuid,
    host: z.nullable(z.string()),
    stage: z.nullable(z.string()),
    status: z.enum(RECORDED_STATUSES),
    started_at: z.nullable(Timestamp()),
    finished_at: z.nullable(Timestamp()),
    code_name: z.nullable(z.string()),
    meta_data: z.record(z.string(), z.unknown()),
    created_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'ReleaseDeployment' });
