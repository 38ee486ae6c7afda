import { randomUUID } from 'node:crypto';
import type { Actor, App, Build, Release } from '../domain/model';
import { planBuildRelease } from '../domain/release-request';
import { logger } from '../observability/logger';
import {
  claimAutoRelease,
  markAutoReleased,
  renewAutoReleaseLease,
  type AutoReleaseMarker,
} from '../store/auto-release-store';
import { directReleaseRefusalFor } from './pipelines';
import { recordRelease } from './releases';

/**
 * How long a claim is exclusive. API Lambdas time out well before this (API Gateway gives up at 30 s), so
 * once a lease has run out its holder has certainly stopped and another request may roll its work forward.
 */
const AUTO_RELEASE_LEASE_MS = 60_000;

/**
 * Gives an auto-release app exactly one release per succeeded build, however often or concurrently the
 * build's success is reported. DynamoDB has no transactions here (nor does dynalite), so:
 *
 * 1. A conditional put of a marker item `AUTOREL#{build}` claims the build's auto-release and fixes the id
 *    its release will have. Of racing requests exactly one claims; the others stop.
 * 2. The claimant creates the release with that id (`recordRelease`), then marks the claim released.
 * 3. If the claimant dies between 1 and 2, the marker stays `claimed`. A later report of the same success
 *    (a client retrying its PATCH) finds the lease expired, takes it over with a conditional update that
 *    only one caller can win, and rolls forward: it looks the fixed release id up (a consistent read) and
 *    creates the release only if it is not there, so a crash after the release was written is no duplicate
 *    (and a release found still queued gets its rollout started, in case the crash came before that).
 *
 * Downstream pipeline apps are skipped (no marker written): only promotions release there, and the
 * build request itself must not fail because of it.
 */
export const ensureAutoRelease = async (app: App, build: Build, actor: Actor): Promise<Release | null> => {
  if (!app.auto_release || build.status !== 'succeeded') return null;
  if (await directReleaseRefusalFor(app)) {
    logger.info('auto-release skipped: app is downstream in its pipeline', { app: app.name, build: build.id });
    return null;
  }
  const now = Date.now();
  const claim = await claimAutoRelease({
    app_id: app.id,
    build_id: build.id,
    release_id: randomUUID(),
    status: 'claimed',
    lease_until: now + AUTO_RELEASE_LEASE_MS,
    release_version: null,
  });
  const marker = claim.claimed ? claim.marker : await takeOverStalledClaim(claim.marker, now);
  if (!marker) return null;
  try {
    // With the id fixed, a release the crashed claimant already wrote is found (and started), not doubled.
    const release = await recordRelease(app, planBuildRelease(app, build, 'auto'), actor, marker.release_id);
    await markAutoReleased(marker, release.version);
    return release;
  } catch (error) {
    // Hand the claim back at once so the client's retry rolls it forward instead of waiting out the lease.
    await renewAutoReleaseLease(marker, 0);
    throw error;
  }
};

const takeOverStalledClaim = async (marker: AutoReleaseMarker, now: number): Promise<AutoReleaseMarker | undefined> => {
  if (marker.status === 'released' || marker.lease_until > now) return undefined;
  return renewAutoReleaseLease(marker, now + AUTO_RELEASE_LEASE_MS);
};
