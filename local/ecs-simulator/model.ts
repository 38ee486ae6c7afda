import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { ContainerDefinition, ServiceEvent, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsDeploymentEngine, EcsLifecycleStage } from '../../shared/domain/deployment-strategy';

/**
 * The ECS SIMULATOR's model of ECS: services with their deployments and tasks, and task definitions, held
 * in memory, and the small changes every part of the simulator makes to them. It is a stand-in for local
 * runs and tests, not ECS: no containers run; a task's health is decided from its image and the service's
 * health switch. Requests reach it through api.ts; deployments move in engine.ts, batch by batch as
 * their strategy (strategies/) decides.
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

/** The envelope EventBridge puts around each event ECS sends, with the event's own `detail`. */
export type EcsEventEnvelope<DetailType extends string, Detail> = {
  version: '0';
  id: string;
  'detail-type': DetailType;
  source: 'aws.ecs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
};

/** An event as EventBridge would deliver it, sent now (or at `time`) from `place` about `resources`. */
export const ecsEvent = <DetailType extends string, Detail>(
  detailType: DetailType,
  place: { account: string; region: string },
  resources: string[],
  detail: Detail,
  time = new Date().toISOString(),
): EcsEventEnvelope<DetailType, Detail> => ({
  version: '0',
  id: randomUUID(),
  'detail-type': detailType,
  source: 'aws.ecs',
  account: place.account,
  time,
  region: place.region,
  resources,
  detail,
});

/** What EventBridge delivers for ECS's "ECS Deployment State Change" events. */
export type DeploymentStateChangeEvent = EcsEventEnvelope<
  'ECS Deployment State Change',
  {
    eventType: 'INFO' | 'ERROR';
    eventName: DeploymentEventName;
    deploymentId: string;
    updatedAt: string;
    reason: string;
  }
>;

/** What EventBridge delivers for ECS's "ECS Hook State Change" events: a PAUSE hook waits for ContinueServiceDeployment. */
type HookStateChangeEvent = EcsEventEnvelope<
  'ECS Hook State Change',
  {
    eventName: 'HOOK_AWAITING_ACTION';
    hookId: string;
    lifecycleStage: PauseStage;
    deploymentId: string;
    serviceDeploymentArn: string;
    expiresAt: string;
  }
>;

/**
 * What EventBridge delivers for ECS's "ECS Task State Change" events (the fields Slipway and the simulator use;
 * ECS sends more). A service's tasks carry `group` `service:<name>` and `startedBy` the id of the deployment that
 * started them; `version` grows with every change of the task, so duplicates and stale events can be told apart.
 */
export type TaskStateChangeEvent = EcsEventEnvelope<
  'ECS Task State Change',
  {
    clusterArn: string;
    taskArn: string;
    taskDefinitionArn: string;
    group: string;
    startedBy: string;
    launchType: 'FARGATE';
    lastStatus: SimTask['lastStatus'];
    desiredStatus: 'RUNNING' | 'STOPPED';
    createdAt: string;
    startedAt?: string;
    stoppedAt?: string;
    stoppedReason?: string;
    updatedAt: string;
    version: number;
  }
>;

/** Every event the simulator sends, as ECS sends them to EventBridge. */
export type EcsEvent = DeploymentStateChangeEvent | HookStateChangeEvent | TaskStateChangeEvent;

type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** The stages around a production traffic shift where a PAUSE hook may hold a deployment (ECS refuses one at the shift itself). */
export type PauseStage = 'PRE_PRODUCTION_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT';

/** A lifecycle hook as UpdateService's deploymentConfiguration.lifecycleHooks configures it; the simulator runs PAUSE hooks. */
export type SimLifecycleHook = {
  targetType: 'PAUSE';
  lifecycleStages: PauseStage[];
  timeoutConfiguration?: { timeoutInMinutes?: number | undefined; action?: 'CONTINUE' | 'ROLLBACK' | undefined } | undefined;
};

