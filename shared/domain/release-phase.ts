/**
 * Rules of a release phase (Heroku's name): a command an app declares once, run as a one-off task of each new
 * release's own task definition revision before any of its tasks serves, whose exit code decides whether the
 * deployment starts at all.
 */

/** What an app declares (`release_phase` on the app; absent: none). */
export type ReleasePhaseSettings = {
  /** The app container's command in the one-off task (ECS's command override: an argv, not a shell line). */
  command: string[];
  /** Past this the task is stopped and the release fails; counted in ECS minutes (the simulator's, locally). */
  timeout_minutes: number;
  /** Whether rollbacks run it too; off by default, as a rescue must not be held back by a migration. */
  on_rollback: boolean;
};

export const RELEASE_PHASE_BOUNDS = {
  timeoutMinutes: { min: 1, max: 120, default: 60 },
  /** ECS's container override is bounded by RunTask's 8 KiB of overrides; a command's parts stay well within. */
  commandParts: { min: 1, max: 64 },
  commandPartLength: 1024,
} as const;

export const RELEASE_PHASE_STATUSES = ['running', 'succeeded', 'failed', 'timed_out', 'skipped'] as const;
type ReleasePhaseStatus = (typeof RELEASE_PHASE_STATUSES)[number];

/** Where the one-off task's container logs, as its task definition's awslogs configuration names it. */
export type LogStream = { group: string; stream: string; region: string | null };

/** A release's run of its app's release phase, as the rollout records it on the release. */
export type ReleasePhaseRun = {
  status: ReleasePhaseStatus;
  /** The settings it ran with: the app's when the release's rollout began. */
  command: string[];
  timeout_minutes: number;
  exit_code: number | null;
  /** When RunTask started it (null until then, and for a skipped one). */
  started_at: string | null;
  finished_at: string | null;
  task_arn: string | null;
  /** The cluster the task runs in, for the steps that look it up again. */
  cluster: string | null;
  /** Null: its container logs nowhere Slipway can read (not with awslogs, or awslogs without a stream prefix). */
  log: LogStream | null;
  /** Why it ended when it did not end with exit code 0, in the words the release's rollout message shows. */
  reason: string | null;
};

/**
 * The release phase a release's rollout runs, as the Deploy step records it: none when the app declares none;
 * `skipped` for a rollback unless the app asks rollbacks to run it; otherwise `running` (not started yet: its
 * task ARN comes once RunTask answered).
 */
export const planReleasePhase = (
  settings: ReleasePhaseSettings | null | undefined,
  release: { isRollback: boolean },
  now: string,
): ReleasePhaseRun | null => {
  if (!settings) return null;
  const skipped = release.isRollback && !settings.on_rollback;
  return {
    status: skipped ? 'skipped' : 'running',
    command: settings.command,
    timeout_minutes: settings.timeout_minutes,
    exit_code: null,
    started_at: null,
    finished_at: skipped ? now : null,
    task_arn: null,
    cluster: null,
    log: null,
    reason: skipped ? 'Rollbacks skip the release phase (on_rollback is false).' : null,
  };
};

/** Whether a release's rollout still has its release phase to run or to wait for (so no deployment has started). */
export const isInReleasePhase = (release: { status: string; release_phase?: ReleasePhaseRun | null | undefined }): boolean =>
  release.status === 'pending' && release.release_phase?.status === 'running';

/** The part of a stopped (or still running) one-off task that decides the release phase's outcome. */
export type OneOffTaskState = {
  lastStatus: string;
  /** The app container's exit code; absent when it never ran or was killed without one. */
  exitCode: number | null;
  stoppedReason: string | null;
};

export type ReleasePhaseOutcome = { status: Exclude<ReleasePhaseStatus, 'running' | 'skipped'>; exit_code: number | null; reason: string | null };

/** When the release phase times out, from when its task started. */
export const releasePhaseDeadline = (run: Pick<ReleasePhaseRun, 'started_at' | 'timeout_minutes'>, minuteMs: number): Date | null =>
  run.started_at === null ? null : new Date(Date.parse(run.started_at) + run.timeout_minutes * minuteMs);

/** The message a release that failed its release phase shows. */
export const timedOutReason = (timeoutMinutes: number): string => `release phase timed out after ${timeoutMinutes} min`;

/**
 * How the release phase ended, from its task: exit code 0 passes; any other exit code, or a task that stopped
 * without one (out of memory, an image that could not be pulled), fails. Null while the task still runs.
 */
export const outcomeOfTask = (task: OneOffTaskState): ReleasePhaseOutcome | null => {
  if (task.lastStatus !== 'STOPPED') return null;
  if (task.exitCode === 0) return { status: 'succeeded', exit_code: 0, reason: null };
  if (task.exitCode !== null) return { status: 'failed', exit_code: task.exitCode, reason: `release phase exited ${task.exitCode}` };
  return { status: 'failed', exit_code: null, reason: `release phase stopped without an exit code: ${task.stoppedReason ?? 'no reason given'}` };
};

/** The release's record once its release phase ended (a timed-out task keeps the exit code it was stopped with out of it). */
export const finishedRun = (run: ReleasePhaseRun, outcome: ReleasePhaseOutcome, at: string): ReleasePhaseRun => ({
  ...run,
  status: outcome.status,
  exit_code: outcome.exit_code,
  reason: outcome.reason,
  finished_at: at,
});

/**
 * A release settled while its release phase still counted as running (a step that failed for good, an execution
 * that ended): the run ends failed with the release's reason, so the two never disagree.
 */
export const endedWithRelease = (run: ReleasePhaseRun | null | undefined, reason: string | null, at: string): ReleasePhaseRun | undefined =>
  run?.status === 'running' ? finishedRun(run, { status: 'failed', exit_code: null, reason }, at) : undefined;

/**
 * ECS's `startedBy` for a release's one-off task (letters, digits, `-`, `/`, `_`; at most 128): names the release,
 * so the task is found again, and marks the task as a release phase for the EventBridge rule's filter.
 */
export const RELEASE_PHASE_STARTED_BY_PREFIX = 'slipway/release-phase/';
export const startedByOf = (releaseId: string): string => `${RELEASE_PHASE_STARTED_BY_PREFIX}${releaseId}`;

/** Where ECS's awslogs driver writes a task's container: `prefix/container/task-id` (only with a stream prefix). */
export const awslogsStreamOf = (
  logConfiguration: { logDriver?: string | undefined; options?: Record<string, string> | undefined } | undefined,
  container: string,
  taskArn: string,
): LogStream | null => {
  if (logConfiguration?.logDriver !== 'awslogs') return null;
  const group = logConfiguration.options?.['awslogs-group'];
  const prefix = logConfiguration.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return null;
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  return { group, stream: `${prefix}/${container}/${taskId}`, region: logConfiguration.options?.['awslogs-region'] ?? null };
};

/**
 * Whether a release phase's output is all there: it ended, and a sixth of a minute has passed for the log driver's
 * last lines to be ingested (CloudWatch Logs takes a few seconds after the container exits).
 */
export const isOutputComplete = (run: Pick<ReleasePhaseRun, 'status' | 'finished_at'>, now: Date, minuteMs: number): boolean =>
  run.status !== 'running' && (run.finished_at === null || now.getTime() - Date.parse(run.finished_at) >= minuteMs / 6);
