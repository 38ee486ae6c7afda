import type { GateProgress, Release } from '../domain/model';
import { reviewHolds, shiftsTraffic, strategyFor, type AwaitingHold, type HoldVerdict } from '../domain/deployment-strategy';
import { mergeProgress, settingsOf } from '../domain/rollout';
import {
  continueServiceDeployment,
  describeDeployment,
  stopServiceDeployment,
  type DeploymentProgress,
  type ServiceRef,
} from '../ecs/ecs-adapter';
import { findReleaseByVersion, mutateRelease } from '../store/releases-store';
import { progressOf } from './progress';

/**
 * Tells ECS what a release's holds (bakes, gate: shared/domain/deployment-strategy/holds.ts) call for, whenever
 * something they wait on may have changed: ECS paused the deployment (its hook event), a status check was posted,
 * an operator approved, promoted or aborted, or the rollout reconciled. Then shows on the release where it
 * stands and what its gate waits for. A release not rolling out, or rolling out without holds, is left alone.
 * Answering a hook twice is harmless (ECS refuses the second answer), so concurrent reviews need no lock.
 */
export const reviewReleaseHolds = async (service: ServiceRef, appId: string, version: number, reported?: DeploymentProgress): Promise<Release | null> => {
  const release = await findReleaseByVersion(appId, version);
  const deploymentId = release?.rollout?.deployment_id;
  if (release?.status !== 'pending' || !deploymentId || !shiftsTraffic(settingsOf(release.rollout))) return null;
  const describe = () =>
    describeDeployment({ ...service, deploymentId, serviceDeploymentArn: release.rollout?.service_deployment_arn, shiftsTraffic: true });
  const deployment = reported ?? (await describe());
  const verdict = verdictOn(release, deployment);
  const acted = await tellEcs(deployment.serviceDeploymentArn ?? null, verdict);
  const latest = acted ? await describe() : deployment;
  const gateHold = (latest.holds ?? []).find((hold) => hold.purpose === 'gate');
  return mutateRelease(appId, version, (current) =>
    current.status !== 'pending'
      ? null
      : {
          rollout: mergeProgress(current.rollout, {
            ...progressOf(current, latest),
            // Once the deployment ended, the gate keeps its last word: it tells a gate that timed out from other failures.
            ...(latest.rolloutState === 'IN_PROGRESS' ? { gate: gateOf(current.rollout?.gate ?? null, gateHold, acted ? [] : verdict.waitingFor) } : {}),
            ...(verdict.rollback ? { message: verdict.rollback.reason, stop_reason: verdict.rollback.reason } : {}),
          }),
        },
  );
};

const verdictOn = (release: Release, deployment: DeploymentProgress): HoldVerdict => {
  const settings = settingsOf(release.rollout);
  return reviewHolds({
    gate: 'gate' in settings ? settings.gate : undefined,
    trafficMoved: (deployment.productionPercent ?? 0) > 0,
    holdsFirstShift: strategyFor(settings).holdsFirstShift,
    awaiting: deployment.holds ?? [],
    checks: Object.fromEntries(Object.values(release.checks ?? {}).map((check) => [check.context, check.state])),
    actions: release.rollout ?? {},
    inProgress: deployment.rolloutState === 'IN_PROGRESS',
  });
};

/** Continues the hooks the verdict lets go, or rolls the deployment back; whether ECS took any of it. */
const tellEcs = async (serviceDeploymentArn: string | null, verdict: HoldVerdict): Promise<boolean> => {
  if (!serviceDeploymentArn) return false;
  if (verdict.rollback) {
    return verdict.rollback.hookId
      ? continueServiceDeployment(serviceDeploymentArn, verdict.rollback.hookId, 'ROLLBACK')
      : stopServiceDeployment(serviceDeploymentArn);
  }
  const answers = await Promise.all(verdict.continue.map((hookId) => continueServiceDeployment(serviceDeploymentArn, hookId, 'CONTINUE')));
  return answers.some(Boolean);
};

/** The gate as the release shows it: waiting (since it first waited, until its hook times out), or null. */
const gateOf = (previous: GateProgress | null, hold: AwaitingHold | undefined, waitingFor: string[]): GateProgress | null =>
  hold && waitingFor.length > 0 ? { waiting_for: waitingFor, since: previous?.since ?? new Date().toISOString(), until: hold.expiresAt } : null;
