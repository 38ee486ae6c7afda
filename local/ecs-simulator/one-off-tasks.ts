import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ContainerDefinition, Failure, Task, TaskOverride } from '@aws-sdk/client-ecs';
import { EcsApiError, ecsEvent, nameOf, type EcsEventEnvelope, type EcsModel } from './model';

/**
 * The ECS SIMULATOR's one-off tasks (RunTask, DescribeTasks, StopTask and their "ECS Task State Change" events),
 * and the CloudWatch Logs their containers write through the awslogs driver (GetLogEvents), so the code that reads
 * a release phase's output is the code that reads it in AWS. No container runs: the image decides the script.
 *   an image containing `release-fails`  prints a few lines, then exits 1
 *   an image containing `release-slow`   prints a line every tick and never exits by itself (stop it, or time it out)
 *   any other image                      prints a few lines, then exits 0
 * A task moves PROVISIONING -> PENDING -> RUNNING -> STOPPED one tick at a time; its state at any moment follows
 * from when it was created, so with a state file the tasks outlive a restart of the simulator (as ECS outlives a
 * crash of Slipway) and go on where they were.
 */

export type OneOffTaskStateChangeEvent = EcsEventEnvelope<
  'ECS Task State Change',
  {
    taskArn: string;
    clusterArn: string;
    taskDefinitionArn: string;
    lastStatus: string;
    desiredStatus: string;
    startedBy: string | undefined;
    group: string;
    stoppedReason?: string | undefined;
    stopCode?: string | undefined;
    containers: { name: string; lastStatus: string; exitCode?: number | undefined; reason?: string | undefined }[];
    overrides: TaskOverride;
    updatedAt: string;
  }
>;

type Script = 'succeeds' | 'fails' | 'slow';

/** What is kept of a task: everything else follows from the clock. */
type OneOffTask = {
  id: string;
  arn: string;
  cluster: string;
  taskDefinitionArn: string;
  container: string;
  image: string;
  command: string[];
  startedBy: string | undefined;
  clientToken: string | undefined;
  overrides: TaskOverride;
  log: { group: string; stream: string } | null;
  script: Script;
  createdAt: number;
  /** Set by StopTask. */
  stopped: { at: number; reason: string } | null;
};

/** The ticks at which a task reaches each status, and how many lines its script prints before it exits. */
const PENDING_AT = 1;
const RUNNING_AT = 2;
const LINES_BEFORE_EXIT: Record<Exclude<Script, 'slow'>, number> = { succeeds: 4, fails: 3 };
const MAX_KEPT_STOPPED_TASKS = 100;
/** ECS answers a StopTask with SIGTERM; a container that exits on it reports 143. */
const STOPPED_BY_SIGNAL_EXIT_CODE = 143;

const scriptOf = (image: string): Script => {
  const lower = image.toLowerCase();
  return lower.includes('release-fails') ? 'fails' : lower.includes('release-slow') ? 'slow' : 'succeeds';
};

const lineOf = (task: OneOffTask, index: number): string => {
  if (index === 0) return `Running ${task.command.join(' ')} in ${task.image}`;
  if (task.script === 'slow') return `Still working (${index})...`;
  const total = LINES_BEFORE_EXIT[task.script];
  if (index < total - 1) return `Step ${index} of ${total - 2} done`;
  return task.script === 'fails' ? 'Error: the release phase failed' : 'Done';
};

export type OneOffTaskOptions = {
  region: string;
  account: string;
  tickMs: number;
  /** Where the tasks are kept across restarts; none: in memory only. */
  stateFile?: string | undefined;
  emit: (event: OneOffTaskStateChangeEvent) => void;
  log: (message: string) => void;
};

type Snapshot = {
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode: number | undefined;
  stoppedReason: string | undefined;
  stopCode: string | undefined;
  startedAt: number | undefined;
  stoppedAt: number | undefined;
  /** When each line it printed so far was printed. */
  lines: { at: number; text: string }[];
};

