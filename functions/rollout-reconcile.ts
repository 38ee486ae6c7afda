import { logger } from '../shared/observability/logger';
import { resumeAllQueues } from '../shared/rollout/lock';
import { configuredDeadlineSeconds } from '../shared/rollout/start-rollout';

/**
 * Runs on a schedule: gets every app's rollout queue moving where nothing else will, i.e. a queued release
 * whose execution never started and a lock whose holder's execution is gone.
 */
export const handler = async (): Promise<{ apps: number }> => {
  const stateMachineArn = process.env.ROLLOUT_STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('ROLLOUT_STATE_MACHINE_ARN is not set');
  const apps = await resumeAllQueues(stateMachineArn, configuredDeadlineSeconds());
  logger.info('rollout queues reconciled', { apps });
  return { apps };
};
