import { randomUUID } from 'node:crypto';
import {
  addEvent,
  ecsEvent,
  isLive,
  nameOf,
  newDeploymentId,
  primaryOf,
  serviceKey,
  stopTask,
  type BatchSnapshot,
  type DeploymentEventName,
  type EcsEvent,
  type EcsModel,
  type PauseStage,
  type SimDeployment,
  type SimService,
  type SimTask,
  type SimulatedStrategy,
} from './model';
import { blueGreen } from './strategies/blue-green';
import { canary } from './strategies/canary';
import { linear } from './strategies/linear';
import { rolling } from './strategies/rolling';
import { TaskLifecycle } from './task-lifecycle';
import type { EcsLifecycleStage } from '../../shared/domain/deployment-strategy';

/**
 * The ECS SIMULATOR's deployment engine, for a service with the ECS deployment controller: a deployment
 * starts, moves in batches on a timer (its strategy deciding which tasks each batch replaces), meets the
 * circuit breaker and the CloudWatch alarms it watches, and completes or fails, with the "ECS Deployment State
 * Change" events ECS sends. Blue/green, linear and canary go through ECS's lifecycle stages: the new revision
 * scales up in full beside the old one, production traffic shifts to it by weight (the service's `shift`), both
 * bake, then the old one stops; a failure shifts the traffic back and stops the new tasks.
 */

/** The strategies the simulator runs, by ECS's name for them. */
const STRATEGIES = new Map<string, SimulatedStrategy>([rolling, canary, linear, blueGreen].map((strategy) => [strategy.engine, strategy]));

export const simulatedStrategy = (engine: string): SimulatedStrategy | undefined => STRATEGIES.get(engine);

export type EngineOptions = {
  region: string;
  account: string;
  batchIntervalMs: number;
  /** The length of a simulated minute: every minute-valued setting (bake times) is counted in it. */
  minuteMs: number;
  /** The pace of a deployment whose image reference contains `slow`: a bad rollout that takes its time. */
  slowBatchIntervalMs: number;
  emit: (event: EcsEvent) => void;
  onBatch?: ((snapshot: BatchSnapshot) => void) | undefined;
  log: (message: string) => void;
};

const MAX_KEPT_STOPPED_TASKS = 100;

/** ContinueServiceDeployment named a hook that is not awaiting action (ECS answers ConflictException). */
export class HookNotAwaiting extends Error {
  constructor(readonly hookId: string) {
    super(`Lifecycle hook ${hookId} is not awaiting action.`);
  }
}

/** ECS's default circuit-breaker threshold: half the desired count, at least 3 and at most 200 failed tasks. */
const failureThreshold = (desiredCount: number): number =>
  Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));

export class DeploymentEngine {
  private closed = false;
  private readonly tasks: TaskLifecycle;

  constructor(
    private readonly model: EcsModel,
    private readonly options: EngineOptions,
  ) {
    this.tasks = new TaskLifecycle(model, options);
  }

  close(): void {
    this.closed = true;
    this.tasks.close();
    for (const service of this.model.allServices()) clearTimeout(service.timer);
  }

