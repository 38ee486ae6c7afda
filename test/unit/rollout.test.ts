import { describe, expect, it } from 'vitest';
import { currentVersionAmong } from '../../shared/domain/current-release';
import type { ReleaseStatus, RolloutProgress } from '../../shared/domain/model';
import {
  MAX_RERUNS,
  rerunExecutionName,
  deadlineAt,
  describeFailure,
  FREE_LOCK,
  isHeldBy,
  isLockFree,
  isPastDeadline,
  LOCK_GRACE_SECONDS,
  lockExpiry,
  mergeProgress,
  shownRollout,
  statusAfterDeployment,
  statusAfterError,
  type RolloutLock,
} from '../../shared/domain/rollout';

const now = new Date('2026-11-26T12:00:00.000Z');
const heldUntil = (expires: string): RolloutLock => ({
  holder: { release_id: 'r1', version: 1, acquired_at: '2026-11-26T11:00:00.000Z', expires_at: expires, execution: 'r1' },
  settled_through: 0,
  rescue: null,
});

describe('the rollout lock', () => {
  it('is free when nobody holds it or the holder outlived its expiry', () => {
    expect(isLockFree(FREE_LOCK, now)).toBe(true);
    expect(isLockFree(heldUntil('2026-11-26T12:00:01.000Z'), now)).toBe(false);
    expect(isLockFree(heldUntil('2026-11-26T12:00:00.000Z'), now)).toBe(true);
  });

  it('is held by its holder only until it expires', () => {
    expect(isHeldBy(heldUntil('2026-11-26T12:30:00.000Z'), 'r1', now)).toBe(true);
    expect(isHeldBy(heldUntil('2026-11-26T12:30:00.000Z'), 'r2', now)).toBe(false);
    expect(isHeldBy(heldUntil('2026-11-26T11:59:59.000Z'), 'r1', now)).toBe(false);
  });

  it('expires a grace period after its holder’s deadline, so only a dead holder loses it', () => {
    expect(Date.parse(lockExpiry(now, 60)) - now.getTime()).toBe((60 + LOCK_GRACE_SECONDS) * 1000);
  });
});

describe('the deadline', () => {
  it('counts from the start of the rollout', () => {
    const deadline = deadlineAt('2026-11-26T11:59:00.000Z', 30);
    expect(deadline).toBe('2026-11-26T11:59:30.000Z');
    expect(isPastDeadline(deadline, now)).toBe(true);
    expect(isPastDeadline(deadlineAt('2026-11-26T11:59:00.000Z', 61), now)).toBe(false);
  });
});

describe('the release status a rollout ends with', () => {
  it('follows how the deployment ended', () => {
    expect(statusAfterDeployment('COMPLETED')).toBe('succeeded');
    expect(statusAfterDeployment('FAILED')).toBe('failed');
    expect(statusAfterDeployment('DEADLINE')).toBe('unknown');
  });

  it('after an error is failed before ECS was asked to deploy, unknown after', () => {
    expect(statusAfterError({ rollout: null })).toBe('failed');
    expect(statusAfterError({ rollout: { desired: 0, running_new: 0, failed_tasks: 0, deployment_id: null } })).toBe('failed');
    expect(statusAfterError({ rollout: { desired: 3, running_new: 1, failed_tasks: 0, deployment_id: 'ecs-svc/1' } })).toBe(
      'unknown',
    );
  });
});

describe('rollout progress', () => {
  it('keeps what it knew, takes what is new, and never lowers the failed-task count', () => {
    const first = mergeProgress(null, { desired: 3, task_definition_arn: 'td:2' });
    expect(first).toEqual({
      desired: 3,
      running_new: 0,
      failed_tasks: 0,
      deployment_id: null,
      task_definition_arn: 'td:2',
      message: null,
      strategy: null,
      phase: null,
      traffic_percent: null,
      phase_ends_at: null,
      deployment: null,
      service_deployment_arn: null,
      lifecycle_stage: null,
      gate: null,
      stop_reason: null,
      approved_by: null,
      promoted_by: null,
      aborted_by: null,
    });
    const failing = mergeProgress(first, { running_new: 1, failed_tasks: 2, deployment_id: 'd1' });
    const gone = mergeProgress(failing, { running_new: 0, failed_tasks: 0, message: 'rolled back' });
    expect(gone).toMatchObject({ desired: 3, running_new: 0, failed_tasks: 2, deployment_id: 'd1', task_definition_arn: 'td:2' });
    expect(gone.message).toBe('rolled back');
  });
});


