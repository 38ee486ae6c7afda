import type { Context } from 'aws-lambda';
import { logger } from '../shared/observability/logger';
import { carryOnOpenPromotions } from '../shared/operations/promotions';
import { resumeAllQueues } from '../shared/rollout/lock';
import { configuredDeadlineSeconds } from '../shared/rollout/start-rollout';
import { config } from '../shared/config/config';

/**
 * Runs on a schedule: gets going what nothing else will. First promotions cut short (their remaining
 * targets are released), then every app's rollout queue: a queued release whose execution never started
 * and a lock whose holder's execution is gone.
 */
export const handler = async (_event: unknown, context: Context): Promise<{ promotions: number; apps: number }> => {
  const { stateMachineArn } = config();
  if (!stateMachineArn) throw new Error('ROLLOUT_STATE_MACHINE_ARN is not set');
  const promotions = await carryOnOpenPromotions(context.getRemainingTimeInMillis());
  const apps = await resumeAllQueues(stateMachineArn, configuredDeadlineSeconds());
  logger.info('promotions and rollout queues reconciled', { promotions, apps });
  return { promotions, apps };
};
