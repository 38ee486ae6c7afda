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
 * Runs on a schedule: gets going what nothing else will. Promotions cut short (their remaining targets are
 * released), every app's rollout queue (a queued release whose execution never started, a lock whose holder's
 * execution is gone) and events whose request crashed before publishing them, all at once: each is a race with
 * live requests already, settled by conditional writes. Last, the events this run itself noted, failed or not.
 */
export const handler = async (_event: unknown, context: Context): Promise<{ promotions: number; apps: number; events: number }> => {
  const { stateMachineArn } = config();
  if (!stateMachineArn) throw new Error('ROLLOUT_STATE_MACHINE_ARN is not set');
  const outcomes = await Promise.allSettled([
    carryOnOpenPromotions(context.getRemainingTimeInMillis()),
    resumeAllQueues(stateMachineArn, configuredDeadlineSeconds()),
    sweepOutboxes(SWEEP_MIN_AGE_MS),
  ]);
  const noted = await relayNotedEvents();
  // A failing part stops none of the others and hides none of their errors.
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  if (failures.length > 0) throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'the reconciler failed in part');
  const [promotions = 0, apps = 0, swept = 0] = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 0));
  const events = swept + noted;
  logger.info('promotions, rollout queues and events reconciled', { promotions, apps, events });
  return { promotions, apps, events };
};
