import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import type {
  DeploymentConfiguration as DomainDeploymentConfiguration,
  DeploymentReport,
  EcsRolloutState,
} from '../domain/deployment-strategy';
import { DomainError } from '../domain/errors';
import { getEcsClient } from './ecs-client';
import { releaseTaskDefinitionInput, type ReleaseRevision } from './task-definition-revision';

export type ServiceRef = { cluster: string; service: string };

/** Where one deployment stands: what a strategy reads its phase off, with the counts and words a release shows. */
export type DeploymentProgress = DeploymentReport & {
  desired: number;
  failedTasks: number;
  reason: string | null;
};

/**
 * ECS's deploymentConfiguration for what a strategy asks. ROLLING, ECS's default engine, goes unnamed: a
 * rolling release's UpdateService stays the request it always was (the service keeps the engine it has).
 */
export const ecsDeploymentConfiguration = ({
  engine,
  minimumHealthyPercent,
  maximumPercent,
  circuitBreaker,
  bakeMinutes,
  canary,
  linear,
  alarms,
}: DomainDeploymentConfiguration): DeploymentConfiguration => ({
  ...(engine === 'ROLLING' ? {} : { strategy: engine }),
  minimumHealthyPercent,
  maximumPercent,
  deploymentCircuitBreaker: { enable: circuitBreaker.enable, rollback: circuitBreaker.rollback },
  ...(bakeMinutes === undefined ? {} : { bakeTimeInMinutes: bakeMinutes }),
  ...(canary ? { canaryConfiguration: { canaryPercent: canary.percent, canaryBakeTimeInMinutes: canary.bakeMinutes } } : {}),
  ...(linear ? { linearConfiguration: { stepPercent: linear.stepPercent, stepBakeTimeInMinutes: linear.stepBakeMinutes } } : {}),
  // Sent whenever set, and on every traffic-shifting deployment (off when none), so an app that drops its alarms stops ECS watching them.
  ...(alarms?.length
    ? { alarms: { alarmNames: [...alarms], enable: true, rollback: true } }
    : engine === 'ROLLING'
      ? {}
      : { alarms: { alarmNames: [], enable: false, rollback: false } }),
});

const serviceNotFound = ({ cluster, service }: ServiceRef, reason: string): DomainError =>
  new DomainError('not_found', 'ecs_service_not_found', `ECS service '${service}' was not found in cluster '${cluster}'.`, {
    cluster,
    service,
    reason,
  });

const describeService = async (client: ECSClient, ref: ServiceRef): Promise<Service> => {
  const { services, failures } = await client
    .send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }))
    .catch((error: unknown) => {
      if (error instanceof ClusterNotFoundException) {
        throw new DomainError('not_found', 'ecs_cluster_not_found', `ECS cluster '${ref.cluster}' was not found.`, {
          cluster: ref.cluster,
        });
      }
      throw error;
    });
  const found = services?.[0];
  // A deleted service is still described for a while, as INACTIVE; it can no longer be deployed to.
  if (!found || found.status === 'INACTIVE') {
    throw serviceNotFound(ref, failures?.[0]?.reason ?? found?.status ?? 'MISSING');
  }
  return found;
};

/**
 * Registers the revision a release deploys: a copy of the service's current task definition (with its
 * tags) carrying the release's image, its config and SLIPWAY_RELEASE_ID / SLIPWAY_RELEASE_VERSION.
 */
export const registerReleaseTaskDefinition = async (
  input: ServiceRef & ReleaseRevision,
  client: ECSClient = getEcsClient(),
): Promise<{ taskDefinitionArn: string }> => {
  const current = await describeService(client, input);
  if (!current.taskDefinition) throw serviceNotFound(input, 'NO_TASK_DEFINITION');
  const described = await client.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition, include: ['TAGS'] }),
  );
  const { taskDefinition } = await client.send(
    new RegisterTaskDefinitionCommand(
      releaseTaskDefinitionInput(described, {
        container: input.container,
        image: input.image,
        releaseId: input.releaseId,
        version: input.version,
        config: input.config,
      }),
    ),
  );
  if (!taskDefinition?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
  return { taskDefinitionArn: taskDefinition.taskDefinitionArn };
};

const ROLLOUT_STATES: readonly string[] = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] satisfies EcsRolloutState[];

/**
 * Where one deployment stands. ECS drops a deployment from the service once another replaced it and its
 * tasks drained; with one rollout per app that only happens when the circuit breaker rolled it back, so
 * a deployment that is gone reads as FAILED, with the service event that mentions it as the reason.
 */
export const describeDeployment = async (
  input: ServiceRef & { deploymentId: string },
  client: ECSClient = getEcsClient(),
): Promise<DeploymentProgress> => {
  const service = await describeService(client, input);
  const deployment = service.deployments?.find((candidate) => candidate.id === input.deploymentId);
  if (!deployment) {
    const mention = service.events?.find((event) => event.message?.includes(input.deploymentId))?.message;
    const rolledBack = `The ECS deployment circuit breaker rolled back deployment ${input.deploymentId}`;
    return {
      rolloutState: 'FAILED',
      desired: service.desiredCount ?? 0,
      runningNew: 0,
      runningTotal: service.runningCount ?? 0,
      failedTasks: 0,
      reason: mention ? `${rolledBack}: ${mention}` : `${rolledBack}; it is no longer on the service.`,
    };
  }
  const state = deployment.rolloutState ?? 'IN_PROGRESS';
  return {
    rolloutState: ROLLOUT_STATES.includes(state) ? (state as EcsRolloutState) : 'IN_PROGRESS',
    // A replaced deployment's own desired count drains to 0; the service's is the target it was rolling to.
    desired: service.desiredCount ?? deployment.desiredCount ?? 0,
    runningNew: deployment.runningCount ?? 0,
    // Every running task of the service, old or new: what the load balancer spreads traffic over.
    runningTotal: service.runningCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
    reason: deployment.rolloutStateReason ?? null,
  };
};
