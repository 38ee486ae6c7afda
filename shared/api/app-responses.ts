import * as z from 'zod/mini';
import { CHECK_STATES, RELEASE_STATUSES, RELEASE_TRIGGERS } from '../domain/model';
import { DeploymentSettingsSchema } from './apps';
import { AppName, NamedRef, Timestamp, Uuid } from './common';
import { ReleasePhaseSettingsSchema } from './release-phase';
import { ChecksPosted, RolloutResponse } from './release-responses';

/** What the API answers about apps, apart from the requests (apps.ts): the functions that parse those construct none of this at a cold start. */

export const AppResponse = z
  .object({
  id: Uuid,
  name: AppName,
  cluster: z.nullable(z.string()).check(z.meta({ description: 'The ECS cluster; null for an external app.' })),
  service: z.nullable(z.string()).check(z.meta({ description: 'The ECS service; null for an external app.' })),
  container: z.nullable(z.string()),
  external: z.boolean().check(z.meta({ description: 'An external app: Slipway records its releases as its clients report them and never deploys them.' })),
  auto_release: z.boolean(),
  auto_rollback: z.boolean(),
  bake_window_seconds: z.int(),
  public_badge: z.boolean(),
  deployment: DeploymentSettingsSchema(),
  release_phase: z.nullable(ReleasePhaseSettingsSchema()).check(z.meta({ description: 'The one-off command each release runs before it takes traffic; null: none.' })),
  created_at: Timestamp(),
  updated_at: Timestamp(),
  description: z.string().check(z.meta({ description: 'Akkeris compatibility: which ECS service the app is (or that it is external).' })),
  web_url: z.string().check(z.meta({ description: 'Akkeris compatibility: Slipway does not know an app\'s URL; always "".' })),
  simple_name: AppName.check(z.meta({ description: 'Akkeris compatibility: the same as name.' })),
  space: NamedRef().check(z.meta({ description: "Akkeris compatibility: Slipway's nearest thing to a space is the app's ECS cluster (\"external\" for an external app)." })),
  organization: NamedRef().check(z.meta({ description: 'Akkeris compatibility: Slipway has no organizations; always "slipway".' })),
  region: NamedRef().check(z.meta({ description: 'Akkeris compatibility: the AWS region Slipway runs in ("local" under npm start).' })),
  })
  .register(z.globalRegistry, { id: 'App' });
export type AppResponse = z.infer<typeof AppResponse>;

const CurrentReleaseResponse = z
  .object({
  id: Uuid,
  version: z.int().check(z.positive()),
  image: z.string(),
  status: z.enum(RELEASE_STATUSES),
  state: z.enum(CHECK_STATES).check(z.meta({ description: 'Its combined status checks' })),
  checks_posted: ChecksPosted,
  trigger: z.enum(RELEASE_TRIGGERS),
  started_at: z.nullable(Timestamp()),
  finished_at: z.nullable(Timestamp()),
  running_count: z
    .nullable(z.int().check(z.nonnegative()))
    .check(z.meta({ description: "The ECS tasks running it now, or an external app's hosts running it; null when ECS cannot be read" })),
  })
  .register(z.globalRegistry, { id: 'CurrentRelease' });
export type CurrentReleaseResponse = z.infer<typeof CurrentReleaseResponse>;

const RolloutInFlightResponse = z
  .extend(CurrentReleaseResponse, {
    rollout: z.nullable(RolloutResponse),
  })
  .register(z.globalRegistry, { id: 'RolloutInFlight' });

/** `GET /apps/{app}` also tells what runs now, as Akkeris' apps:info shows it ("" and null before any release). */
export const AppDetailResponse = z
  .extend(AppResponse, {
    image: z.string().check(z.meta({ description: "The current release's image" })),
    git_url: z.string().check(z.meta({ description: "The repo of the current release's build" })),
    git_branch: z.string().check(z.meta({ description: "The branch of the current release's build" })),
    released_at: z.nullable(Timestamp()).check(z.meta({ description: 'When the current release finished rolling out' })),
    current_release: z.nullable(CurrentReleaseResponse).check(z.meta({ description: 'What is live: the current release; null before any succeeded' })),
    rollout_in_flight: z.nullable(RolloutInFlightResponse).check(z.meta({ description: 'The release rolling out now, if any' })),
  })
  .register(z.globalRegistry, { id: 'AppDetail' });
export type AppDetailResponse = z.infer<typeof AppDetailResponse>;

/** Akkeris' app features; Slipway has one, `auto-release`, mirroring the app's auto_release flag. */
export const AppFeatureResponse = z
  .object({
    name: z.literal('auto-release'),
    description: z.string(),
    enabled: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'AppFeature' });
export type AppFeatureResponse = z.infer<typeof AppFeatureResponse>;
