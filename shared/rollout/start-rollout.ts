import { DEFAULT_DEADLINE_SECONDS } from '../domain/rollout';
import type { Release } from '../domain/model';
import { logger } from '../observability/logger';
import type { RolloutInput } from './contract';
import { startRolloutExecution } from './sfn';
import { config } from '../config/config';

/** ROLLOUT_DEADLINE_SECONDS (fractions allowed, for tests): how long a deployment may take before it is `unknown`. */
export const configuredDeadlineSeconds = (): number => {
  return config().rolloutDeadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
};

export const rolloutInputOf = (release: Pick<Release, 'id' | 'version' | 'app'>): RolloutInput => ({
  appId: release.app.id,
  appName: release.app.name,
  releaseId: release.id,
  version: release.version,
  deadlineSeconds: configuredDeadlineSeconds(),
});

/**
 * Starts a recorded release's rollout on the state machine named by ROLLOUT_STATE_MACHINE_ARN. A start
 * that fails leaves the release `queued`, not lost: every later rollout of the app hands the lock to the
 * lowest queued release and starts its execution if it has none, so the release is not answered with an
 * error that would tempt a client into creating a second one.
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
};