/** One PAUSE hook holding a deployment (DescribeServiceDeployments' lifecycleHookDetails). */
type SimHookDetail = {
  hookId: string;
  targetType: 'PAUSE';
  stage: PauseStage;
  status: 'AWAITING_ACTION' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  expiresAt: Date;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
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

export type SimTask = {
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
  /** Grows with every change, as the `version` of ECS's task state change events. */
  version: number;
  updatedAt: Date;
  /** The version last sent in a task state change event. */
  reportedVersion: number;
  /** While PENDING: when it passes or fails its health checks. */
  readyAt?: Date | undefined;
};

/** A service deployment's status, as DescribeServiceDeployments reports it. */
type ServiceDeploymentStatus = 'IN_PROGRESS' | 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_SUCCESSFUL';

export type SimDeployment = {
  id: string;
  /** Its ARN as a service deployment (DescribeServiceDeployments, StopServiceDeployment). */
  serviceDeploymentArn: string;
  serviceDeploymentStatus: ServiceDeploymentStatus;
  /** Blue/green, linear, canary: where it stands, and since when. */
  lifecycleStage?: EcsLifecycleStage | undefined;
  stageSince?: Date | undefined;
  /** The deployment whose tasks served before it (the blue one), while traffic shifts away from it. */
  sourceId?: string | undefined;
  /** The alarms that failed it, and the rollback that followed. */
  triggeredAlarms?: string[] | undefined;
  rollback?: { reason: string; startedAt: Date; taskDefinitionArn: string } | undefined;
  /** The PAUSE hooks of its current hold, and the holds it passed (`stage:step`), so each is held once. */
  hooks?: SimHookDetail[] | undefined;
  holdsPassed?: string[] | undefined;
  finishedAt?: Date | undefined;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinitionArn: string;
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
};

/** A service's deploymentConfiguration, as far as the simulator heeds it. */
export type ServiceDeploymentConfiguration = {
  strategy: EcsDeploymentEngine;
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  bakeTimeInMinutes?: number | undefined;
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number } | undefined;
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number } | undefined;
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean } | undefined;
  lifecycleHooks?: SimLifecycleHook[] | undefined;
};

/**
 * The simulated load balancer in front of a service: the production listener rule forwards to two weighted
 * target groups, the primary one (the serving revision) and the alternate one (a revision being shifted to).
 */
export type SimLoadBalancer = {
  targetGroupArn: string;
  alternateTargetGroupArn: string;
  productionListenerRule: string;
  roleArn: string;
  containerName: string;
  containerPort: number;
};

/** What a service has until an UpdateService configures its deployments, as with CreateService: circuit breaker off. */
const ECS_DEFAULT_CONFIGURATION: ServiceDeploymentConfiguration = {
  strategy: 'ROLLING',
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  deploymentCircuitBreaker: { enable: false, rollback: false },
};

export type SimService = {
  ref: SimulatedServiceRef;
  arn: string;
  clusterArn: string;
  desiredCount: number;
  configuration: ServiceDeploymentConfiguration;
  /** The PRIMARY deployment first, as ECS lists them. */
  deployments: SimDeployment[];
  tasks: SimTask[];
  /** Newest first, as DescribeServices returns them. */
  events: ServiceEvent[];
  lastCompletedTaskDefinitionArn: string;
  createdAt: Date;
  timer?: NodeJS.Timeout | undefined;
  /** Null: no load balancer, so no strategy that shifts traffic can deploy it. */
  loadBalancer: SimLoadBalancer | null;
  /** While traffic shifts: the share of production traffic (weight of the alternate target group) on that deployment. */
  shift: { deploymentId: string; percent: number; stepEndsAt: Date | null; step: number } | null;
};

export type ServiceShape = {
  desiredCount?: number | undefined;
  container?: string | undefined;
  image?: string | undefined;
  /** false: no load balancer in front of it (default true). */
  loadBalancer?: boolean | undefined;
};

/** How one of ECS's deployment strategies replaces a service's tasks, batch by batch. */
export type SimulatedStrategy =
  | {
      engine: EcsDeploymentEngine;
      /** This batch of the primary deployment: the running tasks to stop, and how many new tasks to start. */
      replace: (service: SimService, primary: SimDeployment) => { stop: SimTask[]; start: number };
    }
  | {
      engine: EcsDeploymentEngine;
      /**
       * The production traffic shifts once the new revision runs in full: each step's share on it, and how many
       * minutes it holds before the next (the last reaches 100 %).
       */
      shifts: (configuration: ServiceDeploymentConfiguration) => { percent: number; holdMinutes: number }[];
    };

type StoredTaskDefinition = { definition: TaskDefinition; tags: Tag[] };

const MAX_KEPT_EVENTS = 100;

/** ECS accepts a name or a full ARN wherever a cluster, service or task is referenced. */
export const nameOf = (reference: string): string => reference.slice(reference.lastIndexOf('/') + 1);

export const serviceKey = ({ cluster, service }: SimulatedServiceRef) => `${cluster}/${service}`;

export const isLive = (task: SimTask) => task.lastStatus !== 'STOPPED';

const changed = (task: SimTask, at: Date): void => {
  task.version += 1;
  task.updatedAt = at;
};

