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
    public_badge: z.boolean().default(false).meta({ description: 'Let anyone read the app\'s badge (GET /apps/{app}/badge.svg) without a key.' }),
  })
  .meta({ id: 'CreateAppRequest' });
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

export const UpdateAppRequest = z
  .strictObject({ public_badge: z.boolean().meta({ description: "Let anyone read the app's badge without a key (true) or not (false)." }) })
  .meta({ id: 'UpdateAppRequest' });
export type UpdateAppRequest = z.infer<typeof UpdateAppRequest>;

export const AppResponse = z
  .object({
    id: Uuid,
    name: AppName,
    cluster: z.string(),
    service: z.string(),
    container: z.string().nullable(),
    auto_release: z.boolean(),
    public_badge: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
    description: z.string().meta({ description: 'Akkeris compatibility: which ECS service the app is.' }),
    web_url: z.string().meta({ description: 'Akkeris compatibility: Slipway does not know an app\'s URL; always "".' }),
    simple_name: AppName.meta({ description: 'Akkeris compatibility: the same as name.' }),
    space: NamedRef.meta({ description: "Akkeris compatibility: Slipway's nearest thing to a space is the app's ECS cluster." }),
    organization: NamedRef.meta({ description: 'Akkeris compatibility: Slipway has no organizations; always "slipway".' }),
    region: NamedRef.meta({ description: 'Akkeris compatibility: the AWS region Slipway runs in ("local" under npm start).' }),
  })
  .meta({ id: 'App' });
export type AppResponse = z.infer<typeof AppResponse>;

/** `GET /apps/{app}` also tells what runs now, as Akkeris' apps:info shows it ("" and null before any release). */
export const AppDetailResponse = AppResponse.extend({
  image: z.string().meta({ description: "The current release's image" }),
  git_url: z.string().meta({ description: "The repo of the current release's build" }),
  git_branch: z.string().meta({ description: "The branch of the current release's build" }),
  released_at: Timestamp.nullable().meta({ description: 'When the current release finished rolling out' }),
}).meta({ id: 'AppDetail' });
export type AppDetailResponse = z.infer<typeof AppDetailResponse>;

/** Akkeris' app features; Slipway has one, `auto-release`, mirroring the app's auto_release flag. */
export const AppFeatureResponse = z
  .object({
    name: z.literal('auto-release'),
    description: z.string(),
    enabled: z.boolean(),
  })
  .meta({ id: 'AppFeature' });
export type AppFeatureResponse = z.infer<typeof AppFeatureResponse>;
