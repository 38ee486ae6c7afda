import { describe, expect, it } from 'vitest';
import {
  awslogsStreamOf,
  isInReleasePhase,
  isOutputComplete,
  outcomeOfTask,
  planReleasePhase,
  releasePhaseDeadline,
  startedByOf,
} from '../../shared/domain/release-phase';

const SETTINGS = { command: ['npm', 'run', 'migrate'], timeout_minutes: 60, on_rollback: false };
const NOW = '2026-12-07T00:00:00.000Z';

describe('the release phase a rollout runs', () => {
  it('is none without settings, skipped by a rollback unless on_rollback, and running (not started) otherwise', () => {
    expect(planReleasePhase(null, { isRollback: false }, NOW)).toBeNull();
    expect(planReleasePhase(SETTINGS, { isRollback: false }, NOW)).toMatchObject({ status: 'running', task_arn: null, started_at: null, command: SETTINGS.command });
    expect(planReleasePhase(SETTINGS, { isRollback: true }, NOW)).toMatchObject({ status: 'skipped', finished_at: NOW });
    expect(planReleasePhase({ ...SETTINGS, on_rollback: true }, { isRollback: true }, NOW)?.status).toBe('running');
  });

  it('holds a release back from ECS only while it runs', () => {
    const run = planReleasePhase(SETTINGS, { isRollback: false }, NOW);
    expect(isInReleasePhase({ status: 'pending', release_phase: run })).toBe(true);
    expect(isInReleasePhase({ status: 'queued', release_phase: run })).toBe(false);
    expect(isInReleasePhase({ status: 'pending', release_phase: run && { ...run, status: 'succeeded' } })).toBe(false);
    expect(isInReleasePhase({ status: 'pending', release_phase: null })).toBe(false);
  });
});

describe('how a release phase ends', () => {
  it('passes on exit code 0 alone; any other exit code, or a stop without one, fails with a message saying which', () => {
    expect(outcomeOfTask({ lastStatus: 'RUNNING', exitCode: null, stoppedReason: null })).toBeNull();
    expect(outcomeOfTask({ lastStatus: 'STOPPED', exitCode: 0, stoppedReason: 'Essential container in task exited' })).toEqual({ status: 'succeeded', exit_code: 0, reason: null });
    expect(outcomeOfTask({ lastStatus: 'STOPPED', exitCode: 3, stoppedReason: null })).toEqual({ status: 'failed', exit_code: 3, reason: 'release phase exited 3' });
    expect(outcomeOfTask({ lastStatus: 'STOPPED', exitCode: null, stoppedReason: 'CannotPullContainerError: not found' })).toEqual({
      status: 'failed',
      exit_code: null,
      reason: 'release phase stopped without an exit code: CannotPullContainerError: not found',
    });
  });

  it('times out counted in ECS minutes from when its task started', () => {
    expect(releasePhaseDeadline({ started_at: null, timeout_minutes: 5 }, 60_000)).toBeNull();
    expect(releasePhaseDeadline({ started_at: NOW, timeout_minutes: 5 }, 60_000)?.toISOString()).toBe('2026-12-07T00:05:00.000Z');
    expect(releasePhaseDeadline({ started_at: NOW, timeout_minutes: 5 }, 100)?.toISOString()).toBe('2026-12-07T00:00:00.500Z');
  });

  it('has all its output once it ended and the log driver had a sixth of a minute to deliver the last lines', () => {
    expect(isOutputComplete({ status: 'running', finished_at: null }, new Date(NOW), 60_000)).toBe(false);
    expect(isOutputComplete({ status: 'failed', finished_at: NOW }, new Date('2026-12-07T00:00:05Z'), 60_000)).toBe(false);
    expect(isOutputComplete({ status: 'failed', finished_at: NOW }, new Date('2026-12-07T00:00:10Z'), 60_000)).toBe(true);
    expect(isOutputComplete({ status: 'skipped', finished_at: null }, new Date(NOW), 60_000)).toBe(true);
  });
});

describe('where its output is', () => {
  const task = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0f1e2d3c';
  it('is the awslogs stream prefix/container/task id, and nowhere without awslogs or a stream prefix', () => {
    expect(awslogsStreamOf({ logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'eu-west-1' } }, 'web', task)).toEqual({
      group: '/ecs/web',
      stream: 'ecs/web/0f1e2d3c',
      region: 'eu-west-1',
    });
    expect(awslogsStreamOf({ logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } }, 'web', task)).toBeNull();
    expect(awslogsStreamOf({ logDriver: 'awsfirelens', options: {} }, 'web', task)).toBeNull();
    expect(awslogsStreamOf(undefined, 'web', task)).toBeNull();
  });

  it('is found again by the startedBy ECS allows: letters, digits, - / _, at most 128', () => {
    expect(startedByOf('0b8f1f8e-7a64-4d5c-9a53-2f4e6c1d8b90')).toMatch(/^[A-Za-z0-9_/-]{1,128}$/);
  });
});
