import * as z from 'zod/mini';
import { EVENT_SPEC_VERSION, type EventType } from '../domain/events';
import { HOOK_KINDS, PING_EVENT_TYPE } from '../domain/hooks';
import { BuildResponse } from './build-responses';
import { AppRef, Timestamp, Uuid } from './common';
import { CouplingResponse, PromotionResponse } from './pipeline-responses';
import { ReleaseResponse } from './release-responses';
import { ReleaseStatusesResponse, StatusResponse } from './status-responses';

/** A status check as the API returns it, with the release it is posted on. */
const StatusEventData = z
  .extend(StatusResponse, { release: z.object({ id: Uuid, version: z.int().check(z.positive()) }) })
  .register(z.globalRegistry, { id: 'StatusEventData' });

const Actor = z
  .object({ id: z.string(), email: z.string() })
  .register(z.globalRegistry, { id: 'EventActor', description: "The API key (its id and email) whose request caused the change; null for Slipway's own steps." });

const pascalCase = (type: string) =>
  type
    .split(/[._]/)
    .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join('');

const envelope = <T extends EventType, D extends z.core.$ZodType>(type: T, data: D, description: string) =>
  z
    .object({
      id: Uuid.check(z.meta({ description: 'Unique per event: delivery is at least once, so consumers dedupe by it.' })),
      specversion: z.literal(EVENT_SPEC_VERSION),
      type: z.literal(type),
      time: Timestamp().check(z.meta({ description: 'When the change was committed.' })),
      app: z.nullable(AppRef()),
      actor: z.nullable(Actor),
      data,
    })
    .register(z.globalRegistry, { id: `${pascalCase(type)}Event`, description });

/**
 * The envelope of every Slipway event, one variant per type; `data` is the object as the API returns it.
 * The single source of the shape: the OpenAPI component `SlipwayEvent`, the EventBridge detail and the
 * in-process bus all carry exactly this.
 */
export const SlipwayEvent = z
  .discriminatedUnion('type', [
    envelope('build.created', BuildResponse, 'A build was registered.'),
    envelope('build.succeeded', BuildResponse, 'A build was marked succeeded.'),
    envelope('build.failed', BuildResponse, 'A build was marked failed.'),
    envelope('release.created', ReleaseResponse, 'A release was created (any trigger).'),
    envelope('release.rollback', ReleaseResponse, 'A rollback was created, by hand or automatic (trigger rollback or auto_rollback; also release.created).'),
    envelope('release.rollout_started', ReleaseResponse, 'The release left the queue and its deployment began.'),
    envelope('release.succeeded', ReleaseResponse, 'The rollout succeeded: the release is current.'),
    envelope('release.failed', ReleaseResponse, 'The rollout failed; the previous release stays current.'),
    envelope('release.unknown', ReleaseResponse, 'The rollout outcome could not be known (deadline passed).'),
    envelope('release.state_changed', ReleaseStatusesResponse, "The release's aggregate status-check state changed."),
    envelope('release.phase_changed', ReleaseResponse, "The rollout moved to another phase (rollout.phase: a canary's share, a step, a bake, a gate)."),
    envelope('release.awaiting_approval', ReleaseResponse, "The release's gate waits for an operator's approval (rollout.gate says for what else, and until when)."),
    envelope('release.deployed', ReleaseResponse, "A deployment of an external app's recorded release was reported (ReleaseBits): data lists its deployments."),
    envelope('status.posted', StatusEventData, 'A status check with a new context was posted on a release.'),
    envelope('status.changed', StatusEventData, 'An existing status check was updated.'),
    envelope('promotion.created', PromotionResponse, 'A pipeline promotion was made.'),
    envelope('promotion.finished', PromotionResponse, 'Every target of a promotion settled; data carries per-target outcomes.'),
    envelope('pipeline.coupled', CouplingResponse, 'An app was coupled to a pipeline stage.'),
    envelope('pipeline.uncoupled', CouplingResponse, 'An app was uncoupled from its pipeline.'),
  ])
  .register(z.globalRegistry, { id: 'SlipwayEvent' });
export type SlipwayEvent = z.infer<typeof SlipwayEvent>;

/** What `POST …/hooks/{hook}/ping` sends: an envelope like any event's, naming the hook pinged. */
export const HookPingEvent = z
  .object({
    id: Uuid.check(z.meta({ description: 'Unique per ping; also its delivery id.' })),
    specversion: z.literal(EVENT_SPEC_VERSION),
    type: z.literal(PING_EVENT_TYPE),
    time: Timestamp(),
    app: AppRef(),
    actor: z.object({ id: z.string(), email: z.string() }).check(z.meta({ description: 'The API key that asked for the ping.' })),
    data: z.object({ hook: z.object({ id: Uuid, kind: z.enum(HOOK_KINDS), events: z.array(z.string()) }) }),
  })
  .check(
    z.meta({ id: 'HookPingEvent', description: 'Sent by POST /apps/{app}/hooks/{hook}/ping to test a receiver; never published as an event.' }),
  );
