import pMap from 'p-map';
import { notFound } from '../domain/errors';
import type { Release, ReleaseRef, RolloutProgress } from '../domain/model';
import { shiftsTraffic } from '../domain/deployment-strategy';
import { isRollback, redeploysAfterLostExecution, supersededChanges } from '../domain/rollback';
import {
  isHeldBy,
  isLockFree,
  isOvertaken,
  isSettled,
  lockExpiry,
  mergeProgress,
  rerunExecutionName,
  settingsOf,
  type RolloutLock,
} from '../domain/rollout';
import { lowestPendingVersion, placeStaleClaims } from '../store/release-claims-store';
import { findReleaseByVersion, listReleasePage, mutateRelease } from '../store/releases-store';
import { listApps } from '../store/apps-store';
import type { LockStepInput } from './contract';
import {
  deleteLockWaiter,
  findDeploymentWatch,
  findLockWaiterToken,
  freeLock,
  getRolloutLock,
  handLockTo,
  markRescue,
  putLockWaiter,
  switchHolderExecution,
} from '../store/rollout-store';
import { isRolloutRunning, rolloutExecutionState, sendTaskResult, startRolloutExecution } from './sfn';
import { rolloutInputOf } from './rollout-input';
import { isWriterGoneSince } from '../runtime/lease-holder';
import { stopServiceDeployment } from '../ecs/ecs-adapter';
import { verdictOnUnwatched } from './unwatched';
import { settleRelease } from './settle';
import { isInReleasePhase } from '../domain/release-phase';
import { abandonReleasePhase } from './release-phase';

/** Bounds one pass along the queue; each hop past a dead release settles that release for good. */
const MAX_HANDOFFS = 20;

type Holder = { releaseId: string; version: number };

/** Bounds the re-reads of the version sequence in one search: each is owed to a version claimed meanwhile. */
const MAX_SEQUENCE_READS = 5;

/** Apps whose queues the reconciler resumes at once: its sweep's calls stay well inside DynamoDB's and Step Functions' rates. */
const QUEUES_RESUMED_AT_ONCE = 8;

/**
 * The release the lock goes to next: the lowest-version queued one that no rescue rollback overtakes
 * (those are superseded on the way), and none while a lower version is still on its way to its slot
 * (whoever places it starts its rollout). Releases leave the queue in version order, so the search starts
 * just above the settled ones and stays short however long the history is.
 *
 * The sequence is read before the queue: stale claims are placed first (so what is placed now is listed,
 * never passed), and every version it had handed out is then either pending in it or in its slot for the
 * listing to see. A queued release above the sequence as read was claimed after it, perhaps after a lower
 * version that is not placed yet: the sequence is read again.
 */
const lowestQueued = async (appId: string, settledThrough: number, lock: RolloutLock): Promise<Release | undefined> => {
  let sequence = await placeStaleClaims(appId, isWriterGoneSince);
  let reads = 1;
  let after = settledThrough;
  for (;;) {
    const next = (await listReleasePage(appId, { afterVersion: after, limit: 1, status: 'queued' })).releases[0];
    if (!next) return undefined;
    // No sequence even when read after the listing: the release was written outside it (an older history).
    const claimedSince = sequence.lastVersion === null ? reads === 1 : next.version > sequence.lastVersion;
    if (claimedSince) {
      if (reads === MAX_SEQUENCE_READS) return undefined;
      sequence = await placeStaleClaims(appId, isWriterGoneSince);
      reads++;
      continue;
    }
    if (lock.rescue && isOvertaken(lock, next.version)) {
      await supersede(next, lock.rescue);
      after = next.version;
      continue;
    }
    const pending = lowestPendingVersion(sequence.pending);
    return pending !== null && pending < next.version ? undefined : next;
  }
};

/**
 * What a superseded release that shifts traffic shows: ECS is told to roll it back, so none is on its revision.
 * Nothing for a rolling one, or one whose service deployment was never seen (no traffic shifted yet).
 */
const trafficBack = (rollout: Release['rollout']): Partial<RolloutProgress> =>
  rollout?.service_deployment_arn && shiftsTraffic(settingsOf(rollout)) ? { phase: 'rolling_back', traffic_percent: 0, phase_ends_at: null } : {};