export class OneOffTasks {
  private readonly tasks = new Map<string, OneOffTask>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly model: EcsModel,
    private readonly options: OneOffTaskOptions,
  ) {
    for (const task of this.load()) {
      this.tasks.set(task.id, task);
      this.scheduleNext(task);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  runTask(input: Record<string, unknown>): { tasks: Task[]; failures: Failure[] } {
    const cluster = nameOf(typeof input.cluster === 'string' && input.cluster !== '' ? input.cluster : 'default');
    if (typeof input.taskDefinition !== 'string' || input.taskDefinition === '') {
      throw new EcsApiError('InvalidParameterException', 'taskDefinition is required.');
    }
    if (input.count !== undefined && input.count !== 1) {
      throw new EcsApiError('InvalidParameterException', 'The ECS simulator runs one task per RunTask call (count 1).');
    }
    const clientToken = typeof input.clientToken === 'string' ? input.clientToken : undefined;
    if (clientToken !== undefined && (clientToken.length === 0 || clientToken.length > 64)) {
      throw new EcsApiError('InvalidParameterException', 'clientToken must be 1 to 64 characters.');
    }
    const startedBy = typeof input.startedBy === 'string' ? input.startedBy : undefined;
    if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,128}$/.test(startedBy)) {
      throw new EcsApiError('InvalidParameterException', 'startedBy takes up to 128 letters, numbers, hyphens, forward slashes and underscores.');
    }
    // As ECS: the same client token is the same request, answered with the task it started.
    const earlier = clientToken === undefined ? undefined : [...this.tasks.values()].find((task) => task.clientToken === clientToken);
    if (earlier) return { tasks: [this.taskOutput(earlier)], failures: [] };

    const { definition } = this.model.resolveTaskDefinition(input.taskDefinition);
    const overrides = (input.overrides ?? {}) as TaskOverride;
    const containers = definition.containerDefinitions ?? [];
    const override = overrides.containerOverrides?.find((candidate) => candidate.command);
    const container: ContainerDefinition | undefined = containers.find((candidate) => candidate.name === override?.name) ?? containers[0];
    if (!container?.name || !container.image) throw new EcsApiError('ClientException', 'The task definition has no container to run.');
    if (override?.name && override.name !== container.name) {
      throw new EcsApiError('InvalidParameterException', `Override for container named ${override.name} is not a container in the TaskDefinition.`);
    }
    const id = randomBytes(16).toString('hex');
    const logOptions = container.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
    const task: OneOffTask = {
      id,
      arn: `arn:aws:ecs:${this.options.region}:${this.options.account}:task/${cluster}/${id}`,
      cluster,
      taskDefinitionArn: definition.taskDefinitionArn ?? '',
      container: container.name,
      image: container.image,
      command: override?.command ?? container.command ?? [],
      startedBy,
      clientToken,
      overrides,
      log:
        logOptions?.['awslogs-group'] && logOptions['awslogs-stream-prefix']
          ? { group: logOptions['awslogs-group'], stream: `${logOptions['awslogs-stream-prefix']}/${container.name}/${id}` }
          : null,
      script: scriptOf(container.image),
      createdAt: Date.now(),
      stopped: null,
    };
    this.tasks.set(id, task);
    this.forgetOldStoppedTasks();
    this.save();
    this.options.log(`ECS SIMULATOR: one-off task ${id} of ${nameOf(task.taskDefinitionArn)} started (${task.command.join(' ')})`);
    this.emit(task);
    this.scheduleNext(task);
    return { tasks: [this.taskOutput(task)], failures: [] };
  }

  /** A task this module ran, as DescribeTasks shows it; undefined for a task it does not know. */
  describe(cluster: string, reference: string): Task | undefined {
    const task = this.tasks.get(nameOf(reference));
    return task && task.cluster === cluster ? this.taskOutput(task) : undefined;
  }

  stopTask(input: Record<string, unknown>): { task: Task } {
    const cluster = nameOf(typeof input.cluster === 'string' && input.cluster !== '' ? input.cluster : 'default');
    const task = typeof input.task === 'string' ? this.tasks.get(nameOf(input.task)) : undefined;
    if (!task || task.cluster !== cluster) throw new EcsApiError('InvalidParameterException', 'The referenced task was not found.');
    if (this.snapshot(task).lastStatus !== 'STOPPED') {
      task.stopped = { at: Date.now(), reason: typeof input.reason === 'string' && input.reason !== '' ? input.reason : 'Task stopped by user' };
      this.save();
      clearTimeout(this.timers.get(task.id));
      this.options.log(`ECS SIMULATOR: one-off task ${task.id} stopped: ${task.stopped.reason}`);
      this.emit(task);
    }
    return { task: this.taskOutput(task) };
  }

  /** CloudWatch Logs' GetLogEvents on the streams the tasks' awslogs drivers write. */
  getLogEvents(input: Record<string, unknown>): { events: { timestamp: number; message: string; ingestionTime: number }[]; nextForwardToken: string; nextBackwardToken: string } {
    const task = [...this.tasks.values()].find((candidate) => candidate.log?.group === input.logGroupName && candidate.log?.stream === input.logStreamName);
    if (!task) throw new EcsApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const lines = this.snapshot(task).lines;
    const from = typeof input.nextToken === 'string' ? Number(input.nextToken.replace(/^f\//, '')) : 0;
    const limit = typeof input.limit === 'number' ? input.limit : 10_000;
    const page = lines.slice(from, from + limit);
    const next = `f/${from + page.length}`;
    return {
      events: page.map((line) => ({ timestamp: line.at, message: line.text, ingestionTime: line.at })),
      nextForwardToken: next,
      nextBackwardToken: `b/${from}`,
    };
  }

  /** ECS forgets stopped tasks after a while; the simulator keeps the newest few, so its state file stays small. */
  private forgetOldStoppedTasks(): void {
    const stopped = [...this.tasks.values()].filter((task) => this.snapshot(task).lastStatus === 'STOPPED');
    for (const task of stopped.slice(0, Math.max(0, stopped.length - MAX_KEPT_STOPPED_TASKS))) this.tasks.delete(task.id);
  }

  /** Where the task stands now, from when it was created (and stopped). */
  private snapshot(task: OneOffTask, now = Date.now()): Snapshot {
    const { tickMs } = this.options;
    const tick = (count: number) => task.createdAt + count * tickMs;
    const exitsAt = task.script === 'slow' ? Infinity : tick(RUNNING_AT + LINES_BEFORE_EXIT[task.script]);
    const end = Math.min(now, task.stopped?.at ?? Infinity, exitsAt);
    const startedAt = tick(RUNNING_AT) <= end ? tick(RUNNING_AT) : undefined;
    const lines: Snapshot['lines'] = [];
    for (let index = 0; startedAt !== undefined && tick(RUNNING_AT + index) <= end && tick(RUNNING_AT + index) < exitsAt; index++) {
      lines.push({ at: tick(RUNNING_AT + index), text: lineOf(task, index) });
    }
    if (task.stopped && task.stopped.at < exitsAt) {
      return {
        lastStatus: 'STOPPED',
        exitCode: startedAt === undefined ? undefined : STOPPED_BY_SIGNAL_EXIT_CODE,
        stoppedReason: task.stopped.reason,
        stopCode: 'UserInitiated',
        startedAt,
        stoppedAt: task.stopped.at,
        lines,
      };
    }
    if (now >= exitsAt) {
      return { lastStatus: 'STOPPED', exitCode: task.script === 'fails' ? 1 : 0, stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', startedAt, stoppedAt: exitsAt, lines };
    }
    const lastStatus = startedAt !== undefined ? 'RUNNING' : now >= tick(PENDING_AT) ? 'PENDING' : 'PROVISIONING';
    return { lastStatus, exitCode: undefined, stoppedReason: undefined, stopCode: undefined, startedAt, stoppedAt: undefined, lines };
  }

  /** A timer for the task's next change of status, whose event it sends. */
  private scheduleNext(task: OneOffTask): void {
    if (this.closed) return;
    const { lastStatus } = this.snapshot(task);
    if (lastStatus === 'STOPPED') return;
    const { tickMs } = this.options;
    const nextAt =
      lastStatus === 'PROVISIONING'
        ? task.createdAt + PENDING_AT * tickMs
        : lastStatus === 'PENDING'
          ? task.createdAt + RUNNING_AT * tickMs
          : task.script === 'slow'
            ? undefined
            : task.createdAt + (RUNNING_AT + LINES_BEFORE_EXIT[task.script]) * tickMs;
    if (nextAt === undefined) return;
    this.timers.set(
      task.id,
      setTimeout(() => {
        if (this.closed) return;
        // A timer may fire a millisecond before the clock says the status changed: it tells of nothing new then.
        if (this.snapshot(task).lastStatus !== lastStatus) this.emit(task);
        this.scheduleNext(task);
      }, Math.max(0, nextAt - Date.now())),
    );
  }

  private taskOutput(task: OneOffTask): Task {
    const state = this.snapshot(task);
    const at = (time: number | undefined) => (time === undefined ? undefined : new Date(time));
    return {
      taskArn: task.arn,
      clusterArn: this.clusterArn(task),
      taskDefinitionArn: task.taskDefinitionArn,
      startedBy: task.startedBy,
      group: `family:${nameOf(task.taskDefinitionArn).split(':')[0]}`,
      launchType: 'FARGATE',
      lastStatus: state.lastStatus,
      desiredStatus: state.lastStatus === 'STOPPED' || task.stopped ? 'STOPPED' : 'RUNNING',
      createdAt: new Date(task.createdAt),
      startedAt: at(state.startedAt),
      stoppedAt: at(state.stoppedAt),
      stoppedReason: state.stoppedReason,
      stopCode: state.stopCode as Task['stopCode'],
      overrides: task.overrides,
      containers: [
        {
          name: task.container,
          image: task.image,
          taskArn: task.arn,
          lastStatus: state.lastStatus,
          ...(state.exitCode === undefined ? {} : { exitCode: state.exitCode }),
        },
      ],
    };
  }

  private clusterArn(task: OneOffTask): string {
    return `arn:aws:ecs:${this.options.region}:${this.options.account}:cluster/${task.cluster}`;
  }

  private emit(task: OneOffTask): void {
    const output = this.taskOutput(task);
    const time = new Date().toISOString();
    this.options.emit(
      ecsEvent(
        'ECS Task State Change',
        this.options,
        [task.arn],
        {
          taskArn: task.arn,
          clusterArn: this.clusterArn(task),
          taskDefinitionArn: task.taskDefinitionArn,
          lastStatus: output.lastStatus ?? 'PROVISIONING',
          desiredStatus: output.desiredStatus ?? 'RUNNING',
          startedBy: task.startedBy,
          group: output.group ?? '',
          stoppedReason: output.stoppedReason,
          stopCode: output.stopCode,
          containers: (output.containers ?? []).map((container) => ({
            name: container.name ?? '',
            lastStatus: container.lastStatus ?? '',
            exitCode: container.exitCode,
          })),
          overrides: task.overrides,
          updatedAt: time,
        },
        time,
      ),
    );
  }

  private load(): OneOffTask[] {
    if (!this.options.stateFile) return [];
    try {
      return JSON.parse(readFileSync(this.options.stateFile, 'utf8')) as OneOffTask[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Written whole and renamed into place, so a kill -9 mid-write leaves the previous state. */
  private save(): void {
    if (!this.options.stateFile) return;
    const partial = `${this.options.stateFile}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify([...this.tasks.values()]));
    renameSync(partial, this.options.stateFile);
  }
}
