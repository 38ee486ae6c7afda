import { DEFAULT_DEPLOYMENT, DEFAULT_STRATEGY, type DeploymentSettings, type HoldActions, type RolloutPhase, type StrategyName } from './deployment-strategy';
import type { GateProgress, Release, ReleaseRef, ReleaseStatus, RolloutProgress } from './model';
import { FINAL_RELEASE_STATUSES } from './model';

/**
 * Rules of a rollout that need no AWS: who may hold an app's rollout lock, how long a hold lasts,
 * and which release status each way a deployment can end maps to.
 */

/** Default overall budget of one deployment, from UpdateService to a final rolloutState. */
export const DEFAULT_DEADLINE_SECONDS = 30 * 60;

/**
 * A lock outlives its holder's deadline by this much: the holder's own Finish step frees it long before,
 * so an expired lock means its execution died (aborted, or every retry exhausted) and may be taken over.
 */
export const LOCK_GRACE_SECONDS = 15 * 60;

/** The app's single in-flight rollout. `holder` null means free. */
export type RolloutLock = {
  holder: {
    release_id: string;
    version: number;
    acquired_at: string;
    expires_at: string;
    /** The execution running the holder: the release id, or a rerun's name once it had to be run again. */
    execution: string;
  } | null;
  /** Every release at or below this version has left the queue for good, so the queue is searched above it. */
  settled_through: number;
  /**
   * The newest rollback that overtakes the queue: every release below its version that has not settled
   * yet (queued, or rolling out) is superseded rather than run. Kept once passed: it concerns only lower versions.
   */
  rescue: ReleaseRef | null;
};

export const FREE_LOCK: RolloutLock = { holder: null, settled_through: 0, rescue: null };

/** Whether the release at `version` is to give way to the lock's rescue rollback. */
export const isOvertaken = (lock: Pick<RolloutLock, 'rescue'>, version: number): boolean =>
  lock.rescue !== null && version < lock.rescue.version;

/** How often a lock holder whose execution died before it deployed is run again before it is failed. */
export const MAX_RERUNS = 3;

/**
 * The execution name for running a release again after `current` ended without deploying it. Step
 * Functions never reuses a name (90 days), so each rerun takes the next numbered one; null once
 * MAX_RERUNS have been spent.
 */
export const rerunExecutionName = (releaseId: string, current: string): string | null => {
  const spent = current === releaseId ? 0 : Number(/-rerun-(\d+)$/.exec(current)?.[1] ?? MAX_RERUNS);
  return spent < MAX_RERUNS ? `${releaseId}-rerun-${spent + 1}` : null;
};

export const isLockFree = (lock: RolloutLock, now: Date): boolean =>
  lock.holder === null || Date.parse(lock.holder.expires_at) <= now.getTime();

export const isHeldBy = (lock: RolloutLock, releaseId: string, now: Date): boolean =>
  !isLockFree(lock, now) && lock.holder?.release_id === releaseId;

export const lockExpiry = (now: Date, deadlineSeconds: number): string =>
  new Date(now.getTime() + (deadlineSeconds + LOCK_GRACE_SECONDS) * 1000).toISOString();

export const deadlineAt = (startedAt: string, deadlineSeconds: number): string =>
  new Date(Date.parse(startedAt) + deadlineSeconds * 1000).toISOString();

export const isPastDeadline = (deadline: string, now: Date): boolean => now.getTime() >= Date.parse(deadline);

/** How a deployment ended, as the wait step reports it: ECS's rolloutState, or our own deadline. */
export const DEPLOYMENT_OUTCOMES = ['COMPLETED', 'FAILED', 'DEADLINE'] as const;
export type DeploymentOutcome = (typeof DEPLOYMENT_OUTCOMES)[number];

export const statusAfterDeployment = (outcome: DeploymentOutcome): ReleaseStatus => {
  switch (outcome) {
    case 'COMPLETED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'DEADLINE':
      return 'unknown';
  }
};

/**
 * A rollout step failed for good. Before UpdateService took effect nothing changed in ECS, so the
 * release failed and the previous one still runs; after it, ECS may be doing anything, so it is unknown.
 */
export const statusAfterError = (release: Pick<Release, 'rollout'>): ReleaseStatus =>
  release.rollout?.deployment_id ? 'unknown' : 'failed';

export const isSettled = (release: Pick<Release, 'status'>): boolean => FINAL_RELEASE_STATUSES.includes(release.status);

/**
 * Progress as shown on the release; a later report keeps what an earlier one knew unless it knows better.
 * A deployment's failed-task count only grows, and ECS forgets it once the deployment is rolled back and
 * gone, so the highest count seen stands.
 */
export const mergeProgress = (
  previous: RolloutProgress | null,
  next: Partial<RolloutProgress>,
): RolloutProgress => ({
  desired: next.desired ?? previous?.desired ?? 0,
  running_new: next.running_new ?? previous?.running_new ?? 0,
  failed_tasks: Math.max(next.failed_tasks ?? 0, previous?.failed_tasks ?? 0),
  deployment_id: next.deployment_id ?? previous?.deployment_id ?? null,
  task_definition_arn: next.task_definition_arn ?? previous?.task_definition_arn ?? null,
  message: truncatedMessage(next.message ?? previous?.message ?? null),
  strategy: next.strategy ?? previous?.strategy ?? null,
  phase: next.phase ?? previous?.phase ?? null,
  traffic_percent: next.traffic_percent ?? previous?.traffic_percent ?? null,
  // Null is news here (a phase that lasts as long as ECS takes), so only a report that says nothing keeps the last.
  phase_ends_at: next.phase_ends_at !== undefined ? next.phase_ends_at : (previous?.phase_ends_at ?? null),
  deployment: next.deployment ?? previous?.deployment ?? null,
  service_deployment_arn: next.service_deployment_arn ?? previous?.service_deployment_arn ?? null,
  lifecycle_stage: next.lifecycle_stage !== undefined ? next.lifecycle_stage : (previous?.lifecycle_stage ?? null),
  // Null is news for the gate too (it stopped waiting); operators' actions, once taken, stand.
  gate: next.gate !== undefined ? next.gate : (previous?.gate ?? null),
  stop_reason: next.stop_reason ?? previous?.stop_reason ?? null,
  approved_by: next.approved_by ?? previous?.approved_by ?? null,
  promoted_by: next.promoted_by ?? previous?.promoted_by ?? null,
  aborted_by: next.aborted_by ?? previous?.aborted_by ?? null,
});

