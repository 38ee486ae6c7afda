import type { Release, RolloutProgress } from '../domain/model';
import {
  deadlineAt,
  isHeldBy,
  isOvertaken,
  isPastDeadline,
  isSettled,
  lockExpiry,
  mergeProgress,
  settingsOf,
} from '../domain/rollout';
import { deploymentOf, holdMinutesOf, strategyFor, type DeploymentSettings } from '../domain/deployment-strategy';
import { ecsDeploymentConfiguration } from '../ecs/ecs-adapter';
import { toStepFunctionsCase } from '../ecs/step-functions-casing';
import { describeDeployment, registerReleaseTaskDefinition } from '../ecs/ecs-adapter';
import { logger } from '../observability/logger';
import type { ConfigVars } from '../domain/config-vars';
import { config } from '../config/config';
import { findConfigVersion } from '../store/config-store';
import { METRIC_NAMES, recordMetric } from '../observability/metrics';
import { findReleaseByVersion, mutateRelease } from '../store/releases-store';
import { findAppById } from '../store/apps-store';
import {
  PERMANENT_STEP_ERRORS,
  type AwaitStepInput,
  type DeployPlan,
  type DeploymentResult,
  type DeploymentStateChange,
  type EcsRolloutEvent,
  type FinishStepInput,
  type HookStateChange,
  type PermanentStepError,
  type RolloutInput,
} from './contract';
import { passLockOn, supersede } from './lock';
import {
  deleteLockWaiter,
  extendLockHold,
  findDeploymentWatch,
  getRolloutLock,
  putDeploymentWatch,
  type DeploymentWatch,
} from '../store/rollout-store';
import { sendTaskResult } from './sfn';
import { readsStages, recordReport, resultOf } from './progress';
import { reviewReleaseHolds } from './holds';
import { settleRelease } from './settle';
import { planReleasePhase } from '../domain/release-phase';
import { isRollback } from '../domain/rollback';

/** A step failure with a stable name, which is what the state machine's Catch and the release message show. */
class RolloutStepError extends Error {
  constructor(name: PermanentStepError, message: string) {
    super(message);
    this.name = name;
  }
}

/** Shows progress on a release still rolling out; a settled release keeps its final word. */
const recordProgress = (rollout: RolloutInput, progress: Partial<RolloutProgress>): Promise<Release> =>
  mutateRelease(rollout.appId, rollout.version, (release) =>
    isSettled(release) ? null : { rollout: mergeProgress(release.rollout, progress) },
  );

/** The config version a release runs with; one it names but that cannot be found fails the step (retried, then salvaged). */
const releaseConfig = async ({ app, version, config_version }: Release): Promise<ConfigVars | null> => {
  if (config_version == null) return null;
  const found = await findConfigVersion(app.id, config_version);
  if (!found) throw new Error(`Config version ${config_version} of release v${version} was not found`);
  return found.vars;
};

/** The longest the release's release phase may hold its deployment back, in seconds. */
const releasePhaseSeconds = ({ release_phase: run }: Release): number =>
  run?.status === 'running' ? (run.timeout_minutes * config().ecsMinuteMs) / 1000 : 0;

/**
 * The Deploy step: marks the release `pending`, then registers the task definition revision it deploys
 * (the service's current one with the release's image, its config and SLIPWAY_RELEASE_* environment).
 */
