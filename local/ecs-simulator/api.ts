import type { ContainerDefinition, Deployment, Failure, Service, Tag, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { DeploymentEngine, HookNotAwaiting, simulatedStrategy, type EngineOptions } from './engine';
import { OneOffTasks, type OneOffTaskOptions } from './one-off-tasks';
import {
  EcsApiError,
  EcsModel,
  taskIdentityOf,
  isLive,
  nameOf,
  primaryOf,
  serviceKey,
  type PauseStage,
  type ServiceDeploymentConfiguration,
  type ServiceShape,
  type SimLifecycleHook,
  type SimService,
  type SimTask,
  type SimulatedServiceRef,
} from './model';

/**
 * The ECS API as the ECS SIMULATOR answers it: each operation's request checked and read as ECS reads it,
 * the model changed (a deployment handed to the engine), and the answer in ECS's shapes.
 */

export type EcsInput = Record<string, unknown>;

export type EcsApiOptions = EngineOptions & {
  oneOffTasks: Omit<OneOffTaskOptions, 'region' | 'account'>;
  defaultDesiredCount: number;
  autoCreateServices: boolean;
  initialContainerName?: ((ref: SimulatedServiceRef) => Promise<string | null | undefined> | string | null | undefined) | undefined;
};

const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

const stringField = (input: EcsInput, key: string): string | undefined => {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new EcsApiError('InvalidParameterException', `${key} must be a non-empty string.`);
  }
  return value;
};

const requiredString = (input: EcsInput, key: string): string => {
  const value = stringField(input, key);
  if (value === undefined) throw new EcsApiError('InvalidParameterException', `${key} is required.`);
  return value;
};

const stringList = (input: EcsInput, key: string): string[] => {
  const value = input[key] ?? [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new EcsApiError('InvalidParameterException', `${key} must be a list of strings.`);
  }
  return value as string[];
};

const clusterOf = (input: EcsInput): string => nameOf(stringField(input, 'cluster') ?? 'default');

const invalid = (message: string) => new EcsApiError('InvalidParameterException', message);

/** ECS's bounds on a traffic share (a multiple of 0.1 within them) and on a bake time (whole minutes, 0-1440). */
const checkPercent = (name: string, value: unknown, min: number): void => {
  if (value === undefined) return;
  if (typeof value !== 'number' || value < min || value > 100 || Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
    throw invalid(`${name} must be a multiple of 0.1 from ${min} to 100.0.`);
  }
};
const checkMinutes = (name: string, value: unknown): void => {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1440) throw invalid(`${name} must be 0 to 1440 minutes.`);
};

const PAUSE_STAGES: readonly string[] = ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] satisfies PauseStage[];

/** lifecycleHooks as ECS validates them, for the PAUSE hooks the simulator runs (it invokes no Lambda hook). */
const pauseHooks = (requested: unknown): SimLifecycleHook[] => {
  if (!Array.isArray(requested)) throw invalid('lifecycleHooks must be a list of lifecycle hooks.');
  return requested.map((hook: Partial<SimLifecycleHook> & { targetType?: string }) => {
    if (hook.targetType !== 'PAUSE') {
      throw invalid(`The ECS simulator runs PAUSE lifecycle hooks only, not ${String(hook.targetType ?? 'AWS_LAMBDA')}.`);
    }
    const stages = hook.lifecycleStages ?? [];
    if (stages.length === 0 || stages.some((stage) => !PAUSE_STAGES.includes(stage))) {
      throw invalid(`PAUSE hooks take lifecycleStages among ${PAUSE_STAGES.join(', ')} in the ECS simulator.`);
    }
    const timeout = hook.timeoutConfiguration;
    if (timeout?.timeoutInMinutes !== undefined && (!Number.isInteger(timeout.timeoutInMinutes) || timeout.timeoutInMinutes < 1 || timeout.timeoutInMinutes > 1440)) {
      throw invalid('timeoutConfiguration.timeoutInMinutes must be 1 to 1440 minutes.');
    }
    if (timeout?.action !== undefined && timeout.action !== 'CONTINUE' && timeout.action !== 'ROLLBACK') {
      throw invalid('timeoutConfiguration.action must be CONTINUE or ROLLBACK.');
    }
    return { targetType: 'PAUSE', lifecycleStages: stages, ...(timeout ? { timeoutConfiguration: timeout } : {}) };
  });
};