/** The strategy a rollout runs with: the one it started with; all rollouts started before Slipway kept it were rolling. */
const strategyOf = (rollout: RolloutProgress | null): StrategyName => rollout?.strategy ?? DEFAULT_STRATEGY.name;

/** The deployment settings a rollout runs with: those it started with; rollouts started before Slipway kept them were rolling. */
export const settingsOf = (rollout: RolloutProgress | null): DeploymentSettings => rollout?.deployment ?? DEFAULT_DEPLOYMENT;

/** What a rollout keeps for itself: the settings it started with, ECS's service deployment and stage. */
type InternalProgress = 'deployment' | 'service_deployment_arn' | 'lifecycle_stage' | 'stage_since' | 'stop_reason';

/** A release's rollout as it is shown: its strategy, phase, share of traffic and the phase's end always said. */
export type ShownRollout = Omit<RolloutProgress, InternalProgress> & {
  strategy: StrategyName;
  phase: RolloutPhase | null;
  traffic_percent: number | null;
  phase_ends_at: string | null;
  gate: GateProgress | null;
} & { [action in keyof HoldActions]-?: NonNullable<HoldActions[action]> | null };

/**
 * The rollout a release shows. While it rolls out (or once its outcome is unknown) that is what ECS last
 * reported; a queued release has no phase yet; a settled one shows its end: a succeeded release completed,
 * with all traffic; a failed one none, rolled back if its deployment had reached ECS (by the circuit breaker,
 * or replaced by the rollback that overtook it).
 */
export const shownRollout = ({ status, rollout }: Pick<Release, 'status' | 'rollout'>, now = new Date()): ShownRollout | null => {
  if (!rollout) return null;
  const { deployment: _settings, service_deployment_arn: _arn, lifecycle_stage: _stage, stage_since: _since, stop_reason: _stop, ...shownFields } = rollout;
  const strategy = strategyOf(rollout);
  const reported = { phase: rollout.phase ?? null, traffic_percent: rollout.traffic_percent ?? null, phase_ends_at: rollout.phase_ends_at ?? null };
  const shown: Pick<ShownRollout, 'phase' | 'traffic_percent' | 'phase_ends_at' | 'gate'> =
    status === 'queued'
      ? { phase: null, traffic_percent: null, phase_ends_at: null, gate: null }
      : status === 'succeeded'
        ? { phase: 'completed', traffic_percent: 100, phase_ends_at: null, gate: null }
        : status === 'failed'
          ? { phase: rollout.deployment_id ? 'rolling_back' : null, traffic_percent: 0, phase_ends_at: null, gate: null }
          : { ...heldAtGate(reported, rollout.gate ?? null, now), gate: rollout.gate ?? null };
  return {
    ...shownFields,
    strategy,
    ...shown,
    approved_by: rollout.approved_by ?? null,
    promoted_by: rollout.promoted_by ?? null,
    aborted_by: rollout.aborted_by ?? null,
  };
};

/**
 * A bake whose end has passed while the gate still waits: ECS continued the bake's hook by itself (it says
 * nothing when it does), so the release now awaits its gate, until the gate's own end.
 */
const heldAtGate = (
  reported: Pick<ShownRollout, 'phase' | 'traffic_percent' | 'phase_ends_at'>,
  gate: GateProgress | null,
  now: Date,
): Pick<ShownRollout, 'phase' | 'traffic_percent' | 'phase_ends_at'> =>
  gate && reported.phase_ends_at && Date.parse(reported.phase_ends_at) <= now.getTime() && (reported.phase === 'canary' || reported.phase === 'shifting')
    ? { ...reported, phase: 'awaiting_approval', phase_ends_at: gate.until }
    : reported;

/**
 * ECS reasons and step errors come from outside: bounded (in UTF-8 bytes) so the rollout's writes to its
 * release can never be refused for the item's size.
 */
export const MAX_PROGRESS_MESSAGE_BYTES = 1024;
const truncatedMessage = (message: string | null): string | null => {
  if (message === null || Buffer.byteLength(message, 'utf8') <= MAX_PROGRESS_MESSAGE_BYTES) return message;
  let kept = message.slice(0, MAX_PROGRESS_MESSAGE_BYTES);
  while (Buffer.byteLength(`${kept}...`, 'utf8') > MAX_PROGRESS_MESSAGE_BYTES) kept = kept.slice(0, -1);
  return `${kept}...`;
};

/** Step Functions error causes can be long JSON; a release shows a readable line. */
export const describeFailure = (error: { Error?: string; Cause?: string }): string => {
  const cause = error.Cause ?? '';
  let detail = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') detail = parsed.errorMessage;
  } catch {
    // A plain-text cause is already readable.
  }
  const text = [error.Error, detail].filter((part) => part && part.length > 0).join(': ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
};
