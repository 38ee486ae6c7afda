import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type {
  ContainerDefinition,
  Deployment,
  Failure,
  Service,
  ServiceEvent,
  Tag,
  Task,
  TaskDefinition,
} from '@aws-sdk/client-ecs';

/**
 * The ECS SIMULATOR's state: clusters, services, task definitions, tasks and deployments held in memory,
 * and the rolling-update loop that replaces tasks the way ECS does for a service with the ECS deployment
 * controller. It is a stand-in for local runs and tests, not ECS: no containers run; a task's health is
 * decided from its image and the service's health switch.
 */

/** An error ECS would answer with; the server renders it in the AWS JSON error shape. */
export class EcsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type SimulatedServiceRef = { cluster: string; service: string };

export type DeploymentEventName =
  | 'SERVICE_DEPLOYMENT_IN_PROGRESS'
  | 'SERVICE_DEPLOYMENT_COMPLETED'
  | 'SERVICE_DEPLOYMENT_FAILED';

/** What EventBridge delivers for ECS's "ECS Deployment State Change" events. */
export type DeploymentStateChangeEvent = {
  version: '0';
  id: string;
  'detail-type': 'ECS Deployment State Change';
  source: 'aws.ecs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    eventType: 'INFO' | 'ERROR';
    eventName: DeploymentEventName;
    deploymentId: string;
    updatedAt: string;
    reason: string;
  };
};

/** One replacement batch as it left the service: what tests check the deployment configuration against. */
export type BatchSnapshot = SimulatedServiceRef & {
  deploymentId: string;
  rolloutState: RolloutState;
  desired: number;
  runningNew: number;
  pendingNew: number;
  runningOld: number;
  started: number;
  stopped: number;
  failed: number;
};

export type ModelOptions = {
  region: string;
  account: string;
  batchIntervalMs: number;
  /** The pace of a deployment whose image reference contains `slow`: a bad rollout that takes its time. */
  slowBatchIntervalMs: number;
  defaultDesiredCount: number;
  autoCreateServices: boolean;
  initialContainerName?: ((ref: SimulatedServiceRef) => Promise<string | null | undefined> | string | null | undefined) | undefined;
  emit: (event: DeploymentStateChangeEvent) => void;
  onBatch?: ((snapshot: BatchSnapshot) => void) | undefined;
  log: (message: string) => void;
};

type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

type SimTask = {
  id: string;
  arn: string;
  deploymentId: string;
  taskDefinitionArn: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  healthStatus: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
  createdAt: Date;
  startedAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
};

type SimDeployment = {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinitionArn: string;
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
};

type RollingConfiguration = {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
};

type SimService = {
  ref: SimulatedServiceRef;
  arn: string;
  clusterArn: string;
  desiredCount: number;
  configuration: RollingConfiguration;
  /** The PRIMARY deployment first, as ECS lists them. */
  deployments: SimDeployment[];
  tasks: SimTask[];
  /** Newest first, as DescribeServices returns them. */
  events: ServiceEvent[];
  lastCompletedTaskDefinitionArn: string;
  createdAt: Date;
  timer?: NodeJS.Timeout | undefined;
};

type StoredTaskDefinition = { definition: TaskDefinition; tags: Tag[] };

export type EcsInput = Record<string, unknown>;

const MAX_KEPT_EVENTS = 100;
const MAX_KEPT_STOPPED_TASKS = 100;
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

/** ECS accepts a name or a full ARN wherever a cluster, service or task is referenced. */
const nameOf = (reference: string): string => reference.slice(reference.lastIndexOf('/') + 1);

const clusterOf = (input: EcsInput): string => nameOf(stringField(input, 'cluster') ?? 'default');

const serviceKey = ({ cluster, service }: SimulatedServiceRef) => `${cluster}/${service}`;

/** ECS's default circuit-breaker threshold: half the desired count, at least 3 and at most 200 failed tasks. */
export const failureThreshold = (desiredCount: number): number =>
  Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));

const isLive = (task: SimTask) => task.lastStatus !== 'STOPPED';

export class EcsSimulatorModel {
  private readonly services = new Map<string, SimService>();
  private readonly families = new Map<string, StoredTaskDefinition[]>();
  /** Services whose new task definitions fail health checks, whatever their image. */
  private readonly unhealthyServices = new Set<string>();
  private closed = false;

  constructor(private readonly options: ModelOptions) {}