export const prepareDeployment = async (rollout: RolloutInput): Promise<DeployPlan> => {
  const now = new Date();
  if (!isHeldBy(await getRolloutLock(rollout.appId), rollout.releaseId, now)) {
    throw new RolloutStepError(PERMANENT_STEP_ERRORS.lockNotHeld, `Release v${rollout.version} does not hold its app's rollout lock.`);
  }
  // The app's strategy as it is now: a promotion rolls out the way its target app does.
  const found = await findAppById(rollout.appId);
  const settings: DeploymentSettings = deploymentOf(found ?? {});
  let startedNow = false;
  const release = await mutateRelease(rollout.appId, rollout.version, (current) => {
    startedNow = current.status === 'queued';
    return startedNow
      ? {
          status: 'pending',
          started_at: now.toISOString(),
          release_phase: planReleasePhase(found?.release_phase, { isRollback: isRollback(current) }, now.toISOString()),
          rollout: mergeProgress(current.rollout, {
            strategy: settings.strategy,
            deployment: settings,
            message: 'Registering the task definition revision',
          }),
        }
      : null;
  });
  if (startedNow) {
    recordMetric(METRIC_NAMES.releasesStarted, rollout.appName);
    recordMetric(METRIC_NAMES.timeQueued, rollout.appName, now.getTime() - Date.parse(release.created_at), 'Milliseconds');
  }
  if (release.status !== 'pending') {
    throw new RolloutStepError(PERMANENT_STEP_ERRORS.releaseNotQueued, `Release v${rollout.version} is ${release.status}; it is not rolled out again.`);
  }
  await deleteLockWaiter(rollout.appId, rollout.version);
  const app = found;
  if (!app) throw new RolloutStepError(PERMANENT_STEP_ERRORS.appNotFound, `App ${rollout.appName} no longer exists.`);
  const { taskDefinitionArn, engine } = await registerReleaseTaskDefinition({
    cluster: app.cluster,
    service: app.service,
    container: app.container,
    image: release.image,
    releaseId: release.id,
    version: release.version,
    config: await releaseConfig(release),
  });
  await recordProgress(rollout, { task_definition_arn: taskDefinitionArn, message: 'Updating the ECS service' });
  // The settings the rollout began with (a rerun keeps them), sent in full each time: ECS keeps a service's last ones.
  const strategy = strategyFor(settingsOf(release.rollout));
  // Its bakes and gate may hold the deployment that much longer: the deadline and the lock allow for it.
  const waitSeconds = releasePhaseSeconds(release) + (holdMinutesOf(settingsOf(release.rollout)) * config().ecsMinuteMs) / 1000;
  await extendLockHold(rollout.appId, rollout.releaseId, lockExpiry(new Date(now.getTime() + waitSeconds * 1000), rollout.deadlineSeconds));
  const configuration = ecsDeploymentConfiguration(strategy.deployment);
  return {
    cluster: app.cluster,
    service: app.service,
    taskDefinitionArn,
    // Rolling goes unnamed (the request it always was) unless the service was last deployed another way.
    deploymentConfiguration: toStepFunctionsCase(
      engine !== 'ROLLING' && !configuration.strategy ? { ...configuration, strategy: 'ROLLING' } : configuration,
    ) as Record<string, unknown>,
    shiftsTraffic: strategy.deployment.engine !== 'ROLLING',
    releasePhase: release.release_phase?.status === 'running',
    // A release phase comes first, the holds wait within the deployment: its time is counted on top of the longest they may take.
    deadlineAt: deadlineAt(release.started_at ?? now.toISOString(), rollout.deadlineSeconds + waitSeconds),
  };
};

/**
 * The AwaitDeployment step (waitForTaskToken), entered once after UpdateService and again each time its
 * wait times out: parks the token under the deployment id for the ECS event handler, then reconciles
 * with ECS itself, resuming at once if the deployment already ended (its event may have come before the
 * token was parked) or if the deadline has passed. So the loop is bounded by the deadline.
 */
export const watchDeployment = async ({ rollout, deploy, deploymentId, taskToken }: AwaitStepInput): Promise<void> => {
  // First of all: from here on a failure must leave the release `unknown`, as ECS is deploying.
  await recordProgress(rollout, { deployment_id: deploymentId });
  await putDeploymentWatch({
    deploymentId,
    appId: rollout.appId,
    version: rollout.version,
    releaseId: rollout.releaseId,
    cluster: deploy.cluster,
    service: deploy.service,
    taskToken,
  });
  const before = await findReleaseByVersion(rollout.appId, rollout.version);
  const deployment = await describeDeployment({
    cluster: deploy.cluster,
    service: deploy.service,
    deploymentId,
    serviceDeploymentArn: before?.rollout?.service_deployment_arn,
    shiftsTraffic: deploy.shiftsTraffic,
  });
  let release =
    (deploy.shiftsTraffic ? await reviewReleaseHolds(deploy, rollout.appId, rollout.version, deployment) : null) ??
    (await recordReport(rollout, deployment));
  // A rescue rollback came while this release was on its way to ECS: from now on its deployment may be replaced
  // (and, now that its service deployment is known, stopped).
  const lock = await getRolloutLock(rollout.appId);
  if (lock.rescue && isOvertaken(lock, rollout.version)) {
    await supersede({ app: { id: rollout.appId, name: rollout.appName }, version: rollout.version }, lock.rescue);
    release = (await findReleaseByVersion(rollout.appId, rollout.version)) ?? release;
  }
  const result =
    // Superseded (now, or by a decider that did not find this wait parked yet): the rollout ends here.
    (release.superseded_by ? { outcome: 'FAILED' as const, reason: release.rollout?.message ?? null } : null) ??
    resultOf(deployment) ??
    (isPastDeadline(deploy.deadlineAt, new Date())
      ? { outcome: 'DEADLINE' as const, reason: `The deployment did not finish within ${rollout.deadlineSeconds} s.` }
      : null);
  if (result) await sendTaskResult(taskToken, result);
};

