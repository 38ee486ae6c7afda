import type { Actor } from './model';

/** Every change a user cares about, by the name consumers filter on (also EventBridge's detail-type). */
export const EVENT_TYPES = [
  'build.created',
  'build.succeeded',
  'build.failed',
  'release.created',
  'release.rollback',
  'release.rollout_started',
  'release.succeeded',
  'release.failed',
  'release.unknown',
  'release.state_changed',
  'status.posted',
  'status.changed',
  'promotion.created',
  'promotion.finished',
  'pipeline.coupled',
  'pipeline.uncoupled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Bumped only on a breaking change of the envelope. */
export const EVENT_SPEC_VERSION = 1;

/**
 * An event not yet published, kept on the item whose change it announces and written in the same
 * conditional write. Small on purpose: the data is presented from the item when the event is published.
 */
export type PendingEvent = {
  id: string;
  type: EventType;
  time: string;
  actor: Actor | null;
  /** The status check a `status.*` event is about. */
  context?: string;
};