/** A service's deployment configuration after UpdateService's `deploymentConfiguration`; only a valid whole is taken. */
const mergeConfiguration = (current: ServiceDeploymentConfiguration, requested: unknown): ServiceDeploymentConfiguration => {
  if (requested === undefined || requested === null) return current;
  const input = requested as Partial<ServiceDeploymentConfiguration>;
  const strategy = input.strategy ?? current.strategy;
  if (!simulatedStrategy(strategy)) {
    throw new EcsApiError('InvalidParameterException', `The ECS simulator does not simulate the deployment strategy '${String(strategy)}'.`);
  }
  checkPercent('canaryConfiguration.canaryPercent', input.canaryConfiguration?.canaryPercent, 0.1);
  checkPercent('linearConfiguration.stepPercent', input.linearConfiguration?.stepPercent, 3);
  checkMinutes('canaryConfiguration.canaryBakeTimeInMinutes', input.canaryConfiguration?.canaryBakeTimeInMinutes);
  checkMinutes('linearConfiguration.stepBakeTimeInMinutes', input.linearConfiguration?.stepBakeTimeInMinutes);
  checkMinutes('bakeTimeInMinutes', input.bakeTimeInMinutes);
  const lifecycleHooks = input.lifecycleHooks === undefined ? current.lifecycleHooks : pauseHooks(input.lifecycleHooks);
  if (input.alarms !== undefined && (!Array.isArray(input.alarms.alarmNames) || input.alarms.alarmNames.some((name) => typeof name !== 'string'))) {
    throw invalid('alarms.alarmNames must be a list of alarm names.');
  }
  const next: ServiceDeploymentConfiguration = {
    strategy,
    bakeTimeInMinutes: input.bakeTimeInMinutes ?? current.bakeTimeInMinutes,
    canaryConfiguration: input.canaryConfiguration ?? current.canaryConfiguration,
    linearConfiguration: input.linearConfiguration ?? current.linearConfiguration,
    alarms: input.alarms ?? current.alarms,
    lifecycleHooks,
    minimumHealthyPercent: input.minimumHealthyPercent ?? current.minimumHealthyPercent,
    maximumPercent: input.maximumPercent ?? current.maximumPercent,
    deploymentCircuitBreaker: {
      enable: input.deploymentCircuitBreaker?.enable ?? current.deploymentCircuitBreaker.enable,
      rollback: input.deploymentCircuitBreaker?.rollback ?? current.deploymentCircuitBreaker.rollback,
    },
  };
  if (
    !Number.isInteger(next.minimumHealthyPercent) ||
    !Number.isInteger(next.maximumPercent) ||
    next.minimumHealthyPercent < 0 ||
    next.minimumHealthyPercent > 100 ||
    next.maximumPercent < 100
  ) {
    throw new EcsApiError('InvalidParameterException', 'minimumHealthyPercent must be 0..100 and maximumPercent at least 100.');
  }
  return next;
};

export class EcsApi {
  private readonly model: EcsModel;
  private readonly engine: DeploymentEngine;
  /** RunTask, StopTask and the logs of the tasks they run (see one-off-tasks.ts). */
  readonly oneOffTasks: OneOffTasks;

  constructor(private readonly options: EcsApiOptions) {
    this.model = new EcsModel(options);
    this.engine = new DeploymentEngine(this.model, options);
    this.oneOffTasks = new OneOffTasks(this.model, { ...options.oneOffTasks, region: options.region, account: options.account });
  }

  close(): void {
    this.engine.close();
    this.oneOffTasks.close();
  }

  /** The model, for the simulator's snapshots (snapshot.ts). */
  get state(): EcsModel {
    return this.model;
  }

  /** After the model was loaded from a snapshot: deployments carry on from where they stood (their timers start again). */
  resume(): void {
    for (const service of this.model.allServices()) this.engine.schedule(service);
  }