export const markRunning = (task: SimTask, at: Date): void => {
  task.lastStatus = 'RUNNING';
  task.healthStatus = 'HEALTHY';
  task.startedAt = at;
  task.readyAt = undefined;
  changed(task, at);
};

export const stopTask = (task: SimTask, reason: string, at: Date): void => {
  task.lastStatus = 'STOPPED';
  task.stoppedAt = at;
  task.stoppedReason = reason;
  task.readyAt = undefined;
  changed(task, at);
};

/** The task group ECS gives a service's tasks. */
const groupOf = (service: SimService): string => `service:${service.ref.service}`;

const desiredStatusOf = (task: SimTask): 'RUNNING' | 'STOPPED' => (isLive(task) ? 'RUNNING' : 'STOPPED');

/** What a service's task says of itself wherever ECS shows it: in DescribeTasks and in its state change events. */
export const taskIdentityOf = (service: SimService, task: SimTask) => ({
  taskArn: task.arn,
  clusterArn: service.clusterArn,
  taskDefinitionArn: task.taskDefinitionArn,
  group: groupOf(service),
  startedBy: task.deploymentId,
  launchType: 'FARGATE' as const,
  lastStatus: task.lastStatus,
  desiredStatus: desiredStatusOf(task),
});

export const addEvent = (service: SimService, message: string, at: Date): void => {
  service.events.unshift({ id: randomUUID(), createdAt: at, message: `(service ${service.ref.service}) ${message}` });
  service.events.length = Math.min(service.events.length, MAX_KEPT_EVENTS);
};

export const primaryOf = (service: SimService): SimDeployment => {
  const primary = service.deployments[0];
  if (!primary) throw new Error(`ECS SIMULATOR: service ${serviceKey(service.ref)} lost its primary deployment`);
  return primary;
};

export const newDeploymentId = (): string => {
  const digits = Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
  return `ecs-svc/${randomInt(1, 10)}${digits}`;
};

export class EcsModel {
  private readonly services = new Map<string, SimService>();
  private readonly families = new Map<string, StoredTaskDefinition[]>();
  /** Services whose new task definitions fail health checks, whatever their image. */
  private readonly unhealthyServices = new Set<string>();
  /** CloudWatch alarms by name, as the simulator's control route sets them; unknown ones are OK. */
  private readonly alarmStates = new Map<string, 'OK' | 'ALARM'>();

  constructor(private readonly place: { region: string; account: string }) {}

  allServices(): SimService[] {
    return [...this.services.values()];
  }

  setAlarm(name: string, state: 'OK' | 'ALARM'): void {
    this.alarmStates.set(name, state);
  }

  alarmsIn(names: readonly string[]): string[] {
    return names.filter((name) => this.alarmStates.get(name) === 'ALARM');
  }

  serviceDeploymentArn({ cluster, service }: SimulatedServiceRef, id: string): string {
    return `arn:aws:ecs:${this.place.region}:${this.place.account}:service-deployment/${cluster}/${service}/${id.replace('ecs-svc/', '')}`;
  }

  service(ref: SimulatedServiceRef): SimService | undefined {
    return this.services.get(serviceKey(ref));
  }

  serviceArn({ cluster, service }: SimulatedServiceRef) {
    return `arn:aws:ecs:${this.place.region}:${this.place.account}:service/${cluster}/${service}`;
  }

