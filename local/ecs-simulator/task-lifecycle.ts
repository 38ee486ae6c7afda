import {
  ecsEvent,
  taskIdentityOf,
  markRunning,
  stopTask,
  type EcsModel,
  type SimService,
  type SimTask,
  type TaskStateChangeEvent,
} from './model';

/**
 * The ECS SIMULATOR's tasks between their launch and their health verdict, and the "ECS Task State Change"
 * events ECS sends as they change. Real tasks launched together come up one by one (image pull, network
 * interface, container start and health-check grace differ per task), so each new task gets its own moment
 * within the batch interval that follows its launch and turns RUNNING (or fails its health checks) then, on
 * its own; the engine's next batch, the scheduler's deadline, finds every one of them settled.
 */

/**
 * When each of `count` tasks launched together at `launchedAt` settles: a random moment within its own share
 * of the `withinMs` that follow, so they settle apart and in turn, all before the next batch.
 */
const readinessTimes = (count: number, launchedAt: Date, withinMs: number, random: () => number = Math.random): Date[] =>
  Array.from({ length: count }, (_, index) => new Date(launchedAt.getTime() + (withinMs * (index + 0.2 + 0.6 * random())) / count));

export class TaskLifecycle {
  private readonly timers = new Map<SimService, NodeJS.Timeout>();
  /** Health-check failures since the service's last batch, which that batch's snapshot reports. */
  private readonly failedSinceBatch = new Map<SimService, number>();
  private closed = false;

  constructor(
    private readonly model: EcsModel,
    private readonly options: { region: string; account: string; emit: (event: TaskStateChangeEvent) => void },
  ) {}

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** New tasks of a batch: each settles at its own moment within `withinMs`. */
  launched(service: SimService, tasks: SimTask[], at: Date, withinMs: number): void {
    readinessTimes(tasks.length, at, withinMs).forEach((readyAt, index) => {
      const task = tasks[index];
      if (task) task.readyAt = readyAt;
    });
    this.arm(service);
  }

  /**
   * The batch's deadline: every task still PENDING passes or fails its health checks now. Returns how many
   * tasks failed them since the previous batch.
   */
  settleAll(service: SimService, now: Date): number {
    this.settle(service, service.tasks.filter((task) => task.lastStatus === 'PENDING'), now);
    const failed = this.failedSinceBatch.get(service) ?? 0;
    this.failedSinceBatch.delete(service);
    return failed;
  }

  /** Sends a task state change event for every task that changed since it was last reported. */
  report(service: SimService): void {
    for (const task of service.tasks.filter((candidate) => candidate.version > candidate.reportedVersion)) {
      task.reportedVersion = task.version;
      this.options.emit(this.eventOf(service, task));
    }
  }

  private settle(service: SimService, tasks: SimTask[], now: Date): void {
    for (const task of tasks) {
      if (this.model.passesHealthChecks(service, task)) {
        markRunning(task, now);
        continue;
      }
      task.healthStatus = 'UNHEALTHY';
      stopTask(task, 'Task failed container health checks', now);
      const owner = service.deployments.find((deployment) => deployment.id === task.deploymentId);
      if (owner) owner.failedTasks++;
      this.failedSinceBatch.set(service, (this.failedSinceBatch.get(service) ?? 0) + 1);
    }
  }

  /** One timer per service, at the next moment a pending task settles. */
  private arm(service: SimService): void {
    clearTimeout(this.timers.get(service));
    this.timers.delete(service);
    const next = Math.min(...service.tasks.flatMap((task) => (task.lastStatus === 'PENDING' && task.readyAt ? [task.readyAt.getTime()] : [])));
    if (this.closed || !Number.isFinite(next)) return;
    const timer = setTimeout(() => {
      this.timers.delete(service);
      const now = new Date();
      this.settle(service, service.tasks.filter((task) => task.lastStatus === 'PENDING' && task.readyAt && task.readyAt <= now), now);
      this.report(service);
      this.arm(service);
    }, Math.max(0, next - Date.now()));
    this.timers.set(service, timer);
  }

  private eventOf(service: SimService, task: SimTask): TaskStateChangeEvent {
    const time = task.updatedAt.toISOString();
    return ecsEvent(
      'ECS Task State Change',
      this.options,
      [task.arn],
      {
        ...taskIdentityOf(service, task),
        createdAt: task.createdAt.toISOString(),
        ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
        ...(task.stoppedAt ? { stoppedAt: task.stoppedAt.toISOString() } : {}),
        ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
        updatedAt: time,
        version: task.version,
      },
      time,
    );
  }
}
