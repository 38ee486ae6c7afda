import { randomUUID } from 'node:crypto';
import {
  addEvent,
  isLive,
  markRunning,
  nameOf,
  newDeploymentId,
  primaryOf,
  serviceKey,
  stopTask,
  type BatchSnapshot,
  type DeploymentEventName,
  type DeploymentStateChangeEvent,
  type EcsModel,
  type SimDeployment,
  type SimService,
  type SimulatedStrategy,
} from './model';
import { rolling } from './strategies/rolling';

/**
 * The ECS SIMULATOR's deployment engine, for a service with the ECS deployment controller: a deployment
 * starts, moves in batches on a timer (its strategy deciding which tasks each batch replaces), meets the
 * circuit breaker, and completes or fails, with the "ECS Deployment State Change" events ECS sends.
 */

/** The strategies the simulator runs, by ECS's name for them. */
const STRATEGIES = new Map<string, SimulatedStrategy>([rolling].map((strategy) => [strategy.engine, strategy]));

export const simulatedStrategy = (engine: string): SimulatedStrategy | undefined => STRATEGIES.get(engine);

export type EngineOptions = {
  region: string;
  account: string;
  batchIntervalMs: number;
  /** The pace of a deployment whose image reference contains `slow`: a bad rollout that takes its time. */
  slowBatchIntervalMs: number;
  emit: (event: DeploymentStateChangeEvent) => void;
  onBatch?: ((snapshot: BatchSnapshot) => void) | undefined;
  log: (message: string) => void;
};

const MAX_KEPT_STOPPED_TASKS = 100;

/** ECS's default circuit-breaker threshold: half the desired count, at least 3 and at most 200 failed tasks. */
const failureThreshold = (desiredCount: number): number =>
  Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));

export class DeploymentEngine {
  private closed = false;

  constructor(
    private readonly model: EcsModel,
    private readonly options: EngineOptions,
  ) {}

  close(): void {
    this.closed = true;
    for (const service of this.model.allServices()) clearTimeout(service.timer);
  }

  startDeployment(service: SimService, taskDefinitionArn: string, reason?: string): SimDeployment {
    const now = new Date();
    for (const deployment of service.deployments) deployment.status = 'ACTIVE';
    const id = newDeploymentId();
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

  schedule(service: SimService): void {
    if (this.closed || service.timer || !this.needsBatch(service)) return;
    const slow = this.model.imagesOf(primaryOf(service).taskDefinitionArn).some((image) => image.includes('slow'));
    service.timer = setTimeout(() => this.runBatch(service), slow ? this.options.slowBatchIntervalMs : this.options.batchIntervalMs);
  }

  private needsBatch(service: SimService): boolean {
    const primary = primaryOf(service);
    if (primary.rolloutState === 'IN_PROGRESS') return true;
    if (service.tasks.some((task) => task.lastStatus === 'PENDING')) return true;
    const primaryLive = service.tasks.filter((task) => isLive(task) && task.deploymentId === primary.id).length;
    return primary.rolloutState === 'COMPLETED' && primaryLive !== service.desiredCount;
  }

  /**
   * One batch, as ECS paces it: tasks started by the previous batch pass or fail their health checks; the
   * circuit breaker may fail the deployment; then the strategy stops and starts tasks, unless the
   * deployment failed without a rollback, which leaves the old tasks serving.
   */
  private runBatch(service: SimService): void {
    service.timer = undefined;
    if (this.closed) return;
    const now = new Date();
    const deploymentsById = new Map(service.deployments.map((deployment) => [deployment.id, deployment]));
    let failed = 0;
    for (const task of service.tasks.filter((candidate) => candidate.lastStatus === 'PENDING')) {
      if (this.model.passesHealthChecks(service, task)) {
        markRunning(task, now);
        continue;
      }
      task.healthStatus = 'UNHEALTHY';
      stopTask(task, 'Task failed container health checks', now);
      const owner = deploymentsById.get(task.deploymentId);
      if (owner) owner.failedTasks++;
      failed++;
    }

    let primary = primaryOf(service);
    const breaker = service.configuration.deploymentCircuitBreaker;
    if (primary.rolloutState === 'IN_PROGRESS' && breaker.enable && primary.failedTasks >= failureThreshold(service.desiredCount)) {
      this.failDeployment(service, primary, now);
      primary = primaryOf(service);
    }

    const { stop, start } = primary.rolloutState === 'FAILED' ? { stop: [], start: 0 } : this.strategyOf(service).replace(service, primary);
    for (const task of stop) stopTask(task, `Scaling activity initiated by (deployment ${primary.id})`, now);
    if (stop.length > 0) {
      addEvent(service, `has stopped ${stop.length} running tasks: ${stop.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    }
    const launched = Array.from({ length: start }, () => this.model.newTask(service, primary, now));
    if (start > 0) {
      addEvent(service, `has started ${start} tasks: ${launched.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    }

    const desired = service.desiredCount;
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
      started: start,
      stopped: stop.length,
      failed,
    });
    this.schedule(service);
  }

  private strategyOf(service: SimService): SimulatedStrategy {
    const strategy = simulatedStrategy(service.configuration.strategy);
    if (!strategy) throw new Error(`ECS SIMULATOR: service ${serviceKey(service.ref)} has the unsimulated strategy ${service.configuration.strategy}`);
    return strategy;
  }

  private failDeployment(service: SimService, deployment: SimDeployment, at: Date): void {
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    deployment.updatedAt = at;
    addEvent(service, `(deployment ${deployment.id}) deployment failed: tasks failed to start.`, at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} FAILED (circuit breaker)`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_FAILED');
    const rollbackTo = service.lastCompletedTaskDefinitionArn;
    if (!service.configuration.deploymentCircuitBreaker.rollback || rollbackTo === deployment.taskDefinitionArn) return;
    const rollback = this.startDeployment(
      service,
      rollbackTo,
      `ECS deployment circuit breaker: rolling back to task definition ${nameOf(rollbackTo)}.`,
    );
    addEvent(service, `rolling back to deployment ${rollback.id}.`, at);
  }

  private completeDeployment(service: SimService, deployment: SimDeployment, at: Date): void {
    deployment.rolloutState = 'COMPLETED';
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.updatedAt = at;
    service.lastCompletedTaskDefinitionArn = deployment.taskDefinitionArn;
    // Replaced deployments have drained by now; ECS drops them from the service.
    service.deployments = [deployment];
    addEvent(service, `(deployment ${deployment.id}) deployment completed.`, at);
    addEvent(service, 'has reached a steady state.', at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} COMPLETED`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_COMPLETED');
  }

  private pruneStoppedTasks(service: SimService): void {
    const stopped = service.tasks.filter((task) => !isLive(task));
    if (stopped.length <= MAX_KEPT_STOPPED_TASKS) return;
    const dropped = new Set(stopped.slice(0, stopped.length - MAX_KEPT_STOPPED_TASKS));
    service.tasks = service.tasks.filter((task) => !dropped.has(task));
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
}