  startDeployment(service: SimService, taskDefinitionArn: string, reason?: string): SimDeployment {
    const now = new Date();
    const shifting = service.shift ? service.deployments.find((candidate) => candidate.id === service.shift?.deploymentId) : undefined;
    const id = newDeploymentId();
    // A new deployment replaces one shifting traffic: its traffic goes back to the revision it shifted from first.
    if (shifting) this.rollBackShift(service, shifting, `ECS deployment ${shifting.id} was replaced by ${id}.`, 'STOPPED', now);
    const source = primaryOf(service);
    for (const deployment of service.deployments) deployment.status = 'ACTIVE';
    const shifts = 'shifts' in this.strategyOf(service);
    const deployment: SimDeployment = {
      id,
      serviceDeploymentArn: this.model.serviceDeploymentArn(service.ref, id),
      serviceDeploymentStatus: 'IN_PROGRESS',
      ...(shifts ? { lifecycleStage: 'SCALE_UP' as const, stageSince: now, sourceId: source.id } : {}),
      status: 'PRIMARY',
      taskDefinitionArn,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
      createdAt: now,
      updatedAt: now,
    };
    service.deployments.unshift(deployment);
    if (shifts) service.shift = { deploymentId: id, percent: 0, stepEndsAt: null, step: -1 };
    // The next batch comes at the new deployment's pace, not at the one it replaces (a slow one's).
    clearTimeout(service.timer);
    service.timer = undefined;
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${id} of ${taskDefinitionArn} started`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    this.tasks.report(service);
    return deployment;
  }

  schedule(service: SimService): void {
    if (this.closed || service.timer || !this.needsBatch(service)) return;
    service.timer = setTimeout(() => this.runBatch(service), this.batchIntervalOf(service));
  }

  private batchIntervalOf(service: SimService): number {
    const slow = this.model.imagesOf(primaryOf(service).taskDefinitionArn).some((image) => image.includes('slow'));
    return slow ? this.options.slowBatchIntervalMs : this.options.batchIntervalMs;
  }

  private needsBatch(service: SimService): boolean {
    const primary = primaryOf(service);
    if (primary.rolloutState === 'IN_PROGRESS') return true;
    if (service.tasks.some((task) => task.lastStatus === 'PENDING')) return true;
    const primaryLive = service.tasks.filter((task) => isLive(task) && task.deploymentId === primary.id).length;
    return primary.rolloutState === 'COMPLETED' && primaryLive !== service.desiredCount;
  }

  /**
   * One batch, as ECS paces it: tasks started by the previous batch have passed or failed their health checks
   * (each at its own moment, the last ones now); the circuit breaker may fail the deployment; then the
   * strategy stops and starts tasks, unless the deployment failed without a rollback, which leaves the old
   * tasks serving.
   */
  private runBatch(service: SimService): void {
    service.timer = undefined;
    if (this.closed) return;
    const now = new Date();
    const failed = this.tasks.settleAll(service, now);

    let primary = primaryOf(service);
    const breaker = service.configuration.deploymentCircuitBreaker;
    const alarms = service.configuration.alarms;
    const triggered = alarms?.enable ? this.model.alarmsIn(alarms.alarmNames) : [];
    if (primary.rolloutState === 'IN_PROGRESS' && triggered.length > 0) {
      primary.triggeredAlarms = triggered;
      this.failDeployment(service, primary, now, `ECS deployment alarms: CloudWatch alarm ${triggered.join(', ')} went into ALARM.`);
      primary = primaryOf(service);
    } else if (primary.rolloutState === 'IN_PROGRESS' && breaker.enable && primary.failedTasks >= failureThreshold(service.desiredCount)) {
      this.failDeployment(service, primary, now, 'ECS deployment circuit breaker: tasks failed to start.', false, 'tasks failed to start.');
      primary = primaryOf(service);
    }

    const strategy = this.strategyOf(service);
    const { stop, start } =
      primary.rolloutState !== 'IN_PROGRESS' && !('replace' in strategy && primary.rolloutState === 'COMPLETED')
        ? { stop: [], start: 0 }
        : 'replace' in strategy
          ? strategy.replace(service, primary)
          : this.advanceShift(service, primary, strategy.shifts(service.configuration), now);
    for (const task of stop) stopTask(task, `Scaling activity initiated by (deployment ${primary.id})`, now);
    if (stop.length > 0) {
      addEvent(service, `has stopped ${stop.length} running tasks: ${stop.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    }
    const launched = Array.from({ length: start }, () => this.model.newTask(service, primary, now));
    if (start > 0) {
      addEvent(service, `has started ${start} tasks: ${launched.map((t) => `(task ${t.id})`).join(' ')}.`, now);
    }
    this.tasks.launched(service, launched, now, this.batchIntervalOf(service));
    // As in ECS, the tasks' changes are told before the deployment they complete.
    this.tasks.report(service);

    const desired = service.desiredCount;
    const live = service.tasks.filter(isLive);
    const runningNew = live.filter((task) => task.deploymentId === primary.id && task.lastStatus === 'RUNNING').length;
    const pendingNew = live.filter((task) => task.deploymentId === primary.id && task.lastStatus === 'PENDING').length;
    const runningOld = live.length - runningNew - pendingNew;
    if (primary.rolloutState === 'IN_PROGRESS' && runningNew === desired && pendingNew === 0 && runningOld === 0 && !primary.sourceId) {
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

  /**
   * One tick of a deployment that shifts traffic, through ECS's lifecycle stages: scale the new revision up in
   * full, (test traffic), shift production traffic step by step, bake, then stop the old revision and complete.
   */
  private advanceShift(
    service: SimService,
    primary: SimDeployment,
    shifts: { percent: number; holdMinutes: number }[],
    now: Date,
  ): { stop: SimTask[]; start: number } {
    const minutes = (count: number) => count * this.options.minuteMs;
    const live = service.tasks.filter((task) => isLive(task) && task.deploymentId === primary.id);
    const shift = service.shift?.deploymentId === primary.id ? service.shift : null;
    switch (primary.lifecycleStage) {
      case 'SCALE_UP': {
        if (live.length === service.desiredCount && live.every((task) => task.lastStatus === 'RUNNING')) {
          this.enterStage(service, primary, 'TEST_TRAFFIC_SHIFT', now);
        }
        return { stop: [], start: Math.max(0, service.desiredCount - live.length) };
      }
      case 'TEST_TRAFFIC_SHIFT':
        this.enterStage(service, primary, 'POST_TEST_TRAFFIC_SHIFT', now);
        break;
      case 'POST_TEST_TRAFFIC_SHIFT':
        this.enterStage(service, primary, 'PRODUCTION_TRAFFIC_SHIFT', now);
        break;
      case 'PRODUCTION_TRAFFIC_SHIFT': {
        if (!shift) break;
        if (shift.percent >= 100) {
          this.enterStage(service, primary, 'POST_PRODUCTION_TRAFFIC_SHIFT', now);
          break;
        }
        if (shift.stepEndsAt && now < shift.stepEndsAt) break;
        if (this.isHeld(service, primary, 'PRE_PRODUCTION_TRAFFIC_SHIFT', shift.step + 1, now)) break;
        const next = shifts[shift.step + 1] ?? { percent: 100, holdMinutes: 0 };
        shift.step += 1;
        shift.percent = next.percent;
        shift.stepEndsAt = new Date(now.getTime() + minutes(next.holdMinutes));
        addEvent(service, `(deployment ${primary.id}) production listener rule: ${next.percent} % of traffic to the alternate target group.`, now);
        this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${primary.id} takes ${next.percent} % of production traffic`);
        break;
      }
      case 'POST_PRODUCTION_TRAFFIC_SHIFT':
        if (this.isHeld(service, primary, 'POST_PRODUCTION_TRAFFIC_SHIFT', shift?.step ?? 0, now)) break;
        this.enterStage(service, primary, 'BAKE_TIME', now);
        break;
      case 'BAKE_TIME':
        if (now.getTime() - (primary.stageSince?.getTime() ?? 0) >= minutes(service.configuration.bakeTimeInMinutes ?? 0)) {
          this.enterStage(service, primary, 'CLEAN_UP', now);
          const old = service.tasks.filter((task) => isLive(task) && task.deploymentId !== primary.id);
          return { stop: old, start: 0 };
        }
        break;
      case 'CLEAN_UP':
        service.shift = null;
        primary.sourceId = undefined;
        this.completeDeployment(service, primary, now);
        break;
      default:
        break;
    }
    return { stop: [], start: 0 };
  }

  /**
   * Whether PAUSE hooks hold the deployment at `stage` (before shift step `step`, or after the last): the first
   * time it gets there, each hook configured for the stage starts awaiting ContinueServiceDeployment, with its
   * "ECS Hook State Change" event; the hold ends when every hook continued or timed out with CONTINUE. A hook
   * that times out with ROLLBACK fails the deployment, which ECS then rolls back.
   */
  private isHeld(service: SimService, deployment: SimDeployment, stage: PauseStage, step: number, now: Date): boolean {
    const key = `${stage}:${step}`;
    if (deployment.holdsPassed?.includes(key)) return false;
    const configured = (service.configuration.lifecycleHooks ?? []).filter((hook) => hook.lifecycleStages.includes(stage));
    if (!deployment.hooks) {
      if (configured.length === 0) return false;
      deployment.hooks = configured.map((hook) => ({
        hookId: `ecs-pause-${randomUUID()}`,
        targetType: 'PAUSE' as const,
        stage,
        status: 'AWAITING_ACTION' as const,
        expiresAt: new Date(now.getTime() + (hook.timeoutConfiguration?.timeoutInMinutes ?? 1440) * this.options.minuteMs),
        timeoutAction: hook.timeoutConfiguration?.action ?? 'ROLLBACK',
      }));
      deployment.updatedAt = now;
      addEvent(service, `(deployment ${deployment.id}) paused at ${stage}: ${deployment.hooks.length} lifecycle hook(s) await action.`, now);
      this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} paused at ${stage} (step ${step})`);
      for (const hook of deployment.hooks) this.emitHook(service, deployment, hook.hookId, stage, hook.expiresAt);
    }
    for (const hook of deployment.hooks.filter((candidate) => candidate.status === 'AWAITING_ACTION' && candidate.expiresAt <= now)) {
      hook.status = 'TIMED_OUT';
      if (hook.timeoutAction === 'ROLLBACK') {
        this.failDeployment(service, deployment, now, `Lifecycle hook ${hook.hookId} timed out at ${stage}; ECS rolled the deployment back.`, true);
        return true;
      }
    }
    if (deployment.hooks.some((hook) => hook.status === 'AWAITING_ACTION')) return true;
    deployment.holdsPassed = [...(deployment.holdsPassed ?? []), key];
    deployment.hooks = undefined;
    return false;
  }

  /**
   * ContinueServiceDeployment on a PAUSE hook awaiting action: CONTINUE releases it (the deployment moves on once
   * every hook of the hold did), ROLLBACK fails the deployment and ECS rolls it back. The next batch comes at once.
   */
  continueDeployment(service: SimService, deployment: SimDeployment, hookId: string, action: 'CONTINUE' | 'ROLLBACK'): void {
    const hook = deployment.hooks?.find((candidate) => candidate.hookId === hookId);
    if (hook?.status !== 'AWAITING_ACTION' || deployment.rolloutState !== 'IN_PROGRESS') throw new HookNotAwaiting(hookId);
    const now = new Date();
    hook.status = action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED';
    deployment.updatedAt = now;
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} hook ${hookId} ${action}`);
    if (action === 'ROLLBACK') {
      this.failDeployment(service, deployment, now, `ECS deployment ${deployment.id} was rolled back at lifecycle hook ${hookId} (ContinueServiceDeployment ROLLBACK).`, true);
    }
    clearTimeout(service.timer);
    service.timer = undefined;
    if (!this.closed && this.needsBatch(service)) service.timer = setTimeout(() => this.runBatch(service), 0);
  }

  private enterStage(service: SimService, deployment: SimDeployment, stage: EcsLifecycleStage, at: Date): void {
    deployment.lifecycleStage = stage;
    deployment.stageSince = at;
    deployment.updatedAt = at;
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} in ${stage}`);
  }