  /** See EcsModel.setServiceHealth. */
  setServiceHealth(ref: SimulatedServiceRef, healthy: boolean): void {
    this.model.setServiceHealth(ref, healthy);
    this.options.log(`ECS SIMULATOR: new tasks of ${serviceKey(ref)} are now ${healthy ? 'healthy' : 'unhealthy'}`);
  }

  /** Creates a service up front with a chosen shape; an existing service is left as it is. */
  async ensureService(ref: SimulatedServiceRef, shape: ServiceShape = {}): Promise<Service> {
    const { desiredCount, container, image, loadBalancer } = shape;
    if (loadBalancer !== undefined && typeof loadBalancer !== 'boolean') throw invalid('loadBalancer must be a boolean.');
    if (desiredCount !== undefined && (!Number.isInteger(desiredCount) || desiredCount < 0)) {
      throw new EcsApiError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    }
    if ([container, image].some((value) => value !== undefined && (typeof value !== 'string' || value === ''))) {
      throw new EcsApiError('InvalidParameterException', 'container and image must be non-empty strings.');
    }
    return this.serviceOutput(this.model.service(ref) ?? (await this.createService(ref, shape)));
  }

  async describeServices(input: EcsInput): Promise<{ services: Service[]; failures: Failure[] }> {
    const cluster = clusterOf(input);
    const names = stringList(input, 'services');
    if (names.length === 0 || names.length > 10) {
      throw new EcsApiError('InvalidParameterException', 'services must name between 1 and 10 services.');
    }
    const services: Service[] = [];
    const failures: Failure[] = [];
    for (const name of names) {
      const service = await this.findService({ cluster, service: nameOf(name) });
      if (service) services.push(this.serviceOutput(service));
      else failures.push({ arn: this.model.serviceArn({ cluster, service: nameOf(name) }), reason: 'MISSING' });
    }
    return { services, failures };
  }

  describeTaskDefinition(input: EcsInput): { taskDefinition: TaskDefinition; tags?: Tag[] } {
    const stored = this.model.resolveTaskDefinition(requiredString(input, 'taskDefinition'));
    const withTags = stringList(input, 'include').includes('TAGS');
    return { taskDefinition: stored.definition, ...(withTags ? { tags: stored.tags } : {}) };
  }

