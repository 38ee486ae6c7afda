import {
  ClusterNotFoundException,
  ConflictException,
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  ServiceDeploymentNotFoundException,
  StopServiceDeploymentCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  purposeOf,
  type AwaitingHold,
  type DeploymentConfiguration as DomainDeploymentConfiguration,
  type DeploymentReport,
  type EcsDeploymentEngine,
  type EcsLifecycleStage,
  type EcsRolloutState,
} from '../domain/deployment-strategy';
import { DomainError, isNotFound } from '../domain/errors';
import { getEcsClient } from './ecs-client';
import { releaseTaskDefinitionInput, type ReleaseRevision } from './task-definition-revision';

export type ServiceRef = { cluster: string; service: string };

/** Where one deployment stands: what a strategy reads its phase off, with the counts and words a release shows. */
export type DeploymentProgress = DeploymentReport & {
  desired: number;
  failedTasks: number;
  reason: string | null;
  /** ECS's service deployment, for the strategies whose lifecycle stages DescribeServiceDeployments reports. */
  serviceDeploymentArn?: string | null;
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
  holds,
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
  // Sent on every traffic-shifting deployment (empty when none), so an app that drops its gate or bakes loses their hooks.
  ...(engine === 'ROLLING'
    ? {}
    : {
        lifecycleHooks: (holds ?? []).map((hold) => ({
          targetType: 'PAUSE' as const,
          lifecycleStages: [hold.stage],
          timeoutConfiguration: { timeoutInMinutes: hold.timeoutMinutes, action: hold.onTimeout },
        })),
      }),
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
): Promise<{ taskDefinitionArn: string; engine: EcsDeploymentEngine }> => {
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
  const engine = current.deploymentConfiguration?.strategy ?? 'ROLLING';
  return { taskDefinitionArn: taskDefinition.taskDefinitionArn, engine };
};

/**
 * What a service that blue/green, linear and canary deploy to lacks: ECS shifts production traffic between
 * the target groups of its load balancer, through the production listener rule, with the infrastructure role.
 * Empty when it has all of it.
 */
export const missingForTrafficShifting = async (ref: ServiceRef, client: ECSClient = getEcsClient()): Promise<string[]> => {
  const service = await describeService(client, ref);
  const balancer = service.loadBalancers?.find((candidate) => candidate.targetGroupArn);
  if (!balancer) return ['a load balancer (loadBalancers[].targetGroupArn)'];
  const advanced = balancer.advancedConfiguration;
  return [
    advanced?.alternateTargetGroupArn ? null : 'an alternate target group (loadBalancers[].advancedConfiguration.alternateTargetGroupArn)',
    advanced?.productionListenerRule ? null : 'a production listener rule (loadBalancers[].advancedConfiguration.productionListenerRule)',
    advanced?.roleArn ? null : 'the ECS infrastructure role for load balancers (loadBalancers[].advancedConfiguration.roleArn)',
  ].filter((missing): missing is string => missing !== null);
};

const STAGES: readonly string[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] satisfies EcsLifecycleStage[];

/** A service deployment's status as a rollout reads it: ended well, still going, or failed (stopped, rolled back). */
const ROLLOUT_STATE_OF_STATUS: Record<string, EcsRolloutState> = { PENDING: 'IN_PROGRESS', IN_PROGRESS: 'IN_PROGRESS', SUCCESSFUL: 'COMPLETED' };

/**
 * Where a blue/green, linear or canary deployment stands, as DescribeServiceDeployments reports it: its lifecycle
 * stage, and once it failed, why (the alarms that went off, the rollback ECS made).
 */