  /**
   * Ends a deployment that shifts traffic without completing it: all production traffic back on the revision it
   * shifted from (which never stopped), the new tasks stopped, and that revision the service's primary again.
   */
  private rollBackShift(
    service: SimService,
    deployment: SimDeployment,
    reason: string,
    status: 'STOPPED' | 'ROLLBACK_SUCCESSFUL',
    at: Date,
  ): void {
    const source = service.deployments.find((candidate) => candidate.id === deployment.sourceId);
    service.shift = null;
    for (const hook of deployment.hooks ?? []) if (hook.status === 'AWAITING_ACTION') hook.status = 'FAILED';
    for (const task of service.tasks.filter((candidate) => isLive(candidate) && candidate.deploymentId === deployment.id)) {
      stopTask(task, `Rolled back (deployment ${deployment.id})`, at);
    }
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = reason;
    deployment.serviceDeploymentStatus = status;
    deployment.finishedAt = at;
    deployment.updatedAt = at;
    deployment.status = 'ACTIVE';
    if (source) {
      deployment.rollback = { reason, startedAt: at, taskDefinitionArn: source.taskDefinitionArn };
      source.status = 'PRIMARY';
      service.deployments = [source, ...service.deployments.filter((candidate) => candidate !== source)];
    }
    addEvent(service, `(deployment ${deployment.id}) deployment failed: ${reason} All production traffic is back on the previous revision.`, at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} ${status}: ${reason}`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_FAILED');
  }

  /** StopServiceDeployment with ROLLBACK: a deployment in progress is failed and rolled back, as its strategy rolls back. */
  stopDeployment(service: SimService, deployment: SimDeployment): void {
    if (deployment.rolloutState !== 'IN_PROGRESS') return;
    this.failDeployment(service, deployment, new Date(), `ECS deployment ${deployment.id} was stopped (StopServiceDeployment ROLLBACK).`, true);
    this.tasks.report(service);
    this.schedule(service);
  }

  private strategyOf(service: SimService): SimulatedStrategy {
    const strategy = simulatedStrategy(service.configuration.strategy);
    if (!strategy) throw new Error(`ECS SIMULATOR: service ${serviceKey(service.ref)} has the unsimulated strategy ${service.configuration.strategy}`);
    return strategy;
  }

  private failDeployment(service: SimService, deployment: SimDeployment, at: Date, reason: string, forceRollback = false, event = reason): void {
    if (deployment.sourceId) {
      this.rollBackShift(service, deployment, reason, 'ROLLBACK_SUCCESSFUL', at);
      return;
    }
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = reason;
    deployment.serviceDeploymentStatus = 'ROLLBACK_SUCCESSFUL';
    deployment.finishedAt = at;
    deployment.updatedAt = at;
    addEvent(service, `(deployment ${deployment.id}) deployment failed: ${event}`, at);
    this.options.log(`ECS SIMULATOR: ${serviceKey(service.ref)} deployment ${deployment.id} FAILED: ${reason}`);
    this.emit(service, deployment, 'SERVICE_DEPLOYMENT_FAILED');
    const rollbackTo = service.lastCompletedTaskDefinitionArn;
    const rollsBack = forceRollback || service.configuration.deploymentCircuitBreaker.rollback || service.configuration.alarms?.rollback === true;
    if (!rollsBack || rollbackTo === deployment.taskDefinitionArn) return;
    deployment.rollback = { reason, startedAt: at, taskDefinitionArn: rollbackTo };
    const rollback = this.startDeployment(
      service,
      rollbackTo,
      `ECS deployment circuit breaker: rolling back to task definition ${nameOf(rollbackTo)}.`,
    );
    addEvent(service, `rolling back to deployment ${rollback.id}.`, at);
  }

  private completeDeployment(service: SimService, deployment: SimDeployment, at: Date): void {
    deployment.rolloutState = 'COMPLETED';
    deployment.serviceDeploymentStatus = 'SUCCESSFUL';
    deployment.finishedAt = at;
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

  private emitHook(service: SimService, deployment: SimDeployment, hookId: string, stage: PauseStage, expiresAt: Date): void {
    this.options.emit(
      ecsEvent(
        'ECS Hook State Change',
        this.options,
        [service.arn],
        {
          eventName: 'HOOK_AWAITING_ACTION',
          hookId,
          lifecycleStage: stage,
          deploymentId: deployment.id,
          serviceDeploymentArn: deployment.serviceDeploymentArn,
          expiresAt: expiresAt.toISOString(),
        },
        deployment.updatedAt.toISOString(),
      ),
    );
  }

  private emit(service: SimService, deployment: SimDeployment, eventName: DeploymentEventName): void {
    const time = deployment.updatedAt.toISOString();
    this.options.emit(
      ecsEvent(
        'ECS Deployment State Change',
        this.options,
        [service.arn],
        {
          eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
          eventName,
          deploymentId: deployment.id,
          updatedAt: time,
          reason: deployment.rolloutStateReason,
        },
        time,
      ),
    );
  }
}