/**
 * Ends a release a rescue rollback overtakes: `failed`, naming the rollback. A queued one never runs (its
 * parked Lock step is woken so its execution ends now: the Deploy step refuses it); one rolling out has its
 * wait for ECS resumed, as its deployment is about to be replaced, and a blue/green, linear or canary
 * deployment is stopped first (StopServiceDeployment, ROLLBACK), so its new revision gets no more traffic
 * before the rollback deploys. Run again on a release it superseded (a crash may have come in between), it
 * stops and resumes again. False if it had settled by itself first.
 */
export const supersede = async (release: Pick<Release, 'app' | 'version'>, rescue: ReleaseRef): Promise<boolean> => {
  const now = new Date().toISOString();
  let wasDeploying = false;
  let wasInReleasePhase = false;
  const settled = await mutateRelease(release.app.id, release.version, (current) => {
    if (isSettled(current)) return null;
    wasDeploying = current.status === 'pending';
    wasInReleasePhase = isInReleasePhase(current);
    const { message, ...changes } = supersededChanges(rescue, now, wasDeploying);
    return { ...changes, rollout: mergeProgress(current.rollout, { message, ...(wasDeploying ? trafficBack(current.rollout) : {}) }) };
  });
  if (settled.superseded_by?.id !== rescue.id) return false;
  if (wasInReleasePhase || isInReleasePhase({ status: 'pending', release_phase: settled.release_phase })) await abandonReleasePhase(settled);
  const deploymentId = settled.rollout?.deployment_id;
  if (!wasDeploying && !deploymentId) {
    const token = await findLockWaiterToken(release.app.id, release.version);
    if (token) await sendTaskResult(token, LOCK_GRANTED);
    await deleteLockWaiter(release.app.id, release.version);
    return true;
  }
  const serviceDeploymentArn = settled.rollout?.service_deployment_arn;
  if (serviceDeploymentArn && shiftsTraffic(settingsOf(settled.rollout))) await stopServiceDeployment(serviceDeploymentArn);
  const watch = deploymentId ? await findDeploymentWatch(deploymentId) : undefined;
  if (watch) await sendTaskResult(watch.taskToken, { outcome: 'FAILED', reason: settled.rollout?.message ?? null });
  return true;
};

/**
 * Makes a live lock holder that a rescue overtakes give the lock up: true once it has settled (or was
 * superseded now). A holder between its Deploy step and its wait for ECS is left alone (false): its
 * UpdateService may still be on its way, and it must not land after the rescue's; its wait step
 * supersedes it on entry (see watchDeployment) and its Finish step passes the lock on.
 */
const overtakeHolder = async (
  appId: string,
  holder: NonNullable<RolloutLock['holder']>,
  rescue: ReleaseRef,
  stateMachineArn: string,
): Promise<boolean> => {
  const release = await findReleaseByVersion(appId, holder.version);
  if (!release) return true;
  if (isSettled(release)) {
    // Superseded by this rescue, perhaps by a decider that died before it stopped the deployment: stopped now.
    if (release.superseded_by?.id === rescue.id) await supersede(release, rescue);
    return true;
  }
  // In its release phase it has not reached ECS's service yet: its task is stopped and it is superseded now.
  const deploying = release.status === 'pending' && !release.rollout?.deployment_id && !isInReleasePhase(release);
  if (deploying && (await isRolloutRunning(stateMachineArn, holder.execution))) return false;
  await supersede(release, rescue);
  return true;
};

/** What a parked Lock step is resumed with. */
const LOCK_GRANTED = { acquired: true } as const;

/**
 * Tells a release that now holds the lock to run: resumes its parked Lock step, or starts its execution
 * if it never started. False when its execution has ended without settling it, so it never will run.
 */
const wake = async (release: Release, stateMachineArn: string, self: string | null): Promise<boolean> => {
  if (release.id === self) return true;
  const token = await findLockWaiterToken(release.app.id, release.version);
  if (token && (await sendTaskResult(token, LOCK_GRANTED))) return true;
  if (await startRolloutExecution(stateMachineArn, rolloutInputOf(release))) return true;
  // Parked without a token yet, or between two polls: it finds the lock its own at its next look.
  if (await isRolloutRunning(stateMachineArn, release.id)) return true;
  // Its execution ended while it waited (timed out in the queue): it never deployed, so it runs again.
  return rerun(release, release.id, stateMachineArn);
};

/**
 * Runs a lock holder that never deployed again, as a new execution: its earlier one ended (lost with a
 * local restart, timed out while queued) before the Deploy step. False once its reruns are spent.
 */
