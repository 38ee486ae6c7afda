import type { Context } from 'aws-lambda';
import { logger } from '../shared/observability/logger';
import { carryOnOpenPromotions } from '../shared/operations/promotions';
import { resumeAllQueues } from '../shared/rollout/lock';
import { configuredDeadlineSeconds } from '../shared/rollout/rollout-input';
import { config } from '../shared/config/config';
import { relayNotedEvents, sweepOutboxes } from '../shared/events/relay';

/** Events younger than this are left to the request that committed them. */
const SWEEP_MIN_AGE_MS = 60_000;

/**
 * Runs on a schedule: gets going what nothing else will. First promotions cut short (their remaining
 * targets are released), then every app's rollout queue: a queued release whose execution never started
 * and a lock whose holder's execution is gone. Last, events whose request crashed before publishing them.
 */
export const handler = async (_event: unknown, context: Context): Promise<{ promotions: number; apps: number; events: number }> => {
  const { stateMachineArn } = config();
  if (!stateMachineArn) throw new Error('ROLLOUT_STATE_MACHINE_ARN is not set');
  const promotions = await carryOnOpenPromotions(context.getRemainingTimeInMillis());
  const apps = await resumeAllQueues(stateMachineArn, configuredDeadlineSeconds());
  const events = (await relayNotedEvents()) + (await sweepOutboxes(SWEEP_MIN_AGE_MS));
  logger.info('promotions, rollout queues and events reconciled', { promotions, apps, events });
  return { promotions, apps, events };
};