  /**
   * A service as a fresh app finds it: `desiredCount` healthy tasks of an initial task definition whose
   * family is the service name (reusing that family's latest revision when it exists already).
   */
  addService(ref: SimulatedServiceRef, shape: ServiceShape & { container: string; desiredCount: number }): SimService {
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
            {
              name: shape.container,
              image: shape.image ?? `simulator.local/${ref.service}:initial`,
              essential: true,
              environment: [],
              // As a typical Fargate service logs: what a one-off task of it prints is read back from these streams.
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': this.place.region, 'awslogs-stream-prefix': 'ecs' },
              },
            },
          ],
        },
        [],
      ).taskDefinition;
    const now = new Date();
    const taskDefinitionArn = taskDefinition.taskDefinitionArn ?? '';
    const id = newDeploymentId();
    const deployment: SimDeployment = {
      id,
      serviceDeploymentArn: this.serviceDeploymentArn(ref, id),
      serviceDeploymentStatus: 'SUCCESSFUL',
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
      clusterArn: `arn:aws:ecs:${this.place.region}:${this.place.account}:cluster/${ref.cluster}`,
      desiredCount: shape.desiredCount,
      configuration: ECS_DEFAULT_CONFIGURATION,
      deployments: [deployment],
      tasks: [],
      events: [],
      lastCompletedTaskDefinitionArn: taskDefinitionArn,
      createdAt: now,
      loadBalancer: shape.loadBalancer === false ? null : this.loadBalancerFor(ref, shape.container),
      shift: null,
    };
    for (let index = 0; index < service.desiredCount; index++) {
      const task = this.newTask(service, deployment, now);
      markRunning(task, now);
      // Tasks that were running before anyone watched: no events for them.
      task.reportedVersion = task.version;
    }
    this.services.set(serviceKey(ref), service);
    return service;
  }

  /** A load balancer set up for blue/green, linear and canary deployments, as a service created on first use has. */
  private loadBalancerFor({ cluster, service }: SimulatedServiceRef, containerName: string): SimLoadBalancer {
    const elb = `arn:aws:elasticloadbalancing:${this.place.region}:${this.place.account}`;
    const name = `${cluster}-${service}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 26);
    return {
      targetGroupArn: `${elb}:targetgroup/${name}-a/0000000000000001`,
      alternateTargetGroupArn: `${elb}:targetgroup/${name}-b/0000000000000002`,
      productionListenerRule: `${elb}:listener-rule/app/${name}/0000000000000003/0000000000000004/0000000000000005`,
      roleArn: `arn:aws:iam::${this.place.account}:role/ecsInfrastructureRoleForLoadBalancers`,
      containerName,
      containerPort: 8080,
    };
  }

  storeTaskDefinition(
    definition: Partial<TaskDefinition> & { family: string; containerDefinitions: ContainerDefinition[] },
    tags: Tag[],
  ): { taskDefinition: TaskDefinition; tags: Tag[] } {
    const revisions = this.families.get(definition.family) ?? [];
    const revision = revisions.length + 1;
    const taskDefinition: TaskDefinition = {
      ...definition,
      taskDefinitionArn: `arn:aws:ecs:${this.place.region}:${this.place.account}:task-definition/${definition.family}:${revision}`,
      revision,
      status: 'ACTIVE',
      compatibilities: definition.requiresCompatibilities ?? ['EC2'],
      registeredAt: new Date(),
      registeredBy: `arn:aws:iam::${this.place.account}:user/ecs-simulator`,
    };
    revisions.push({ definition: taskDefinition, tags });
    this.families.set(definition.family, revisions);
    return { taskDefinition, tags };
  }

  /** Accepts a full ARN, `family:revision`, or a bare family (its latest revision). */
  resolveTaskDefinition(reference: string): StoredTaskDefinition {
    const [family = '', revision] = nameOf(reference).split(':');
    const revisions = this.families.get(family) ?? [];
    const found = revision === undefined ? revisions.at(-1) : revisions[Number(revision) - 1];
    if (!found) throw new EcsApiError('ClientException', 'Unable to describe task definition.');
    return found;
  }

  imagesOf(taskDefinitionArn: string): string[] {
    const { definition } = this.resolveTaskDefinition(taskDefinitionArn);
    return (definition.containerDefinitions ?? []).map((container) => container.image?.toLowerCase() ?? '');
  }

  /**
   * false: every task definition other than the service's last completed one fails its health checks,
   * so the circuit breaker can roll back to a revision that still starts. true: health is up to the image.
   */
  setServiceHealth(ref: SimulatedServiceRef, healthy: boolean): void {
    if (healthy) this.unhealthyServices.delete(serviceKey(ref));
    else this.unhealthyServices.add(serviceKey(ref));
  }

  passesHealthChecks(service: SimService, task: SimTask): boolean {
    const imageSaysUnhealthy = this.imagesOf(task.taskDefinitionArn).some((image) => image.includes('unhealthy'));
    const serviceSaysUnhealthy =
      this.unhealthyServices.has(serviceKey(service.ref)) &&
      task.taskDefinitionArn !== service.lastCompletedTaskDefinitionArn;
    return !imageSaysUnhealthy && !serviceSaysUnhealthy;
  }

  newTask(service: SimService, deployment: SimDeployment, at: Date): SimTask {
    const id = randomBytes(16).toString('hex');
    const task: SimTask = {
      id,
      arn: `arn:aws:ecs:${this.place.region}:${this.place.account}:task/${service.ref.cluster}/${id}`,
      deploymentId: deployment.id,
      taskDefinitionArn: deployment.taskDefinitionArn,
      lastStatus: 'PENDING',
      healthStatus: 'UNKNOWN',
      createdAt: at,
      version: 1,
      updatedAt: at,
      reportedVersion: 0,
    };
    service.tasks.push(task);
    return task;
  }
}
