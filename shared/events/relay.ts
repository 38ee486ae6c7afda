import type { SlipwayEvent } from '../api/events';
import { presentBuild, presentCoupling, presentPromotion, presentRelease, presentReleaseStatuses, presentStatus } from '../api/presenters';
import { EVENT_SPEC_VERSION, type PendingEvent } from '../domain/events';
import { ownEntry } from '../domain/own-entries';
import type { AppRef, Build, Release } from '../domain/model';
import type { PipelineCoupling } from '../domain/pipeline';
import { viewPromotion, type PromotionRecord } from '../domain/promotion';
import { logger } from '../observability/logger';
import { findAppById } from '../store/apps-store';
import { entityOf } from '../store/client';
import { findPromotionViewParts } from '../store/promotions-store';
import { listOutboxes, readOutbox, removePublished, takeNotedOutboxes, type ItemKey } from '../store/outbox-store';
import { publishEvents } from './publisher';

type Presented = { app: AppRef | null; data: unknown };

const presentReleaseEvent = async (release: Release, event: PendingEvent): Promise<Presented> => {
  if (event.type === 'status.posted' || event.type === 'status.changed') {
    const check = event.context === undefined ? undefined : ownEntry(release.checks, event.context);
    if (!check) throw new Error(`status ${event.context} of release v${release.version} not found`);
    return { app: release.app, data: { ...presentStatus(check), release: { id: release.id, version: release.version } } };
  }
  // The app's pointer says whether the release is `current`.
  const app = await findAppById(release.app.id);
  if (!app) throw new Error(`app ${release.app.id} of release v${release.version} not found`);
  if (event.type === 'release.state_changed') return { app: release.app, data: presentReleaseStatuses(release, app) };
  return { app: release.app, data: presentRelease(release, app) };
};

const presentPromotionEvent = async (record: PromotionRecord): Promise<Presented> => {
  const { releases, sourceCluster } = await findPromotionViewParts(record);
  return { app: record.source.app, data: presentPromotion(viewPromotion(record, releases, sourceCluster)) };
};

/**
 * The event's data is the object as the API returns it, presented from the item as committed now: right
 * after the change (the usual, in-request relay) that is the change itself; a sweeper that publishes later
 * shows the object as it has become since.
 */
const presentEvent = (item: Record<string, unknown>, event: PendingEvent): Promise<Presented> => {
  // A coupling event carries its coupling: its item may be a tombstone, or a newer coupling, by now.
  if (event.coupling) return Promise.resolve({ app: event.coupling.app, data: presentCoupling(event.coupling) });
  switch (item.type) {
    case 'release':
      return presentReleaseEvent(entityOf<Release>(item), event);
    case 'build': {
      const build = entityOf<Build>(item);
      return Promise.resolve({ app: build.app, data: presentBuild(build) });
    }
    case 'pipeline_promotion':
      return presentPromotionEvent(entityOf<PromotionRecord>(item));
    case 'pipeline_coupling': {
      const coupling = entityOf<PipelineCoupling>(item);
      return Promise.resolve({ app: coupling.app, data: presentCoupling(coupling) });
    }
    default:
      throw new Error(`no events are announced by items of type ${String(item.type)}`);
  }
};

const envelopeOf = async (item: Record<string, unknown>, event: PendingEvent): Promise<SlipwayEvent> => {
  const { app, data } = await presentEvent(item, event);
  // The pending event's type picks the data's shape above; the schema's union cannot see that link.
  return { id: event.id, specversion: EVENT_SPEC_VERSION, type: event.type, time: event.time, app, actor: event.actor, data } as SlipwayEvent;
};

/**
 * Publishes the item's pending events, oldest first, then removes them from its outbox. A crash or a failed
 * publish leaves them there for the next relay: published at least once, never lost, never invented (only
 * committed changes carry events).
 */
const relayOutbox = (key: ItemKey): Promise<number> => {
  // One relay per item at a time in this process, so concurrent requests do not publish the same events twice.
  const id = `${key.pk}\u0000${key.sk}`;
  const next = (relaying.get(id) ?? Promise.resolve(0)).catch(() => 0).then(() => relayNow(key));
  relaying.set(id, next);
  return next.finally(() => {
    if (relaying.get(id) === next) relaying.delete(id);
  });
};

const relaying = new Map<string, Promise<number>>();

const relayNow = async (key: ItemKey): Promise<number> => {
  const pending = await readOutbox(key);
  if (!pending) return 0;
  const envelopes = await Promise.all(pending.events.map((event) => envelopeOf(pending.item, event)));
  await publishEvents(envelopes);
  await removePublished(key, pending.events, pending.item);
  return envelopes.length;
};

const relayEach = async (keys: readonly ItemKey[]): Promise<number> => {
  let published = 0;
  for (const key of keys) {
    try {
      published += await relayOutbox(key);
    } catch (error) {
      logger.warn('events not published yet; the sweeper retries', { pk: key.pk, sk: key.sk, error: error as Error });
    }
  }
  return published;
};

/** Right after a request or rollout step: publishes what it committed, best effort (the sweeper backs it up). */
export const relayNotedEvents = (): Promise<number> => relayEach(takeNotedOutboxes());

/**
 * The same, without holding the caller's answer: an HTTP request's events are published while the answer
 * goes out (in Lambda, while the environment is not frozen; the sweeper publishes whatever that leaves).
 */
export const relayNotedEventsInBackground = async (): Promise<void> => {
  void relayNotedEvents();
};

/**
 * The sweeper (the reconciler in AWS, an interval locally): publishes events that stayed pending longer than
 * `minAgeMs` (their request crashed or its publish failed). Younger ones are left to their own request.
 */
export const sweepOutboxes = async (minAgeMs: number, limit = 100): Promise<number> =>
  relayEach(await listOutboxes(new Date(Date.now() - minAgeMs).toISOString(), limit));