const withServiceDeployment = async (client: ECSClient, arn: string, progress: DeploymentProgress): Promise<DeploymentProgress> => {
  const { serviceDeployments } = await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const found = serviceDeployments?.[0];
  if (!found) return { ...progress, serviceDeploymentArn: arn };
  const rolloutState = ROLLOUT_STATE_OF_STATUS[found.status ?? 'IN_PROGRESS'] ?? 'FAILED';
  const alarms = found.alarms?.triggeredAlarmNames ?? [];
  const reason =
    alarms.length > 0
      ? `CloudWatch alarm ${alarms.join(', ')} went into ALARM: ECS stopped the deployment and rolled it back; the previous revision serves all traffic.`
      : rolloutState === 'FAILED'
        ? (found.rollback?.reason ?? found.statusReason ?? progress.reason)
        : progress.reason;
  const stage = found.lifecycleStage;
  const afterFullShift = stage === 'POST_PRODUCTION_TRAFFIC_SHIFT' || stage === 'BAKE_TIME' || stage === 'CLEAN_UP';
  const holds: AwaitingHold[] = (found.lifecycleHookDetails ?? [])
    .filter((hook) => hook.targetType === 'PAUSE' && hook.status === 'AWAITING_ACTION' && hook.hookId)
    .map((hook) => ({
      hookId: hook.hookId as string,
      purpose: purposeOf(afterFullShift, hook.timeoutAction === 'CONTINUE' ? 'CONTINUE' : 'ROLLBACK'),
      expiresAt: hook.expiresAt ? new Date(hook.expiresAt).toISOString() : null,
    }));
  const weight = found.targetServiceRevision?.requestedProductionTrafficWeight;
  return {
    ...progress,
    rolloutState,
    lifecycleStage: stage && STAGES.includes(stage) ? (stage as EcsLifecycleStage) : null,
    reason: reason ?? null,
    serviceDeploymentArn: arn,
    productionPercent: weight ?? null,
    holds,
  };
};

const ROLLOUT_STATES: readonly string[] = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] satisfies EcsRolloutState[];

/**
 * Where one deployment stands. ECS drops a deployment from the service once another replaced it and its
 * tasks drained; with one rollout per app that only happens when the circuit breaker rolled it back, so
 * a deployment that is gone reads as FAILED, with the service event that mentions it as the reason.
 */
export const describeDeployment = async (
  input: ServiceRef & { deploymentId: string; serviceDeploymentArn?: string | null | undefined; shiftsTraffic?: boolean },
  client: ECSClient = getEcsClient(),
): Promise<DeploymentProgress> => {
  const service = await describeService(client, input);
  if (input.shiftsTraffic) {
    // The service deployment is the service's current one as long as this deployment is its primary.
    const arn = input.serviceDeploymentArn ?? (service.deployments?.[0]?.id === input.deploymentId ? service.currentServiceDeployment : undefined);
    const progress = progressOfService(service, input.deploymentId);
    return arn ? withServiceDeployment(client, arn, progress) : progress;
  }
  return progressOfService(service, input.deploymentId);
};

const progressOfService = (service: Service, deploymentId: string): DeploymentProgress => {
  const input = { deploymentId };
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

/**
 * Stops a blue/green, linear or canary deployment in progress with StopServiceDeployment (stopType ROLLBACK):
 * ECS shifts production traffic back to the revision it came from and stops the new tasks. False when there
 * was nothing left to stop (it had ended already, or ECS no longer knows it).
 */
export const stopServiceDeployment = async (serviceDeploymentArn: string, client: ECSClient = getEcsClient()): Promise<boolean> => {
  try {
    await client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: 'ROLLBACK' }));
    return true;
  } catch (error) {
    if (error instanceof ConflictException || error instanceof ServiceDeploymentNotFoundException) return false;
    throw error;
  }
};

/**
 * The service deployment deploying `taskDefinitionArn` on the service now, if it is the service's current one:
 * how a deployment is found whose ARN its release never got to record. Undefined when the service deploys another
 * revision, or is gone.
 */
export const currentServiceDeploymentOf = async (
  ref: ServiceRef,
  taskDefinitionArn: string,
  client: ECSClient = getEcsClient(),
): Promise<string | undefined> => {
  const service = await describeService(client, ref).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const primary = service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return primary?.taskDefinition === taskDefinitionArn ? service?.currentServiceDeployment : undefined;
};

/**
 * Answers a PAUSE lifecycle hook holding a deployment: CONTINUE lets it go on, ROLLBACK has ECS roll it back.
 * False when the hook no longer awaits action (it timed out, or another answer came first).
 */
export const continueServiceDeployment = async (
  serviceDeploymentArn: string,
  hookId: string,
  action: 'CONTINUE' | 'ROLLBACK',
  client: ECSClient = getEcsClient(),
): Promise<boolean> => {
  try {
    await client.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }));
    return true;
  } catch (error) {
    if (error instanceof ConflictException || error instanceof ServiceDeploymentNotFoundException) return false;
    throw error;
  }
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
