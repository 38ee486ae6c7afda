import type { Release, RolloutProgress } from '../domain/model';
import { isSettled, mergeProgress, settingsOf } from '../domain/rollout';
import { phaseOf, shiftsTraffic, strategyFor } from '../domain/deployment-strategy';
import type { DeploymentProgress } from '../ecs/ecs-adapter';
import { mutateRelease } from '../store/releases-store';
import type { DeploymentResult } from './contract';

/** What a report on the deployment shows on the release: its phase as the release's strategy reads it, and the task counts. */
export const progressOf = (release: Pick<Release, 'rollout'>, deployment: DeploymentProgress): Partial<RolloutProgress> => {
  const reading = phaseOf(strategyFor(settingsOf(release.rollout)), deployment);
  return {
    desired: deployment.desired,
    running_new: deployment.runningNew,
    failed_tasks: deployment.failedTasks,
    message: deployment.reason ?? messageOf(reading.phase, reading.traffic_percent, deployment),
    ...reading,
    lifecycle_stage: deployment.lifecycleStage ?? null,
    ...(deployment.serviceDeploymentArn ? { service_deployment_arn: deployment.serviceDeploymentArn } : {}),
  };
};

const messageOf = (phase: string, traffic: number, deployment: DeploymentProgress): string =>
  deployment.lifecycleStage
    ? `${phase.replaceAll('_', ' ')}: ${traffic} % of production traffic on the new revision`
    : `${deployment.runningNew} of ${deployment.desired} new tasks running`;

/** ECS's verdict on a deployment, or null while it is still rolling. */
export const resultOf = (deployment: DeploymentProgress): DeploymentResult | null =>
  deployment.rolloutState === 'IN_PROGRESS' ? null : { outcome: deployment.rolloutState, reason: deployment.reason };

/** Whether the release's strategy has ECS report lifecycle stages (and holds) through DescribeServiceDeployments. */
export const readsStages = (release: Pick<Release, 'rollout'> | undefined): boolean => !!release && shiftsTraffic(settingsOf(release.rollout));

/** Shows a report on the deployment (and whatever else `extra` says) on a release still rolling out. */
export const recordReport = (
  rollout: { appId: string; version: number },
  deployment: DeploymentProgress,
  extra: (release: Release) => Partial<RolloutProgress> = () => ({}),
): Promise<Release> =>
  mutateRelease(rollout.appId, rollout.version, (release) =>
    isSettled(release) ? null : { rollout: mergeProgress(release.rollout, { ...progressOf(release, deployment), ...extra(release) }) },
  );