const rerun = async (release: Release, endedExecution: string, stateMachineArn: string): Promise<boolean> => {
  const name = rerunExecutionName(release.id, endedExecution);
  if (name === null) return false;
  // Lost to another decider: that one starts the rerun.
  if (!(await switchHolderExecution(release.app.id, release.id, endedExecution, name))) return true;
  await startRolloutExecution(stateMachineArn, rolloutInputOf(release), name);
  return true;
};

/** A rollback cut short mid-deployment goes back to `queued`, so its rerun deploys it again. */
const requeueLostRescue = async (release: Release | undefined): Promise<Release | undefined> =>
  release && redeploysAfterLostExecution(release)
    ? mutateRelease(release.app.id, release.version, (current) =>
        redeploysAfterLostExecution(current)
          ? { status: 'queued', rollout: mergeProgress(current.rollout, { message: 'Deploying again: its rollout execution was lost mid-deployment.' }) }
          : null,
      )
    : release;

/**
 * Settles a release whose execution is gone, as a rollout that ended settles it (settleRelease: its checks folded
 * into `state`, its outcome logged and counted, so the alarms see it): never run (reruns spent), it failed; cut
 * short mid-deployment, as ECS says if its deployment ended meanwhile, else unknown, unless its deployment shifts
 * traffic: nothing would watch its bakes and gate any more, so ECS is told to roll it back (see rollBackUnwatched),
 * and the release failed.
 */
const abandon = async (appId: string, version: number): Promise<Release> => {
  const release = await findReleaseByVersion(appId, version);
  if (!release) throw notFound('release', `v${version}`);
  const rollout = rolloutInputOf(release);
  const verdict = await verdictOnUnwatched(release);
  if (verdict) return settleRelease({ rollout, result: verdict });
  const cause = release.status === 'queued' ? 'Its rollout execution ended before it could run.' : 'Its rollout execution ended before the release was settled.';
  return settleRelease({ rollout, error: { Cause: cause } });
};

/**
 * Moves an app's rollout lock along its queue: from `holder` once it is done (or, with no holder, only
 * if the lock is free or its holder's execution is gone) to the lowest-version queued release,
 * atomically, and wakes that release. With
 * nothing queued the lock is freed, then the queue is read once more, as a release queued meanwhile
 * saw the lock taken and parked. `self` names a Lock step asking for itself: it needs no waking.
 */
export const passLockOn = async (
  appId: string,
  stateMachineArn: string,
  deadlineSeconds: number,
  holder: Holder | null,
  self: string | null = null,
): Promise<void> => {
  let from = holder;
  for (let hop = 0; hop < MAX_HANDOFFS; hop++) {
    const now = new Date();
    const lock = await getRolloutLock(appId);
    const owner = from !== null && isHeldBy(lock, from.releaseId, now) ? from : null;
    if (owner === null && lock.holder && !isLockFree(lock, now) && lock.rescue && isOvertaken(lock, lock.holder.version)) {
      if (!(await overtakeHolder(appId, lock.holder, lock.rescue, stateMachineArn))) return;
      from = { releaseId: lock.holder.release_id, version: lock.holder.version };
      continue;
    }
    if (owner === null && lock.holder && !isLockFree(lock, now)) {
      const execution = await rolloutExecutionState(stateMachineArn, lock.holder.execution);
      if (execution === 'running') return;
      const holder = await findReleaseByVersion(appId, lock.holder.version);
      // Handed the lock, its execution not started: the decider that handed it over is about to start it (or died
      // first). Started here under the very name the lock gives it, so whichever start lands first runs it, once;
      // a rerun under a new name would run beside the one on its way.
      if (execution === 'absent' && holder?.status === 'queued') {
        await startRolloutExecution(stateMachineArn, rolloutInputOf(holder), lock.holder.execution);
        return;
      }
      // The holder's execution is gone (stopped by hand, or lost with a local restart). Never deployed: it
      // runs again. Cut short mid-deployment: it is settled (unknown) and the lock passes on.
      const stranded = await requeueLostRescue(holder);
      // In its release phase it has not deployed either: the rerun finds its task (and its outcome), never starts another.
      const rerunnable = stranded?.status === 'queued' || (stranded !== undefined && isInReleasePhase(stranded));
      if (stranded && rerunnable && (await rerun(stranded, lock.holder.execution, stateMachineArn))) return;
      await abandon(appId, lock.holder.version);
      from = { releaseId: lock.holder.release_id, version: lock.holder.version };
      continue;
    }
    const settled = Math.max(lock.settled_through, owner?.version ?? 0);
    const next = await lowestQueued(appId, settled, lock);
    if (!next) {
      if (owner === null) return;
      await freeLock(appId, owner.releaseId, settled);
      from = null;
      continue;
    }
    const handed = await handLockTo(
      appId,
      { releaseId: next.id, version: next.version, expiresAt: lockExpiry(now, deadlineSeconds) },
      owner?.releaseId ?? null,
      settled,
      now,
    );
    if (!handed || (await wake(next, stateMachineArn, self))) return;
    await abandon(appId, next.version);
    from = { releaseId: next.id, version: next.version };
  }
};