/** What ECS's events mean to a rollout: a deployment that changed state, or one a lifecycle hook holds. */
export const onEcsEvent = (event: EcsRolloutEvent): Promise<'ignored' | 'recorded' | 'resumed'> =>
  event['detail-type'] === 'ECS Hook State Change' ? onHookStateChange(event) : onDeploymentStateChange(event);

/** A PAUSE hook awaits action on a deployment a rollout waits on: its holds are reviewed at once. */
const onHookStateChange = async (event: HookStateChange): Promise<'ignored' | 'recorded'> => {
  const watch = event.detail.deploymentId ? await findDeploymentWatch(event.detail.deploymentId) : undefined;
  if (!watch) return 'ignored';
  return (await reviewReleaseHolds(watch, watch.appId, watch.version)) ? 'recorded' : 'ignored';
};

/** Reads the watched deployment in ECS and shows where it stands on its release (unless the release settled). */
export const recordDeploymentProgress = async (watch: DeploymentWatch): Promise<void> => {
  const release = await findReleaseByVersion(watch.appId, watch.version);
  const serviceDeploymentArn = release?.rollout?.service_deployment_arn;
  await recordReport(watch, await describeDeployment({ ...watch, serviceDeploymentArn, shiftsTraffic: readsStages(release) }));
};

const OUTCOME_OF_EVENT: Record<string, DeploymentResult['outcome']> = {
  SERVICE_DEPLOYMENT_COMPLETED: 'COMPLETED',
  SERVICE_DEPLOYMENT_FAILED: 'FAILED',
};

/**
 * EventBridge's "ECS Deployment State Change" for a deployment a rollout waits on: records its progress
 * and, once it ended, resumes the waiting step. Deployments Slipway did not start (such as the circuit
 * breaker's rollback) are ignored.
 */
const onDeploymentStateChange = async (event: DeploymentStateChange): Promise<'ignored' | 'recorded' | 'resumed'> => {
  const watch = await findDeploymentWatch(event.detail.deploymentId);
  if (!watch) return 'ignored';
  try {
    await recordDeploymentProgress(watch);
  } catch (error) {
    // Progress is a courtesy; the outcome below is what the rollout waits for.
    logger.warn('deployment progress not recorded', { deploymentId: watch.deploymentId, error: error as Error });
  }
  const outcome = OUTCOME_OF_EVENT[event.detail.eventName];
  if (!outcome) return 'recorded';
  const resumed = await sendTaskResult(watch.taskToken, { outcome, reason: event.detail.reason ?? null });
  return resumed ? 'resumed' : 'recorded';
};

/**
 * The Finish step, and the Salvage step every Catch leads to: settles the release (see settleRelease) and passes
 * the lock on. Safe to run again: a settled release is left as it is and the lock is only passed on by its holder.
 */
export const finishRollout = async ({ rollout, stateMachineArn, result, error }: FinishStepInput): Promise<Release> => {
  const release = await settleRelease({ rollout, result, error });
  await passLockOn(rollout.appId, stateMachineArn, rollout.deadlineSeconds, {
    releaseId: rollout.releaseId,
    version: rollout.version,
  });
  return release;
};
