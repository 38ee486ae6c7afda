import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { config } from '../config/config';
import type { Release } from '../domain/model';
import {
  finishedRun,
  outcomeOfTask,
  releasePhaseDeadline,
  timedOutReason,
  type OneOffTaskState,
  type ReleasePhaseOutcome,
  type ReleasePhaseRun,
  RELEASE_PHASE_STARTED_BY_PREFIX,
} from '../domain/release-phase';
import { isSettled, lockExpiry, mergeProgress } from '../domain/rollout';
import { describeOneOffTask, runReleasePhaseTask, stopOneOffTask, taskStateOf } from '../ecs/one-off-task';
import { findAppById } from '../store/apps-store';
import { deleteReleasePhaseWatch, findReleasePhaseWatch, putReleasePhaseWatch } from '../store/release-phase-store';
import { findReleaseByVersion, mutateRelease } from '../store/releases-store';
import { extendLockHold } from '../store/rollout-store';
import { DeployPlan, RolloutInput, type DeploymentResult } from './contract';
import { sendTaskResult } from './sfn';

/**
 * The rollout's ReleasePhase step and the ECS task events that end it: the release's one-off task is started once
 * (RunTask's clientToken is the release id, and its ARN is kept on the release), its token parked under the task's
 * ARN for the event handler, and its outcome recorded on the release before the rollout is resumed with it. Run
 * again (a poll, a retry, a rerun after a crash), the step finds the task and its outcome instead of starting another.
 */

export const ReleasePhaseStepInput = builtOnFirstUse(() =>
  z.object({ rollout: RolloutInput(), deploy: DeployPlan(), taskToken: z.string().check(z.minLength(1)) }),
);
export type ReleasePhaseStepInput = z.infer<ReturnType<typeof ReleasePhaseStepInput>>;

/** The EventBridge rule's pattern: only stopped tasks Slipway started as release phases (see startedByOf). */
export const RELEASE_PHASE_TASK_EVENT_PATTERN = { source: ['aws.ecs'], detailType: ['ECS Task State Change'] } as const;

/** The rule's detail filter, and the same filter for the local simulator's events. */
export const RELEASE_PHASE_TASK_DETAIL = { lastStatus: 'STOPPED', startedByPrefix: RELEASE_PHASE_STARTED_BY_PREFIX } as const;
export const releasePhaseTaskEventMatches = (detail: { lastStatus?: unknown; startedBy?: unknown }): boolean =>
  detail.lastStatus === RELEASE_PHASE_TASK_DETAIL.lastStatus &&
  typeof detail.startedBy === 'string' &&
  detail.startedBy.startsWith(RELEASE_PHASE_TASK_DETAIL.startedByPrefix);

export const ReleasePhaseTaskStopped = builtOnFirstUse(() =>
  z.object({
    source: z.literal('aws.ecs'),
    'detail-type': z.literal('ECS Task State Change'),
    detail: z.object({
      taskArn: z.string().check(z.minLength(1)),
      lastStatus: z.string(),
      stoppedReason: z.optional(z.string()),
      containers: z._default(z.array(z.object({ name: z.string(), exitCode: z.optional(z.int()), reason: z.optional(z.string()) })), []),
      overrides: z.optional(z.object({ containerOverrides: z.optional(z.array(z.object({ name: z.optional(z.string()), command: z.optional(z.array(z.string())) }))) })),
    }),
  }),
);
export type ReleasePhaseTaskStopped = z.infer<ReturnType<typeof ReleasePhaseTaskStopped>>;

/** What the ReleasePhase state's Choice reads: COMPLETED deploys, FAILED settles the release with the reason. */
const resultOf = (release: Release): DeploymentResult => {
  const run = release.release_phase;
  if (isSettled(release)) return { outcome: 'FAILED', reason: release.rollout?.message ?? `Release v${release.version} is ${release.status}.` };
  if (!run || run.status === 'succeeded' || run.status === 'skipped') return { outcome: 'COMPLETED', reason: null };
  return { outcome: 'FAILED', reason: run.reason };
};

const recordRun = (ref: { appId: string; version: number }, next: (run: ReleasePhaseRun, release: Release) => Partial<Release> | null) =>
  mutateRelease(ref.appId, ref.version, (release) =>
    !isSettled(release) && release.release_phase?.status === 'running' ? next(release.release_phase, release) : null,
  );

/**
 * Records how the release phase ended, once: from the task's state, or a timeout once its task has run past it
 * (the task is stopped). Null while it runs within its time; else what the rollout is resumed with.
 */
const conclude = async (ref: { appId: string; version: number }, task: OneOffTaskState | null, now = new Date()): Promise<DeploymentResult | null> => {
  const release = await findReleaseByVersion(ref.appId, ref.version);
  if (!release) return { outcome: 'FAILED', reason: `Release v${ref.version} no longer exists.` };
  const run = release.release_phase;
  if (isSettled(release) || run?.status !== 'running') return resultOf(release);
  let outcome: ReleasePhaseOutcome | null = task
    ? outcomeOfTask(task)
    : { status: 'failed', exit_code: null, reason: 'release phase task is no longer known to ECS' };
  if (!outcome) {
    const deadline = releasePhaseDeadline(run, config().ecsMinuteMs);
    if (!deadline || now < deadline) return null;
    if (run.task_arn && run.cluster) {
      await stopOneOffTask({ cluster: run.cluster, taskArn: run.task_arn, reason: `Slipway: ${timedOutReason(run.timeout_minutes)}` });
    }
    outcome = { status: 'timed_out', exit_code: null, reason: timedOutReason(run.timeout_minutes) };
  }
  const ended = outcome;
  const settled = await recordRun(ref, (current, latest) => ({
    release_phase: finishedRun(current, ended, now.toISOString()),
    rollout: mergeProgress(latest.rollout, { message: ended.reason ?? 'Release phase succeeded: updating the ECS service' }),
  }));
  return resultOf(settled);
};

