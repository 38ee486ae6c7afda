import type { Release } from '../domain/model';
import { isRollback } from '../domain/rollback';
import { logger } from '../observability/logger';
import { overtakeQueue } from './lock';
import { startRolloutExecution } from './sfn';
import { config } from '../config/config';
import { configuredDeadlineSeconds, rolloutInputOf } from './rollout-input';

/**
 * Starts a recorded release's rollout on the state machine named by ROLLOUT_STATE_MACHINE_ARN. A start
 * that fails leaves the release `queued`, not lost: every later rollout of the app hands the lock to the
 * lowest queued release and starts its execution if it has none, so the release is not answered with an
 * error that would tempt a client into creating a second one. A rollback then overtakes the app's queue
 * (see overtakeQueue): it is the way out of a bad rollout, so it never waits behind one.
 */
export const startRollout = async (release: Release): Promise<void> => {
  const { stateMachineArn } = config();
  if (!stateMachineArn) {
    logger.warn('no rollout state machine configured; the release stays queued', { releaseId: release.id });
    return;
  }
  try {
    await startRolloutExecution(stateMachineArn, rolloutInputOf(release));
  } catch (error) {
    logger.error('rollout not started; the next rollout of the app starts it', {
      releaseId: release.id,
      error: error as Error,
    });
  }
  if (!isRollback(release)) return;
  try {
    await overtakeQueue(release, stateMachineArn, configuredDeadlineSeconds());
  } catch (error) {
    logger.error('rollback not moved ahead yet; its own Lock step overtakes the queue', { releaseId: release.id, error: error as Error });
  }
};
