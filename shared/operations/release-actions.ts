import type { App, Actor, Release, StatusCheck } from '../domain/model';
import { ACTION_FIELD, actionRefusal, type ReleaseAction } from '../domain/release-actions';
import { mergeProgress, settingsOf } from '../domain/rollout';
import { shiftsTraffic } from '../domain/deployment-strategy';
import { logger } from '../observability/logger';
import { mutateRelease } from '../store/releases-store';
import { reviewReleaseHolds } from '../rollout/holds';

/**
 * An operator approves, promotes or aborts a release whose deployment shifts traffic: the action is recorded on
 * the release (who, when; taken again, it stands as first taken) and ECS is told at once what it calls for.
 */
export const actOnRelease = async (app: App, release: Release, action: ReleaseAction, actor: Actor): Promise<Release> => {
  const refusal = actionRefusal(release, action);
  if (refusal) throw refusal;
  const field = ACTION_FIELD[action];
  await mutateRelease(
    app.id,
    release.version,
    (current) => {
      const refused = actionRefusal(current, action);
      if (refused) throw refused;
      if (current.rollout?.[field]) return null;
      return { rollout: mergeProgress(current.rollout, { [field]: { actor: actor.email, at: new Date().toISOString() } }) };
    },
    actor,
  );
  return (await reviewReleaseHolds(app, app.id, release.version)) ?? release;
};

/**
 * A status check posted on a release whose gate may be waiting for it: ECS is told at once (continue, or roll back
 * on a failure). A fault here fails no POST: the rollout reviews the holds again at its next reconcile.
 */
export const reviewGateOnCheck = async (app: App, release: Release, check: Pick<StatusCheck, 'context'>): Promise<void> => {
  const settings = settingsOf(release.rollout);
  if (release.status !== 'pending' || !shiftsTraffic(settings) || !('gate' in settings) || !settings.gate?.checks.includes(check.context)) return;
  try {
    await reviewReleaseHolds(app, app.id, release.version);
  } catch (error) {
    logger.warn('gate not reviewed on a status check; the rollout reviews it again', { app: app.name, version: release.version, error: error as Error });
  }
};
