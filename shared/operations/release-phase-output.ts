import { config } from '../config/config';
import { DomainError } from '../domain/errors';
import type { Release } from '../domain/model';
import { isOutputComplete } from '../domain/release-phase';
import { readLogLines, type LogLine } from '../logs/log-reader';

/** What a release phase printed so far, and whether that is all of it. */
export type ReleasePhaseOutput = { lines: LogLine[]; complete: boolean };

const unreadable = (release: Release, reason: string, details: Record<string, unknown> = {}) =>
  new DomainError('not_found', 'release_phase_output_unreadable', `The release phase output of v${release.version} cannot be read: ${reason}`, {
    release: release.id,
    ...details,
  });

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
  const complete = isOutputComplete(run, new Date(), config().ecsMinuteMs);
  if (!run.task_arn) return { lines: [], complete };
  if (!run.log) {
    throw unreadable(release, "its container does not log with the awslogs driver and an awslogs-stream-prefix (its task definition's logConfiguration).", {
      task_arn: run.task_arn,
    });
  }
  try {
    return { lines: (await readLogLines(run.log)).lines, complete };
  } catch (error) {
    if (error instanceof Error && error.name === 'AccessDeniedException') {
      throw unreadable(release, `Slipway may not read log group ${run.log.group} (name it in -c slipway:releasePhaseLogGroups).`, {
        log_group: run.log.group,
      });
    }
    throw error;
  }
};
