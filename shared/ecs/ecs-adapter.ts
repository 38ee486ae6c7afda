import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { DomainError } from '../domain/errors';
import { getEcsClient } from './ecs-client';
import { releaseTaskDefinitionInput, type ReleaseRevision } from './task-definition-revision';

export type ServiceRef = { cluster: string; service: string };

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export type DeploymentProgress = {
  rolloutState: RolloutState;
  desired: number;
  runningNew: number;
  failedTasks: number;
  reason: string | null;
};

/**
 * How every release rolls out: new tasks start beside the old ones (never below the desired count,
 * at most double it) and ECS's circuit breaker rolls back to the last completed deployment on failure.
 * The state machine's direct UpdateService integration uses the same values.
 */
export const ROLLING_DEPLOYMENT_CONFIGURATION = {
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  deploymentCircuitBreaker: { enable: true, rollback: true },
} as const satisfies DeploymentConfiguration;

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

const ROLLOUT_STATES: readonly string[] = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] satisfies RolloutState[];

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
      failedTasks: 0,
      reason: mention ? `${rolledBack}: ${mention}` : `${rolledBack}; it is no longer on the service.`,
    };
  }
  const state = deployment.rolloutState ?? 'IN_PROGRESS';
  return {
    rolloutState: ROLLOUT_STATES.includes(state) ? (state as RolloutState) : 'IN_PROGRESS',
    // A replaced deployment's own desired count drains to 0; the service's is the target it was rolling to.
    desired: service.desiredCount ?? deployment.desiredCount ?? 0,
    runningNew: deployment.runningCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
    reason: deployment.rolloutStateReason ?? null,
  };
};

/**
 * How many tasks of each task definition revision the service runs now, from its deployments (each names the
 * revision it deploys): a release's tasks are those of the revision it registered.
 */
export const runningTasksByTaskDefinition = async (ref: ServiceRef, client: ECSClient = getEcsClient()): Promise<Map<string, number>> => {
  const service = await describeService(client, ref);
  const running = new Map<string, number>();
  for (const deployment of service.deployments ?? []) {
    if (!deployment.taskDefinition) continue;
    running.set(deployment.taskDefinition, (running.get(deployment.taskDefinition) ?? 0) + (deployment.runningCount ?? 0));
  }
  return running;
};
