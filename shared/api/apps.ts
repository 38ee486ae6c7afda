import * as z from 'zod';
import { AppName, Timestamp, Uuid } from './common';

const ResourceName = z.string().min(1).max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/, 'must be an ECS name or ARN');

export const CreateAppRequest = z
  .strictObject({
    name: AppName,
    cluster: ResourceName,
    service: ResourceName,
    container: z.string().min(1).max(255).regex(/^[A-Za-z0-9_-]+$/).optional(),
    auto_release: z.boolean().default(false),
  })
  .meta({ id: 'CreateAppRequest' });
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

export const AppResponse = z
  .object({
    id: Uuid,
    name: AppName,
    cluster: z.string(),
    service: z.string(),
    container: z.string().nullable(),
    auto_release: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'App' });
export type AppResponse = z.infer<typeof AppResponse>;
