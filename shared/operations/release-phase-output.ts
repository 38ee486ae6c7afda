import { DomainError } from '../domain/errors';
import type { Release } from '../domain/model';
import { readReleasePhaseOutput, type LogLine } from '../ecs/task-logs';

/** What a release phase printed so far, and whether that is all of it. */
export type ReleasePhaseOutput = { lines: LogLine[]; complete: boolean };

/**
 * `GET /apps/{app}/releases/{release}/release-phase/output`: the lines of its one-off task, from the CloudWatch Logs
 * stream its awslogs driver writes. A release that ran no release phase, or whose container logs nowhere Slipway
 * can read, is a clear 404; a task not started yet has printed nothing.
 */
export const releasePhaseOutput = async (release: Release): Promise<ReleasePhaseOutput> => {
  const run = release.release_phase;
  if (!run || run.status === 'skipped') {
    throw new DomainError('not_found', 'release_phase_not_run', `Release v${release.version} ran no release phase.`, {
      release: release.id,
      release_phase: run?.status ?? null,
    });
  }
  if (!run.task_arn) return { lines: [], complete: run.status !== 'running' };
  const { log } = run;
  if (!log) {
    throw new DomainError(
      'not_found',
      'release_phase_output_unreadable',
      `The release phase output of v${release.version} cannot be read: its container does not log with the awslogs driver and an awslogs-stream-prefix (its task definition's logConfiguration).`,
      { release: release.id, task_arn: run.task_arn },
    );
  }
  return readReleasePhaseOutput({ ...run, log });
};