describe('the rollout a release shows', () => {
  const progress = mergeProgress(null, { strategy: 'rolling', desired: 3, deployment_id: 'd1', phase: 'scaling_up', traffic_percent: 50 });
  const shown = (status: ReleaseStatus, rollout: RolloutProgress | null = progress) => shownRollout({ status, rollout });

  it('is what ECS last reported while the release rolls out, or once its outcome is unknown', () => {
    expect(shown('pending')).toMatchObject({ strategy: 'rolling', phase: 'scaling_up', traffic_percent: 50, desired: 3 });
    expect(shown('unknown')).toMatchObject({ phase: 'scaling_up', traffic_percent: 50 });
    expect(shown('pending', mergeProgress(null, { strategy: 'rolling' }))).toMatchObject({ phase: null, traffic_percent: null });
  });

  it('has no phase while the release is queued', () => {
    expect(shown('queued')).toMatchObject({ phase: null, traffic_percent: null });
    expect(shown('queued', null)).toBeNull();
  });

  it('ends completed with all traffic, or with none, rolled back if ECS had the deployment', () => {
    expect(shown('succeeded')).toMatchObject({ phase: 'completed', traffic_percent: 100 });
    expect(shown('failed')).toMatchObject({ phase: 'rolling_back', traffic_percent: 0 });
    expect(shown('failed', mergeProgress(null, { message: 'never reached ECS' }))).toMatchObject({ phase: null, traffic_percent: 0 });
  });

  it('says rolling for a rollout recorded before strategies were kept', () => {
    const { strategy: _strategy, phase: _phase, traffic_percent: _traffic, ...recordedBefore } = progress;
    expect(shown('succeeded', recordedBefore)).toMatchObject({ strategy: 'rolling', phase: 'completed', traffic_percent: 100 });
  });
});

describe('failure messages', () => {
  it('reads the Lambda error message out of a Step Functions cause', () => {
    const cause = JSON.stringify({ errorType: 'DomainError', errorMessage: "ECS service 'x' was not found." });
    expect(describeFailure({ Error: 'DomainError', Cause: cause })).toBe("DomainError: ECS service 'x' was not found.");
    expect(describeFailure({ Error: 'Ecs.ClientException', Cause: 'plain text' })).toBe('Ecs.ClientException: plain text');
    expect(describeFailure({ Error: 'States.Runtime', Cause: 'x'.repeat(400) })).toHaveLength(300);
  });
});

describe('current among releases read after the app', () => {
  it('is the app pointer, moved forward by a newer succeeded release only', () => {
    const releases = [
      { version: 3, status: 'succeeded' as const },
      { version: 4, status: 'failed' as const },
      { version: 5, status: 'succeeded' as const },
      { version: 6, status: 'pending' as const },
    ];
    expect(currentVersionAmong(3, releases)).toBe(5);
    expect(currentVersionAmong(null, [])).toBeNull();
    expect(currentVersionAmong(null, releases.slice(0, 2))).toBe(3);
    expect(currentVersionAmong(7, releases)).toBe(7);
  });
});

describe('reruns of a lock holder that never deployed', () => {
  it('take the next numbered execution name, and stop after the last one', () => {
    expect(rerunExecutionName('r1', 'r1')).toBe('r1-rerun-1');
    expect(rerunExecutionName('r1', 'r1-rerun-1')).toBe('r1-rerun-2');
    expect(rerunExecutionName('r1', `r1-rerun-${MAX_RERUNS - 1}`)).toBe(`r1-rerun-${MAX_RERUNS}`);
    expect(rerunExecutionName('r1', `r1-rerun-${MAX_RERUNS}`)).toBeNull();
  });
});

describe('a release held at its gate once its bake is up', () => {
  const gate = { waiting_for: ['approval'], since: '2030-01-01T00:00:00.000Z', until: '2030-01-01T01:05:00.000Z' };
  const baking = mergeProgress(null, { strategy: 'canary', deployment_id: 'd1', phase: 'canary', traffic_percent: 10, phase_ends_at: '2030-01-01T00:05:00.000Z', gate });

  it('shows the canary until the bake ends, then awaiting approval until the gate times out', () => {
    expect(shownRollout({ status: 'pending', rollout: baking }, new Date('2030-01-01T00:04:00.000Z'))).toMatchObject({ phase: 'canary', phase_ends_at: '2030-01-01T00:05:00.000Z' });
    expect(shownRollout({ status: 'pending', rollout: baking }, new Date('2030-01-01T00:06:00.000Z'))).toMatchObject({
      phase: 'awaiting_approval',
      traffic_percent: 10,
      phase_ends_at: gate.until,
      gate,
    });
  });
});
