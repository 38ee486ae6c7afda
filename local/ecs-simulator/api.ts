import type { ContainerDefinition, Deployment, Failure, Service, Tag, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { DeploymentEngine, simulatedStrategy, type EngineOptions } from './engine';
import {
  EcsApiError,
  EcsModel,
  isLive,
  nameOf,
  primaryOf,
  serviceKey,
  type ServiceDeploymentConfiguration,
  type ServiceShape,
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

/** A service's deployment configuration after UpdateService's `deploymentConfiguration`; only a valid whole is taken. */
const mergeConfiguration = (current: ServiceDeploymentConfiguration, requested: unknown): ServiceDeploymentConfiguration => {
  if (requested === undefined || requested === null) return current;
  const input = requested as Partial<ServiceDeploymentConfiguration>;
  const strategy = input.strategy ?? current.strategy;
  if (!simulatedStrategy(strategy)) {
    throw new EcsApiError('InvalidParameterException', `The ECS simulator does not simulate the deployment strategy '${String(strategy)}'.`);
  }
  const next: ServiceDeploymentConfiguration = {
    strategy,
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

  constructor(private readonly options: EcsApiOptions) {
    this.model = new EcsModel(options);
    this.engine = new DeploymentEngine(this.model, options);
  }

  close(): void {
    this.engine.close();
  }

  /** See EcsModel.setServiceHealth. */
  setServiceHealth(ref: SimulatedServiceRef, healthy: boolean): void {
    this.model.setServiceHealth(ref, healthy);
    this.options.log(`ECS SIMULATOR: new tasks of ${serviceKey(ref)} are now ${healthy ? 'healthy' : 'unhealthy'}`);
  }

  /** Creates a service up front with a chosen shape; an existing service is left as it is. */
  async ensureService(ref: SimulatedServiceRef, shape: ServiceShape = {}): Promise<Service> {
    const { desiredCount, container, image } = shape;
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
      if (found) tasks.push(this.taskOutput(found.service, found.task));
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
      taskArn: task.arn,
      clusterArn: service.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      group: `service:${service.ref.service}`,
      startedBy: task.deploymentId,
      launchType: 'FARGATE',
      lastStatus: task.lastStatus,
      desiredStatus: isLive(task) ? 'RUNNING' : 'STOPPED',
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
