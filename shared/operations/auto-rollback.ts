import type { App, Release, StatusCheck } from '../domain/model';
import {
  AUTO_ROLLBACK_ACTOR,
  autoRollbackAfterRollout,
  autoRollbackIdOf,
  autoRollbackReason,
  lastGoodBefore,
  planRollback,
} from '../domain/rollback';
import { logger } from '../observability/logger';
import { findAppById } from '../store/apps-store';
import { listReleasePage } from '../store/releases-store';
import { findAppCoupling } from './pipelines';
import { recordRelease } from './releases';

/** How far back the last good release is looked for; an app with none among them is left to a human. */
const LOOKBACK = 50;

/**
 * Rolls `release` back to the newest succeeded release before it, as trigger `auto_rollback`, under an id
 * derived from the release: two reports of the same failure make one rollback. The rollback overtakes
 * whatever is queued, like any rollback.
 */
const rollBack = async (app: App, release: Release, reason: string): Promise<Release | null> => {
  const { releases } = await listReleasePage(app.id, {
    afterVersion: 0,
    beforeVersion: release.version,
    descending: true,
    limit: LOOKBACK,
    status: 'succeeded',
  });
  const target = lastGoodBefore(releases, release.version);
  if (!target) {
    logger.warn('automatic rollback wanted, but no earlier release succeeded', { app: app.name, version: release.version, reason });
    return null;
  }
  const plan = planRollback(app, target, { trigger: 'auto_rollback', reason });
  const rollback = await recordRelease(app, plan, AUTO_ROLLBACK_ACTOR, autoRollbackIdOf(release.id));
  logger.info('automatic rollback', { app: app.name, from: release.version, to: target.version, rollback: rollback.version, reason });
  return rollback;
};

/**
 * After a check was posted on a release: with the app's auto_rollback on, a required check that failed
 * on the live release within its bake window rolls it back (see autoRollbackReason). Never throws: the
 * check is recorded whatever happens here, and a report of it again retries the rollback.
 */
export const autoRollBackOnCheck = async (app: App, release: Release, check: Pick<StatusCheck, 'context' | 'state'>): Promise<Release | null> => {
  if (!app.auto_rollback) return null;
  try {
    const coupling = await findAppCoupling(app);
    const reason = autoRollbackReason(app, release, check, coupling?.required_status_checks.contexts ?? null, new Date());
    return reason ? await rollBack(app, release, reason) : null;
  } catch (error) {
    logger.error('automatic rollback failed; the next report of the check retries it', { app: app.name, error: error as Error });
    return null;
  }
};

/** After a rollout settled: a release that ended `unknown` on an auto_rollback app is rolled back. */
export const autoRollBackAfterRollout = async (release: Release): Promise<Release | null> => {
  if (release.status !== 'unknown') return null;
  const app = await findAppById(release.app.id);
  const reason = app ? autoRollbackAfterRollout(app, release) : null;
  return app && reason ? rollBack(app, release, reason) : null;
};
