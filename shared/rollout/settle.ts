import type { CheckState, Release } from '../domain/model';
import { isNotFound } from '../domain/errors';
import { describeFailure, isSettled, mergeProgress, statusAfterDeployment, statusAfterError } from '../domain/rollout';
import { aggregateState } from '../domain/state-aggregation';
import { endedWithRelease } from '../domain/release-phase';
import { logger } from '../observability/logger';
import { METRIC_NAMES, recordMetric } from '../observability/metrics';
import { findReleaseByVersion, mutateRelease } from '../store/releases-store';
import { advanceCurrentRelease, clearSucceeding, markSucceeding } from '../store/apps-store';
import { deleteDeploymentWatch } from '../store/rollout-store';
import type { DeploymentResult, FinishStepInput, RolloutInput } from './contract';
import { rollBackUnwatched, UNWATCHED_ROLLED_BACK } from './unwatched';

const OUTCOME_METRIC = {
  succeeded: METRIC_NAMES.releasesSucceeded,
  failed: METRIC_NAMES.releasesFailed,
  unknown: METRIC_NAMES.releasesUnknown,
} as const;

/**
 * Says how the rollout ended, once, when it settled: a failed release logs at ERROR and an unknown one at
 * WARN (each is also an alarm's metric), so neither hides among the INFO lines of a healthy service.
 */
const reportOutcome = (rollout: RolloutInput, release: Release): void => {
  const facts = { app: rollout.appName, releaseId: release.id, releaseVersion: release.version, reason: release.rollout?.message ?? null };
  if (release.status === 'failed') logger.error('release failed', facts);
  else if (release.status === 'unknown') logger.warn('release outcome unknown', facts);
  else logger.info('release succeeded', facts);
  if (release.status === 'succeeded' || release.status === 'failed' || release.status === 'unknown') {
    recordMetric(OUTCOME_METRIC[release.status], rollout.appName);
  }
  if (release.started_at && release.finished_at) {
    recordMetric(METRIC_NAMES.rolloutDuration, rollout.appName, Date.parse(release.finished_at) - Date.parse(release.started_at), 'Milliseconds');
  }
};

/**
 * The last word on a deployment that ended: why Slipway had it rolled back (a gate's check, an operator's abort),
 * or a gate that timed out while waiting, over ECS's own words for it. A gate still within its time did not end
 * the deployment: something else failed it while the gate waited (an alarm, the circuit breaker), in ECS's words.
 */
const outcomeMessage = (release: Release, result: DeploymentResult, finishedAt: string): string | null => {
  if (result.outcome !== 'FAILED') return result.reason ?? null;
  const stopped = release.rollout?.stop_reason;
  if (stopped) return stopped;
  const gate = release.rollout?.gate;
  if (gate && (gate.until === null || Date.parse(gate.until) <= Date.parse(finishedAt))) return `The gate timed out waiting for ${gate.waiting_for.join(', ')}: ECS rolled the release back.`;
  return result.reason ?? null;
};

const stateOf = (release: Release): CheckState =>
  aggregateState(Object.values(release.checks ?? {}).map((check) => check.state));

/**
 * Settles a release as its rollout ended: `succeeded` becomes current; `failed` leaves the previous release
 * current; `unknown` past the deadline or after an error once ECS was told to deploy, except that a deployment
 * shifting traffic is then rolled back and the release failed (see rollBackUnwatched). Folds its status checks
 * into `state`. A release settled already is left as it is.
 */
export const settleRelease = async ({ rollout, result, error }: Pick<FinishStepInput, 'rollout' | 'result' | 'error'>): Promise<Release> => {
  const finishedAt = new Date().toISOString();
  // Announced before the status write, so no reader sees the release succeeded and not current.
  const announced = result !== undefined && statusAfterDeployment(result.outcome) === 'succeeded';
  if (announced) await markSucceeding(rollout.appName, rollout.version);
  const withoutVerdict = result === undefined || result.outcome === 'DEADLINE';
  const unwatched = withoutVerdict ? await findReleaseByVersion(rollout.appId, rollout.version) : undefined;
  const rolledBack = !!unwatched && (await rollBackUnwatched(unwatched));
  let settledNow = false;
  const release = await mutateRelease(rollout.appId, rollout.version, (current) => {
    settledNow = !isSettled(current);
    if (!settledNow) return null;
    const ended = result ? outcomeMessage(current, result, finishedAt) : describeFailure(error ?? {});
    const message = rolledBack ? [ended, UNWATCHED_ROLLED_BACK].filter(Boolean).join(' ') : ended;
    return {
      status: rolledBack ? 'failed' : result ? statusAfterDeployment(result.outcome) : statusAfterError(current),
      finished_at: finishedAt,
      state: stateOf(current),
      rollout: mergeProgress(current.rollout, message ? { message } : {}),
      release_phase: endedWithRelease(current.release_phase, message, finishedAt),
    };
  }).catch(async (error: unknown) => {
    // No such release: nothing will ever succeed under the announcement, and every read of the app would look it up.
    if (announced && isNotFound(error)) await clearSucceeding(rollout.appName, rollout.version);
    throw error;
  });
  if (settledNow) reportOutcome(rollout, release);
  if (release.status === 'succeeded') await advanceCurrentRelease(rollout.appName, release, finishedAt);
  else if (announced) await clearSucceeding(rollout.appName, rollout.version);
  const deploymentId = release.rollout?.deployment_id;
  if (deploymentId) await deleteDeploymentWatch(deploymentId);
  return release;
};