/**
 * The ReleasePhase step (waitForTaskToken), entered once after the Deploy step and again each time its wait times
 * out: starts the task if the release has none yet, parks the token under its ARN, then reads the task itself,
 * resuming at once if it already stopped (its event may have come before the token was parked) or ran past its time.
 */
export const watchReleasePhase = async ({ rollout, deploy, taskToken }: ReleasePhaseStepInput): Promise<void> => {
  const release = await findReleaseByVersion(rollout.appId, rollout.version);
  let run = release?.release_phase;
  if (!release || !run || run.status !== 'running' || isSettled(release)) {
    await sendTaskResult(taskToken, release ? resultOf(release) : { outcome: 'FAILED', reason: `Release v${rollout.version} no longer exists.` });
    return;
  }
  if (!run.task_arn) {
    const app = await findAppById(rollout.appId);
    const started = await runReleasePhaseTask({
      cluster: deploy.cluster,
      service: deploy.service,
      releaseId: rollout.releaseId,
      taskDefinitionArn: deploy.taskDefinitionArn,
      container: app?.container ?? null,
      command: run.command,
    });
    const now = new Date();
    // The first ARN recorded stands: a retried RunTask with the same client token answers with the same task anyway.
    const recorded = await recordRun(rollout, (current, latest) =>
      current.task_arn
        ? null
        : {
            release_phase: { ...current, task_arn: started.taskArn, cluster: deploy.cluster, log: started.log, started_at: now.toISOString() },
            rollout: mergeProgress(latest.rollout, { phase: 'release_phase', message: `Running the release phase: ${current.command.join(' ')}` }),
          },
    );
    if (recorded.release_phase?.task_arn !== started.taskArn && isSettled(recorded)) {
      // A rollback overtook the release while RunTask was on its way: its task must not run on unwatched.
      await stopOneOffTask({ cluster: deploy.cluster, taskArn: started.taskArn, reason: 'Slipway: a rollback overtook this release' });
      await sendTaskResult(taskToken, resultOf(recorded));
      return;
    }
    run = recorded.release_phase ?? run;
    // The lock outlives the phase and the deployment after it (it is freed long before, by the Finish step).
    const phaseEnds = releasePhaseDeadline(run, config().ecsMinuteMs) ?? now;
    await extendLockHold(rollout.appId, rollout.releaseId, lockExpiry(phaseEnds, rollout.deadlineSeconds));
  }
  const taskArn = run.task_arn;
  const cluster = run.cluster ?? deploy.cluster;
  if (!taskArn) {
    // Its record left `running` without a task (settled meanwhile): the rollout goes on as the release now says.
    await sendTaskResult(taskToken, resultOf(await findReleaseByVersion(rollout.appId, rollout.version) ?? release));
    return;
  }
  await putReleasePhaseWatch({ taskArn, cluster, appId: rollout.appId, version: rollout.version, releaseId: rollout.releaseId, taskToken });
  const result = await conclude(rollout, await describeOneOffTask({ cluster, taskArn }));
  if (result) await resume(taskArn, taskToken, result);
};

const resume = async (taskArn: string, taskToken: string, result: DeploymentResult): Promise<boolean> => {
  const resumed = await sendTaskResult(taskToken, result);
  await deleteReleasePhaseWatch(taskArn);
  return resumed;
};

/**
 * EventBridge's "ECS Task State Change" for a release phase's task: once it stopped, records the outcome on its
 * release and resumes the waiting step. Tasks no rollout waits on are ignored.
 */
export const onReleasePhaseTaskStopped = async (event: ReleasePhaseTaskStopped): Promise<'ignored' | 'recorded' | 'resumed'> => {
  const watch = await findReleasePhaseWatch(event.detail.taskArn);
  if (!watch) return 'ignored';
  const result = await conclude(watch, taskStateOf(event.detail));
  if (!result) return 'recorded';
  return (await resume(watch.taskArn, watch.taskToken, result)) ? 'resumed' : 'recorded';
};

/**
 * A rollback overtook a release during its release phase: its task is stopped and its waiting step resumed, so the
 * rescue is not held back by a migration (the release is already settled `failed`, naming the rollback).
 */
export const abandonReleasePhase = async (release: Pick<Release, 'app' | 'version' | 'release_phase' | 'rollout'>): Promise<void> => {
  const run = release.release_phase;
  if (run?.status !== 'running') return;
  const stopped: ReleasePhaseOutcome = { status: 'failed', exit_code: null, reason: 'release phase stopped: a rollback overtook this release' };
  await mutateRelease(release.app.id, release.version, (current) =>
    current.release_phase?.status === 'running' ? { release_phase: finishedRun(current.release_phase, stopped, new Date().toISOString()) } : null,
  );
  if (!run.task_arn || !run.cluster) return;
  await stopOneOffTask({ cluster: run.cluster, taskArn: run.task_arn, reason: 'Slipway: a rollback overtook this release' });
  const watch = await findReleasePhaseWatch(run.task_arn);
  if (watch) await resume(watch.taskArn, watch.taskToken, { outcome: 'FAILED', reason: release.rollout?.message ?? null });
};