  close(): void {
    this.closed = true;
    for (const service of this.services.values()) clearTimeout(service.timer);
  }

  /**
   * false: every task definition other than the service's last completed one fails its health checks,
   * so the circuit breaker can roll back to a revision that still starts. true: health is up to the image.
   */
  setServiceHealth(ref: SimulatedServiceRef, healthy: boolean): void {
    if (healthy) this.unhealthyServices.delete(serviceKey(ref));
    else this.unhealthyServices.add(serviceKey(ref));
    this.options.log(`ECS SIMULATOR: new tasks of ${serviceKey(ref)} are now ${healthy ? 'healthy' : 'unhealthy'}`);
  }

  /** Creates a service up front with a chosen shape; an existing service is left as it is. */
  async ensureService(
    ref: SimulatedServiceRef,
    shape: { desiredCount?: number | undefined; container?: string | undefined; image?: string | undefined } = {},
  ): Promise<Service> {
    const { desiredCount, container, image } = shape;
    if (desiredCount !== undefined && (!Number.isInteger(desiredCount) || desiredCount < 0)) {
      throw new EcsApiError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    }
    if ([container, image].some((value) => value !== undefined && (typeof value !== 'string' || value === ''))) {
      throw new EcsApiError('InvalidParameterException', 'container and image must be non-empty strings.');
    }
    const existing = this.services.get(serviceKey(ref));
    return this.serviceOutput(existing ?? (await this.createService(ref, shape)));
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
      else failures.push({ arn: this.serviceArn({ cluster, service: nameOf(name) }), reason: 'MISSING' });
    }
    return { services, failures };
  }

  describeTaskDefinition(input: EcsInput): { taskDefinition: TaskDefinition; tags?: Tag[] } {
    const stored = this.resolveTaskDefinition(requiredString(input, 'taskDefinition'));
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
    return this.storeTaskDefinition(
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
    const configuration = this.mergeConfiguration(service.configuration, input.deploymentConfiguration);
    const requested = stringField(input, 'taskDefinition');
    const target = requested ? this.resolveTaskDefinition(requested).definition.taskDefinitionArn : undefined;
    // Only a request found valid as a whole changes the service.
    if (typeof desiredCount === 'number') service.desiredCount = desiredCount;
    service.configuration = configuration;
    const primary = this.primaryOf(service);
    if ((target && target !== primary.taskDefinitionArn) || input.forceNewDeployment === true) {
      this.startDeployment(service, target ?? primary.taskDefinitionArn);
    }
    this.schedule(service);
    return { service: this.serviceOutput(service) };
  }

  async listTasks(input: EcsInput): Promise<{ taskArns: string[] }> {
    const cluster = clusterOf(input);
    const serviceName = stringField(input, 'serviceName');
    let services = [...this.services.values()].filter((service) => service.ref.cluster === cluster);
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
    const owned = [...this.services.values()]
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

  private serviceArn({ cluster, service }: SimulatedServiceRef) {
    return `arn:aws:ecs:${this.options.region}:${this.options.account}:service/${cluster}/${service}`;
  }

  private async findService(ref: SimulatedServiceRef): Promise<SimService | undefined> {
    const existing = this.services.get(serviceKey(ref));
    if (existing || !this.options.autoCreateServices) return existing;
    return this.createService(ref, {});
  }

  /**
   * A service as a fresh app finds it: `desiredCount` healthy tasks of an initial task definition whose
   * family is the service name (reusing that family's latest revision when it exists already).
   */
  private async createService(
    ref: SimulatedServiceRef,
    shape: { desiredCount?: number | undefined; container?: string | undefined; image?: string | undefined },
  ): Promise<SimService> {
    const container = shape.container ?? (await this.options.initialContainerName?.(ref)) ?? ref.service;
    // Resolving the container name may have let a concurrent request create the service meanwhile.
    const raced = this.services.get(serviceKey(ref));
    if (raced) return raced;
    const family = ref.service.replace(/[^A-Za-z0-9_-]/g, '-');
    const taskDefinition =
      this.families.get(family)?.at(-1)?.definition ??
      this.storeTaskDefinition(
        {
          family,
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: container, image: shape.image ?? `simulator.local/${ref.service}:initial`, essential: true, environment: [] },
          ],
        },
        [],
      ).taskDefinition;
    const now = new Date();
    const taskDefinitionArn = taskDefinition.taskDefinitionArn ?? '';
    const deployment: SimDeployment = {
      id: this.deploymentId(),
      status: 'PRIMARY',
      taskDefinitionArn,
      failedTasks: 0,
      rolloutState: 'COMPLETED',
      rolloutStateReason: 'ECS deployment completed.',
      createdAt: now,
      updatedAt: now,
    };
    const service: SimService = {
      ref,
      arn: this.serviceArn(ref),
      clusterArn: `arn:aws:ecs:${this.options.region}:${this.options.account}:cluster/${ref.cluster}`,
      desiredCount: shape.desiredCount ?? this.options.defaultDesiredCount,
      configuration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        // As with CreateService, the circuit breaker is off until a deployment configuration turns it on.
        deploymentCircuitBreaker: { enable: false, rollback: false },
      },
      deployments: [deployment],
      tasks: [],
      events: [],
      lastCompletedTaskDefinitionArn: taskDefinitionArn,
      createdAt: now,
    };
    for (let index = 0; index < service.desiredCount; index++) {
      this.markRunning(this.newTask(service, deployment, now), now);
    }
    this.services.set(serviceKey(ref), service);
    this.options.log(
      `ECS SIMULATOR: created service ${serviceKey(ref)} with ${service.desiredCount} tasks of ${taskDefinitionArn}`,
    );
    return service;
  }

  private storeTaskDefinition(
    definition: Partial<TaskDefinition> & { family: string; containerDefinitions: ContainerDefinition[] },
    tags: Tag[],
  ): { taskDefinition: TaskDefinition; tags: Tag[] } {
    const revisions = this.families.get(definition.family) ?? [];
    const revision = revisions.length + 1;
    const taskDefinition: TaskDefinition = {
      ...definition,
      taskDefinitionArn: `arn:aws:ecs:${this.options.region}:${this.options.account}:task-definition/${definition.family}:${revision}`,
      revision,
      status: 'ACTIVE',
      compatibilities: definition.requiresCompatibilities ?? ['EC2'],
      registeredAt: new Date(),
      registeredBy: `arn:aws:iam::${this.options.account}:user/ecs-simulator`,
    };
    revisions.push({ definition: taskDefinition, tags });
    this.families.set(definition.family, revisions);
    return { taskDefinition, tags };
  }

  /** Accepts a full ARN, `family:revision`, or a bare family (its latest revision). */
  private resolveTaskDefinition(reference: string): StoredTaskDefinition {
    const [family = '', revision] = nameOf(reference).split(':');
    const revisions = this.families.get(family) ?? [];
    const found = revision === undefined ? revisions.at(-1) : revisions[Number(revision) - 1];
    if (!found) throw new EcsApiError('ClientException', 'Unable to describe task definition.');
    return found;
  }

  private mergeConfiguration(current: RollingConfiguration, requested: unknown): RollingConfiguration {
    if (requested === undefined || requested === null) return current;
    const input = requested as Partial<RollingConfiguration>;
    const next: RollingConfiguration = {
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
      throw new EcsApiError(
        'InvalidParameterException',
        'minimumHealthyPercent must be 0..100 and maximumPercent at least 100.',
      );
    }
    return next;
  }

  private deploymentId(): string {
    const digits = Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
    return `ecs-svc/${randomInt(1, 10)}${digits}`;
  }

  private primaryOf(service: SimService): SimDeployment {
    const primary = service.deployments[0];
    if (!primary) throw new Error(`ECS SIMULATOR: service ${serviceKey(service.ref)} lost its primary deployment`);
    return primary;
  }

  private startDeployment(service: SimService, taskDefinitionArn: string, reason?: string): SimDeployment {
    const now = new Date();
    for (const deployment of service.deployments) deployment.status = 'ACTIVE';
    const id = this.deploymentId();
    const deployment: SimDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinitionArn,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
      createdAt: now,
      updatedAt: now,
    };
    service.deployments.unshift(deployment);
    // The next batch comes at the new deployment's pace, not at the one it replaces (a slow one's).
    clearTimeout(service.timer);
    service.timer = undefined;
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${id} of ${taskDefinitionArn} started`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    return deployment;
  }

  private emit(service: SimService, deployment: SimDeployment, eventName: DeploymentEventName): void {
    const time = deployment.updatedAt.toISOString();
    this.options.emit({
      version: '0',
      id: randomUUID(),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: this.options.account,
      time,
      region: this.options.region,
      resources: [service.arn],
      detail: {
        eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
        eventName,
        deploymentId: deployment.id,
        updatedAt: time,
        reason: deployment.rolloutStateReason,
      },
    });
  }

  private addEvent(service: SimService, message: string, at: Date): void {
    service.events.unshift({ id: randomUUID(), createdAt: at, message: `(service ${service.ref.service}) ${message}` });
    service.events.length = Math.min(service.events.length, MAX_KEPT_EVENTS);
  }

  private newTask(service: SimService, deployment: SimDeployment, at: Date): SimTask {
    const id = randomBytes(16).toString('hex');
    const task: SimTask = {
      id,
      arn: `arn:aws:ecs:${this.options.region}:${this.options.account}:task/${service.ref.cluster}/${id}`,
      deploymentId: deployment.id,
      taskDefinitionArn: deployment.taskDefinitionArn,
      lastStatus: 'PENDING',
      healthStatus: 'UNKNOWN',
      createdAt: at,
    };
    service.tasks.push(task);
    return task;
  }

  private markRunning(task: SimTask, at: Date): void {
    task.lastStatus = 'RUNNING';
    task.healthStatus = 'HEALTHY';
    task.startedAt = at;
  }

  private stopTask(task: SimTask, reason: string, at: Date): void {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = at;
    task.stoppedReason = reason;
  }

  private passesHealthChecks(service: SimService, task: SimTask): boolean {
    const imageSaysUnhealthy = this.imagesOf(task.taskDefinitionArn).some((image) => image.includes('unhealthy'));
    const serviceSaysUnhealthy =
      this.unhealthyServices.has(serviceKey(service.ref)) &&
      task.taskDefinitionArn !== service.lastCompletedTaskDefinitionArn;
    return !imageSaysUnhealthy && !serviceSaysUnhealthy;
  }

  private schedule(service: SimService): void {
    if (this.closed || service.timer || !this.needsBatch(service)) return;
    const slow = this.imagesOf(this.primaryOf(service).taskDefinitionArn).some((image) => image.includes('slow'));
    service.timer = setTimeout(() => this.runBatch(service), slow ? this.options.slowBatchIntervalMs : this.options.batchIntervalMs);
  }

  private imagesOf(taskDefinitionArn: string): string[] {
    const { definition } = this.resolveTaskDefinition(taskDefinitionArn);
    return (definition.containerDefinitions ?? []).map((container) => container.image?.toLowerCase() ?? '');
  }

  private needsBatch(service: SimService): boolean {
    const primary = this.primaryOf(service);
    if (primary.rolloutState === 'IN_PROGRESS') return true;
    if (service.tasks.some((task) => task.lastStatus === 'PENDING')) return true;
    const primaryLive = service.tasks.filter((task) => isLive(task) && task.deploymentId === primary.id).length;
    return primary.rolloutState === 'COMPLETED' && primaryLive !== service.desiredCount;
  }

  /**
   * One batch of a rolling update, as ECS paces it: tasks started by the previous batch pass or fail
   * their health checks; the circuit breaker may fail the deployment; old tasks are stopped only as far
   * as the healthy running count stays at or above minimumHealthyPercent; then new tasks are started
   * as far as the total stays at or below maximumPercent.
   */
  private runBatch(service: SimService): void {
    service.timer = undefined;
    if (this.closed) return;
    const now = new Date();
    const deploymentsById = new Map(service.deployments.map((deployment) => [deployment.id, deployment]));
    let failed = 0;
    for (const task of service.tasks.filter((candidate) => candidate.lastStatus === 'PENDING')) {
      if (this.passesHealthChecks(service, task)) {
        this.markRunning(task, now);
        continue;
      }
      task.healthStatus = 'UNHEALTHY';
      this.stopTask(task, 'Task failed container health checks', now);
      const owner = deploymentsById.get(task.deploymentId);
      if (owner) owner.failedTasks++;
      failed++;
    }

    let primary = this.primaryOf(service);
    const breaker = service.configuration.deploymentCircuitBreaker;
    if (primary.rolloutState === 'IN_PROGRESS' && breaker.enable && primary.failedTasks >= failureThreshold(service.desiredCount)) {
      this.failDeployment(service, primary, now);
      primary = this.primaryOf(service);
    }

    const desired = service.desiredCount;
    const minimumHealthy = Math.ceil((desired * service.configuration.minimumHealthyPercent) / 100);
    const maximumTotal = Math.floor((desired * service.configuration.maximumPercent) / 100);
    const running = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
    const old = running.filter((task) => task.deploymentId !== primary.id);
    const primaryRunning = running.length - old.length;
    const surplus = running.length - minimumHealthy;
    // A failed deployment that was not rolled back leaves the old tasks serving.
    const stopping =
      primary.rolloutState === 'FAILED'
        ? []
        : [
            ...old,
            ...running.filter((task) => task.deploymentId === primary.id).slice(0, Math.max(0, primaryRunning - desired)),
          ].slice(0, Math.max(0, surplus));
    for (const task of stopping) this.stopTask(task, `Scaling activity initiated by (deployment ${primary.id})`, now);
    if (stopping.length > 0) {
      this.addEvent(service, `has stopped ${stopping.length} running tasks: ${stopping.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    }

    let started = 0;
    if (primary.rolloutState !== 'FAILED') {
      const live = service.tasks.filter(isLive);
      const primaryLive = live.filter((task) => task.deploymentId === primary.id).length;
      started = Math.max(0, Math.min(desired - primaryLive, maximumTotal - live.length));
      const launched = Array.from({ length: started }, () => this.newTask(service, primary, now));
      if (started > 0) {
        this.addEvent(service, `has started ${started} tasks: ${launched.map((t) => `(task ${t.id})`).join(' ')}.`, now);
      }
    }

    const live = service.tasks.filter(isLive);
    const runningNew = live.filter((task) => task.deploymentId === primary.id && task.lastStatus === 'RUNNING').length;
    const pendingNew = live.filter((task) => task.deploymentId === primary.id && task.lastStatus === 'PENDING').length;
    const runningOld = live.length - runningNew - pendingNew;
    if (primary.rolloutState === 'IN_PROGRESS' && runningNew === desired && pendingNew === 0 && runningOld === 0) {
      this.completeDeployment(service, primary, now);
    }
    this.pruneStoppedTasks(service);
    this.options.onBatch?.({
      ...service.ref,
      deploymentId: primary.id,
      rolloutState: primary.rolloutState,
      desired,
      runningNew,
      pendingNew,
      runningOld,
      started,
      stopped: stopping.length,
      failed,
    });
    this.schedule(service);
  }

  private failDeployment(service: SimService, deployment: SimDeployment, at: Date): void {
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    deployment.updatedAt = at;
    this.addEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`, at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} FAILED (circuit breaker)`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_FAILED');
    const rollbackTo = service.lastCompletedTaskDefinitionArn;
    if (!service.configuration.deploymentCircuitBreaker.rollback || rollbackTo === deployment.taskDefinitionArn) return;
    const rollback = this.startDeployment(
      service,
      rollbackTo,
      `ECS deployment circuit breaker: rolling back to task definition ${nameOf(rollbackTo)}.`,
    );
    this.addEvent(service, `rolling back to deployment ${rollback.id}.`, at);
  }

  private completeDeployment(service: SimService, deployment: SimDeployment, at: Date): void {
    deployment.rolloutState = 'COMPLETED';
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.updatedAt = at;
    service.lastCompletedTaskDefinitionArn = deployment.taskDefinitionArn;
    // Replaced deployments have drained by now; ECS drops them from the service.
    service.deployments = [deployment];
    this.addEvent(service, `(deployment ${deployment.id}) deployment completed.`, at);
    this.addEvent(service, 'has reached a steady state.', at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} COMPLETED`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_COMPLETED');
  }

  private pruneStoppedTasks(service: SimService): void {
    const stopped = service.tasks.filter((task) => !isLive(task));
    if (stopped.length <= MAX_KEPT_STOPPED_TASKS) return;
    const dropped = new Set(stopped.slice(0, stopped.length - MAX_KEPT_STOPPED_TASKS));
    service.tasks = service.tasks.filter((task) => !dropped.has(task));
  }

  private serviceOutput(service: SimService): Service {
    const live = service.tasks.filter(isLive);
    const count = (deploymentId: string | undefined, status: SimTask['lastStatus']) =>
      live.filter((task) => task.lastStatus === status && (deploymentId === undefined || task.deploymentId === deploymentId))
        .length;
    const primary = this.primaryOf(service);
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
    const { definition } = this.resolveTaskDefinition(task.taskDefinitionArn);
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
