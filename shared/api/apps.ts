import * as z from 'zod';
import { AppName, NamedRef, Timestamp, Uuid } from './common';

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
    simple_name: AppName.meta({ description: 'Akkeris compatibility: the same as name.' }),
    space: NamedRef.meta({ description: "Akkeris compatibility: Slipway's nearest thing to a space is the app's ECS cluster." }),
    organization: NamedRef.meta({ description: 'Akkeris compatibility: Slipway has no organizations; always "slipway".' }),
    region: NamedRef.meta({ description: 'Akkeris compatibility: the AWS region Slipway runs in ("local" under npm start).' }),
  })
  .meta({ id: 'App' });
export type AppResponse = z.infer<typeof AppResponse>;

/** Akkeris' app features; Slipway has one, `auto-release`, mirroring the app's auto_release flag. */
export const AppFeatureResponse = z
  .object({
    name: z.literal('auto-release'),
    description: z.string(),
    enabled: z.boolean(),
  })
  .meta({ id: 'AppFeature' });
export type AppFeatureResponse = z.infer<typeof AppFeatureResponse>;
