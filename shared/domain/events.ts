import { v5 as uuidv5 } from 'uuid';
import type { Actor, Build, BuildStatus, Release, ReleaseStatus } from './model';
import { ownEntry } from './own-entries';
import { isRollback } from './rollback';
import type { PipelineCoupling } from './pipeline';

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
  'release.phase_changed',
  'release.awaiting_approval',
  'release.deployed',
  'status.posted',
  'status.changed',
  'promotion.created',
  'promotion.finished',
  'pipeline.coupled',
  'pipeline.uncoupled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** EventBridge: every Slipway event has this source; its detail-type is the event's type. */
export const EVENT_SOURCE = 'slipway';

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
  /**
   * The coupling a `pipeline.*` event is about, as the change left it: its item is turned into the
   * uncoupling's tombstone, or replaced by a later coupling, before the event may be published.
   */
  coupling?: PipelineCoupling;
};

/**
 * What a change announces, before the store gives each event its time and actor, and its id: a random
 * one unless the change fixes it, as a change that more than one writer may attempt does.
 */
export type EventIntent = { type: EventType; id?: string; context?: string; coupling?: PipelineCoupling };

/** A build is announced when registered, and again when it settles (or at once, if registered settled). */
export const buildCreationEvents = (build: Pick<Build, 'status'>): EventIntent[] => [
  { type: 'build.created' },
  ...buildSettledEvents(build.status),
];

export const buildSettledEvents = (status: BuildStatus): EventIntent[] =>
  status === 'succeeded' ? [{ type: 'build.succeeded' }] : status === 'failed' ? [{ type: 'build.failed' }] : [];

const SETTLED_EVENT: Partial<Record<ReleaseStatus, EventType>> = {
  succeeded: 'release.succeeded',
  failed: 'release.failed',
  unknown: 'release.unknown',
};

/**
 * A new release is `release.created`, and a rollback (by hand or automatic) is also `release.rollback`; a release recorded settled
 * (an external app's, reported once done) is also announced as settled.
 */
export const releaseCreationEvents = (release: Pick<Release, 'trigger'> & Partial<Pick<Release, 'status'>>): EventIntent[] => {
  const settled = release.status === undefined ? undefined : SETTLED_EVENT[release.status];
  return [
    { type: 'release.created' },
    ...(isRollback(release) ? [{ type: 'release.rollback' } as const] : []),
    ...(settled ? [{ type: settled }] : []),
  ];
};

/**
 * The events a change to a release announces, from what it was and what changes: leaving the queue, a new
 * phase, a gate waiting for approval, a final outcome, a status check posted or changed, a new aggregate
 * state. Task counts alone announce nothing.
 */
export const releaseChangeEvents = (
  before: Release,
  changes: Partial<Pick<Release, 'status' | 'state' | 'checks' | 'deployments' | 'rollout'>>,
): EventIntent[] => {
  const events: EventIntent[] = [];
  // A rollout moving to its next phase, and a gate that starts waiting for a person, are news while the release rolls out.
  const phase = changes.rollout?.phase;
  if (phase && phase !== (before.rollout?.phase ?? null)) events.push({ type: 'release.phase_changed' });
  const waitsForApproval = (rollout: Release['rollout'] | undefined) => rollout?.gate?.waiting_for.includes('approval') === true;
  if (changes.rollout !== undefined && waitsForApproval(changes.rollout) && !waitsForApproval(before.rollout)) {
    events.push({ type: 'release.awaiting_approval' });
  }
  // A deployment of a recorded release, reported by its client (ReleaseBits), is news of its own.
  if (changes.deployments !== undefined) events.push({ type: 'release.deployed' });
  for (const [context, check] of Object.entries(changes.checks ?? {})) {
    const previous = before.checks === undefined ? undefined : ownEntry(before.checks, context);
    if (!previous) events.push({ type: 'status.posted', context });
    else if (previous.updated_at !== check.updated_at) events.push({ type: 'status.changed', context });
  }
  if (changes.state !== undefined && changes.state !== before.state) events.push({ type: 'release.state_changed' });
  if (changes.status !== undefined && changes.status !== before.status) {
    if (changes.status === 'pending') events.push({ type: 'release.rollout_started' });
    const settled = SETTLED_EVENT[changes.status];
    if (settled) events.push({ type: settled });
  }
  return events;
};

/**
 * A promotion finishes once, whoever records it (the Finish step of its last target, a reconciler): the
 * event's id is derived from the promotion's, so even two records of that end would be one event.
 */
export const promotionFinishedEvent = (promotionId: string): EventIntent => ({
  type: 'promotion.finished',
  id: uuidv5('promotion.finished', promotionId),
});