  registerTaskDefinition(input: EcsInput): { taskDefinition: TaskDefinition; tags: Tag[] } {
    const family = requiredString(input, 'family');
    if (!FAMILY_PATTERN.test(family)) throw new EcsApiError('ClientException', 'Family contains invalid characters.');
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw new EcsApiError('ClientException', 'Container list cannot be empty.');
    }
    const names = new Set<string>();
    const containerDefinitions = (containers as ContainerDefinition[]).map((container) => {
      if (typeof container?.name !== 'string' || container.name === '') {
        throw new EcsApiError('ClientException', 'Container.name should not be null or empty.');
      }
      if (typeof container.image !== 'string' || container.image === '') {
        throw new EcsApiError('ClientException', 'Container.image should not be null or empty.');
      }
      if (names.has(container.name)) {
        throw new EcsApiError('ClientException', `Duplicate container name '${container.name}'.`);
      }
      names.add(container.name);
      return { ...container, essential: container.essential ?? true };
    });
    const { family: _family, containerDefinitions: _containers, tags, ...rest } = input;
    return this.model.storeTaskDefinition(
      { ...(rest as Partial<TaskDefinition>), family, containerDefinitions },
      Array.isArray(tags) ? (tags as Tag[]) : [],
    );
  }

  async updateService(input: EcsInput): Promise<{ service: Service }> {
    const ref = { cluster: clusterOf(input), service: nameOf(requiredString(input, 'service')) };
    const service = await this.findService(ref);
    if (!service) throw new EcsApiError('ServiceNotFoundException', 'Service not found.');
    const desiredCount = input.desiredCount ?? undefined;
    if (
      desiredCount !== undefined &&
      (typeof desiredCount !== 'number' || !Number.isInteger(desiredCount) || desiredCount < 0)
    ) {
      throw new EcsApiError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    }
    const configuration = mergeConfiguration(service.configuration, input.deploymentConfiguration);
    // As ECS: blue/green, linear and canary shift traffic between the target groups of the service's load balancer.
    if (configuration.strategy !== 'ROLLING' && !service.loadBalancer) {
      throw invalid(
        `The ${configuration.strategy} deployment strategy requires a load balancer with an alternate target group, a production listener rule and an infrastructure role (loadBalancers[].advancedConfiguration).`,
      );
    }
    const requested = stringField(input, 'taskDefinition');
    const target = requested ? this.model.resolveTaskDefinition(requested).definition.taskDefinitionArn : undefined;
    // Only a request found valid as a whole changes the service.
    if (typeof desiredCount === 'number') service.desiredCount = desiredCount;
    service.configuration = configuration;
    const primary = primaryOf(service);
    if ((target && target !== primary.taskDefinitionArn) || input.forceNewDeployment === true) {
      this.engine.startDeployment(service, target ?? primary.taskDefinitionArn);
    }
    this.engine.schedule(service);
    return { service: this.serviceOutput(service) };
  }

  /** DescribeServiceDeployments: where each service deployment stands, with its lifecycle stage, alarms and rollback. */
  describeServiceDeployments(input: EcsInput): { serviceDeployments: Record<string, unknown>[]; failures: Failure[] } {
    const arns = stringList(input, 'serviceDeploymentArns');
    if (arns.length === 0 || arns.length > 20) throw invalid('serviceDeploymentArns must name between 1 and 20 service deployments.');
    const serviceDeployments: Record<string, unknown>[] = [];
    const failures: Failure[] = [];
    for (const arn of arns) {
      const found = this.findServiceDeployment(arn);
      if (!found) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const { service, deployment } = found;
      const alarmNames = service.configuration.alarms?.alarmNames ?? [];
      serviceDeployments.push({
        serviceDeploymentArn: deployment.serviceDeploymentArn,
        serviceArn: service.arn,
        clusterArn: service.clusterArn,
        createdAt: deployment.createdAt,
        startedAt: deployment.createdAt,
        updatedAt: deployment.updatedAt,
        ...(deployment.finishedAt ? { finishedAt: deployment.finishedAt } : {}),
        status: deployment.serviceDeploymentStatus,
        statusReason: deployment.rolloutStateReason,
        ...(deployment.lifecycleStage && deployment.serviceDeploymentStatus === 'IN_PROGRESS' ? { lifecycleStage: deployment.lifecycleStage } : {}),
        targetServiceRevision: {
          arn: `${deployment.serviceDeploymentArn.replace(':service-deployment/', ':service-revision/')}`,
          requestedTaskCount: service.desiredCount,
          runningTaskCount: service.tasks.filter((task) => task.deploymentId === deployment.id && task.lastStatus === 'RUNNING').length,
          pendingTaskCount: service.tasks.filter((task) => task.deploymentId === deployment.id && task.lastStatus === 'PENDING').length,
          ...(service.shift?.deploymentId === deployment.id ? { requestedProductionTrafficWeight: service.shift.percent } : {}),
        },
        ...(deployment.hooks
          ? {
              lifecycleHookDetails: deployment.hooks.map(({ hookId, targetType, status, expiresAt, timeoutAction }) => ({
                hookId,
                targetType,
                status,
                expiresAt,
                timeoutAction,
              })),
            }
          : {}),
        deploymentConfiguration: service.configuration,
        deploymentCircuitBreaker: { status: service.configuration.deploymentCircuitBreaker.enable ? 'MONITORING' : 'DISABLED', failureCount: deployment.failedTasks },
        alarms: {
          alarmNames,
          status: deployment.triggeredAlarms?.length ? 'TRIGGERED' : service.configuration.alarms?.enable ? 'MONITORING' : 'DISABLED',
          ...(deployment.triggeredAlarms?.length ? { triggeredAlarmNames: deployment.triggeredAlarms } : {}),
        },
        ...(deployment.rollback
          ? { rollback: { reason: deployment.rollback.reason, startedAt: deployment.rollback.startedAt, serviceRevisionArn: deployment.rollback.taskDefinitionArn } }
          : {}),
      });
    }
    return { serviceDeployments, failures };
  }

  /** StopServiceDeployment (ROLLBACK, the one stop type ECS documents): the deployment fails and its service goes back. */
  stopServiceDeployment(input: EcsInput): { serviceDeploymentArn: string } {
    const arn = requiredString(input, 'serviceDeploymentArn');
    const stopType = stringField(input, 'stopType') ?? 'ROLLBACK';
    if (stopType !== 'ROLLBACK') throw invalid(`The ECS simulator stops deployments with ROLLBACK only, not ${stopType}.`);
    const found = this.findServiceDeployment(arn);
    if (!found) throw new EcsApiError('ServiceDeploymentNotFoundException', `Service deployment ${arn} was not found.`);
    if (found.deployment.rolloutState !== 'IN_PROGRESS') {
      throw new EcsApiError('ConflictException', `Service deployment ${arn} is ${found.deployment.serviceDeploymentStatus}; only one in progress can be stopped.`);
    }
    this.engine.stopDeployment(found.service, found.deployment);
    return { serviceDeploymentArn: arn };
  }

  /** ContinueServiceDeployment: releases (CONTINUE) or rolls back (ROLLBACK) a deployment a PAUSE hook holds. */
  continueServiceDeployment(input: EcsInput): Record<string, never> {
    const arn = requiredString(input, 'serviceDeploymentArn');
    const hookId = requiredString(input, 'hookId');
    const action = stringField(input, 'action') ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') throw invalid('action must be CONTINUE or ROLLBACK.');
    const found = this.findServiceDeployment(arn);
    if (!found) throw new EcsApiError('ServiceDeploymentNotFoundException', `Service deployment ${arn} was not found.`);
    try {
      this.engine.continueDeployment(found.service, found.deployment, hookId, action);
    } catch (error) {
      if (error instanceof HookNotAwaiting) throw new EcsApiError('ConflictException', error.message);
      throw error;
    }
    return {};
  }

  private findServiceDeployment(arn: string) {
    for (const service of this.model.allServices()) {
      const deployment = service.deployments.find((candidate) => candidate.serviceDeploymentArn === arn);
      if (deployment) return { service, deployment };
    }
    return undefined;
  }

  /** What the simulated production listener rule forwards: the share of traffic on each revision (for tests and demos). */
  trafficOf(ref: SimulatedServiceRef): { taskDefinitionArn: string; percent: number }[] | undefined {
    const service = this.model.service(ref);
    if (!service) return undefined;
    const primary = primaryOf(service);
    const shift = service.shift;
    const shifting = shift ? service.deployments.find((candidate) => candidate.id === shift.deploymentId) : undefined;
    if (!shift || !shifting) return [{ taskDefinitionArn: primary.taskDefinitionArn, percent: 100 }];
    const source = service.deployments.find((candidate) => candidate.id === shifting.sourceId);
    return [
      { taskDefinitionArn: source?.taskDefinitionArn ?? '', percent: 100 - shift.percent },
      { taskDefinitionArn: shifting.taskDefinitionArn, percent: shift.percent },
    ];
  }

  setAlarm(name: string, state: unknown): void {
    if (state !== 'ALARM' && state !== 'OK') throw invalid('state must be ALARM or OK.');
    this.model.setAlarm(name, state);
    this.options.log(`ECS SIMULATOR: CloudWatch alarm ${name} is now ${state}`);
  }

  async listTasks(input: EcsInput): Promise<{ taskArns: string[] }> {
    const cluster = clusterOf(input);
    const serviceName = stringField(input, 'serviceName');
    let services = this.model.allServices().filter((service) => service.ref.cluster === cluster);
    if (serviceName) {
      const service = await this.findService({ cluster, service: nameOf(serviceName) });
      if (!service) throw new EcsApiError('ServiceNotFoundException', 'Service not found.');
      services = [service];
    }
    const stopped = stringField(input, 'desiredStatus') === 'STOPPED';
    return {
      taskArns: services.flatMap((service) =>
        service.tasks.filter((task) => isLive(task) !== stopped).map((task) => task.arn),
      ),
    };
  }

  describeTasks(input: EcsInput): { tasks: Task[]; failures: Failure[] } {
    const cluster = clusterOf(input);
    const owned = this.model
      .allServices()
      .filter((service) => service.ref.cluster === cluster)
      .flatMap((service) => service.tasks.map((task) => ({ service, task })));
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const reference of stringList(input, 'tasks')) {
      const found = owned.find(({ task }) => task.id === nameOf(reference));
      const oneOff = found ? undefined : this.oneOffTasks.describe(cluster, reference);
      if (found) tasks.push(this.taskOutput(found.service, found.task));
      else if (oneOff) tasks.push(oneOff);
      else failures.push({ arn: reference, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private async findService(ref: SimulatedServiceRef): Promise<SimService | undefined> {
    const existing = this.model.service(ref);
    if (existing || !this.options.autoCreateServices) return existing;
    return this.createService(ref, {});
  }

  private async createService(ref: SimulatedServiceRef, shape: ServiceShape): Promise<SimService> {
    const container = shape.container ?? (await this.options.initialContainerName?.(ref)) ?? ref.service;
    // Resolving the container name may have let a concurrent request create the service meanwhile.
    const raced = this.model.service(ref);
    if (raced) return raced;
    const service = this.model.addService(ref, { ...shape, container, desiredCount: shape.desiredCount ?? this.options.defaultDesiredCount });
    this.options.log(
      `ECS SIMULATOR: created service ${serviceKey(ref)} with ${service.desiredCount} tasks of ${primaryOf(service).taskDefinitionArn}`,
    );
    return service;
  }

  private serviceOutput(service: SimService): Service {
    const live = service.tasks.filter(isLive);
    const count = (deploymentId: string | undefined, status: SimTask['lastStatus']) =>
      live.filter((task) => task.lastStatus === status && (deploymentId === undefined || task.deploymentId === deploymentId))
        .length;
    const primary = primaryOf(service);
    const deployments: Deployment[] = service.deployments.map((deployment) => ({
      id: deployment.id,
      status: deployment.status,
      taskDefinition: deployment.taskDefinitionArn,
      desiredCount:
        deployment.status === 'PRIMARY'
          ? service.desiredCount
          : count(deployment.id, 'RUNNING') + count(deployment.id, 'PENDING'),
      pendingCount: count(deployment.id, 'PENDING'),
      runningCount: count(deployment.id, 'RUNNING'),
      failedTasks: deployment.failedTasks,
      createdAt: deployment.createdAt,
      updatedAt: deployment.updatedAt,
      launchType: 'FARGATE',
      rolloutState: deployment.rolloutState,
      rolloutStateReason: deployment.rolloutStateReason,
    }));
    return {
      serviceArn: service.arn,
      serviceName: service.ref.service,
      clusterArn: service.clusterArn,
      status: 'ACTIVE',
      desiredCount: service.desiredCount,
      runningCount: count(undefined, 'RUNNING'),
      pendingCount: count(undefined, 'PENDING'),
      launchType: 'FARGATE',
      taskDefinition: primary.taskDefinitionArn,
      deploymentConfiguration: service.configuration,
      currentServiceDeployment: primary.serviceDeploymentArn,
      ...(service.loadBalancer
        ? {
            loadBalancers: [
              {
                targetGroupArn: service.loadBalancer.targetGroupArn,
                containerName: service.loadBalancer.containerName,
                containerPort: service.loadBalancer.containerPort,
                advancedConfiguration: {
                  alternateTargetGroupArn: service.loadBalancer.alternateTargetGroupArn,
                  productionListenerRule: service.loadBalancer.productionListenerRule,
                  roleArn: service.loadBalancer.roleArn,
                },
              },
            ],
          }
        : { loadBalancers: [] }),
      deployments,
      events: service.events,
      createdAt: service.createdAt,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
    };
  }

  private taskOutput(service: SimService, task: SimTask): Task {
    const { definition } = this.model.resolveTaskDefinition(task.taskDefinitionArn);
    return {
      ...taskIdentityOf(service, task),
      healthStatus: task.healthStatus,
      createdAt: task.createdAt,
      startedAt: task.startedAt,
      stoppedAt: task.stoppedAt,
      stoppedReason: task.stoppedReason,
      containers: (definition.containerDefinitions ?? []).map((container) => ({
        name: container.name,
        image: container.image,
        taskArn: task.arn,
        lastStatus: task.lastStatus,
        healthStatus: task.healthStatus,
      })),
    };
  }
}