/**
 * A rollback just recorded overtakes its app's queue: it becomes the queue's rescue, and the lock is moved
 * along at once (superseding what stands before it), rather than when the rollout in flight ends.
 */
export const overtakeQueue = async (rollback: Release, stateMachineArn: string, deadlineSeconds: number): Promise<void> => {
  await markRescue(rollback.app.id, { id: rollback.id, version: rollback.version });
  await passLockOn(rollback.app.id, stateMachineArn, deadlineSeconds, null);
};

/**
 * Gets every app's queue moving again after executions were lost (a local restart): stale version claims
 * are placed (even while a rollout holds the lock, so they are listed now), a lock held by a dead execution
 * is taken back and the lowest queued release of each app is started.
 */
const resumeQueues = async (appIds: readonly string[], stateMachineArn: string, deadlineSeconds: number): Promise<void> => {
  // Apps' queues are independent, and every hand-over is a conditional write that races live requests anyway: a few
  // at a time keeps the sweep short as apps grow, and one app's failure (thrown at the end, all of them) stops no other.
  await pMap(
    appIds,
    async (appId) => {
      try {
        // Side by side: passing the lock on reads the claims again after its own read of the lock.
        await Promise.all([placeStaleClaims(appId, isWriterGoneSince), passLockOn(appId, stateMachineArn, deadlineSeconds, null)]);
      } catch (cause) {
        throw new Error(`the rollout queue of app ${appId} was not resumed`, { cause });
      }
    },
    { concurrency: QUEUES_RESUMED_AT_ONCE, stopOnError: false },
  );
};

/**
 * The periodic safety net behind every queue: a release whose StartExecution failed at create time, on an
 * app with no later release to start it, would otherwise stay `queued` forever.
 */
export const resumeAllQueues = async (stateMachineArn: string, deadlineSeconds: number): Promise<number> => {
  const appIds = (await listApps()).map((app) => app.id);
  await resumeQueues(appIds, stateMachineArn, deadlineSeconds);
  return appIds.length;
};

/** True once the release holds its app's lock, or when it has nothing left to wait for. */
const mayProceed = async ({ rollout, stateMachineArn }: LockStepInput): Promise<boolean> => {
  if (isHeldBy(await getRolloutLock(rollout.appId), rollout.releaseId, new Date())) return true;
  const release = await findReleaseByVersion(rollout.appId, rollout.version);
  // Not queued (any more): the Deploy step refuses to deploy it and the release is settled from there.
  if (release?.status !== 'queued') return true;
  // A rollback overtakes whatever waits or rolls out before it (also when its creator died before saying so).
  if (isRollback(release)) await markRescue(rollout.appId, { id: release.id, version: release.version });
  await passLockOn(rollout.appId, stateMachineArn, rollout.deadlineSeconds, null, rollout.releaseId);
  return isHeldBy(await getRolloutLock(rollout.appId), rollout.releaseId, new Date());
};

/**
 * The Lock step (waitForTaskToken): proceeds at once when the app's lock is free and this release is
 * first in the queue; otherwise parks its task token for whoever frees the lock. Parking, then looking
 * again, closes the gap in which the lock could be handed over before the token was there to be woken.
 */
export const acquireRolloutLock = async (input: LockStepInput): Promise<'running' | 'parked'> => {
  const { rollout, taskToken } = input;
  if (!(await mayProceed(input))) {
    await putLockWaiter(rollout.appId, rollout.version, rollout.releaseId, taskToken);
    if (!(await mayProceed(input))) return 'parked';
  }
  await sendTaskResult(taskToken, LOCK_GRANTED);
  return 'running';
};
