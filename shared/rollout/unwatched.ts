import type { Release } from '../domain/model';
import { shiftsTraffic } from '../domain/deployment-strategy';
import { settingsOf } from '../domain/rollout';
import { currentServiceDeploymentOf, describeDeployment, stopServiceDeployment } from '../ecs/ecs-adapter';
import { isNotFound } from '../domain/errors';
import { findAppById } from '../store/apps-store';
import { logger } from '../observability/logger';
import type { DeploymentResult } from './contract';
import { readsStages, resultOf } from './progress';

/** What a release rolled back this way says. */
export const UNWATCHED_ROLLED_BACK = 'ECS was told to roll it back, so no traffic stays on a revision nothing watches.';

/**
 * For a release whose rollout ends without ECS's verdict on its deployment (its execution lost or stopped, a step
 * failed for good, its deadline passed): a rolling deployment finishes or is rolled back by its circuit breaker by
 * itself, but a canary, linear or blue/green one would stay at its holds with part of the production traffic on a
 * revision nothing watches any more (a bake's hold goes on to all traffic when its time is up, a gate's waits for
 * its timeout). So ECS is told to roll it back (StopServiceDeployment). The deployment is the one the release
 * recorded or, when the rollout ended before it could record it, the service's current one if it deploys the
 * release's task definition (registered for this release alone). True when ECS took the rollback.
 */
export const rollBackUnwatched = async (release: Release): Promise<boolean> => {
  const { rollout } = release;
  if (release.status !== 'pending' || !shiftsTraffic(settingsOf(rollout))) return false;
  const arn = rollout?.service_deployment_arn ?? (rollout?.task_definition_arn ? await currentDeploymentOf(release, rollout.task_definition_arn) : undefined);
  return !!arn && stopServiceDeployment(arn);
};

const currentDeploymentOf = async (release: Release, taskDefinitionArn: string): Promise<string | undefined> => {
  const app = await findAppById(release.app.id);
  return app ? currentServiceDeploymentOf({ cluster: app.cluster, service: app.service }, taskDefinitionArn) : undefined;
};

/**
 * ECS's verdict on the deployment of a release still rolling out whose execution is gone: it completed or failed
 * meanwhile (in AWS, ECS goes on whatever becomes of the execution), so the release can be settled by it. Null while
 * it is in progress, or when the release never recorded it.
 */
export const verdictOnUnwatched = async (release: Release): Promise<DeploymentResult | null> => {
  const deploymentId = release.rollout?.deployment_id;
  const app = release.status === 'pending' && deploymentId ? await findAppById(release.app.id) : undefined;
  if (!app || !deploymentId) return null;
  try {
    return resultOf(
      await describeDeployment({
        cluster: app.cluster,
        service: app.service,
        deploymentId,
        serviceDeploymentArn: release.rollout?.service_deployment_arn,
        shiftsTraffic: readsStages(release),
      }),
    );
  } catch (error) {
    // No verdict to be had (the service is gone, ECS does not answer): the release is settled without one.
    const gone = isNotFound(error);
    if (!gone) logger.warn('no verdict from ECS on a deployment nothing watches', { deploymentId, error: error as Error });
    return null;
  }
};
