import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException, type GetLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { createAwsClient } from '../aws/aws-client';
import { config } from '../config/config';
import { DomainError } from '../domain/errors';
import { isOutputComplete, type LogStream, type ReleasePhaseRun } from '../domain/release-phase';

/**
 * Reads the lines a container wrote to CloudWatch Logs through the awslogs driver. LOGS_ENDPOINT points the client
 * at the local ECS simulator, which serves the streams of its one-off tasks with the same API.
 */

const clients = new Map<string, CloudWatchLogsClient>();

/** One client per region (a task definition may name its log group's region, awslogs-region), or per local endpoint. */
const clientFor = (region: string | null): CloudWatchLogsClient => {
  const { logsEndpoint } = config();
  const key = logsEndpoint ?? region ?? config().region;
  let client = clients.get(key);
  if (!client) {
    client = createAwsClient(CloudWatchLogsClient, { endpoint: logsEndpoint, maxAttempts: 3, requestTimeoutMs: 5_000 }, logsEndpoint || !region ? {} : { region });
    clients.set(key, client);
  }
  return client;
};

export type LogLine = { at: string; text: string };

/** At most this many lines are returned: a release phase's output is for reading, not an archive. */
const MAX_OUTPUT_LINES = 10_000;

/** The stream's lines, oldest first (none while the stream does not exist yet: the task has not written). */
export const readLogLines = async (stream: LogStream): Promise<{ lines: LogLine[]; truncated: boolean }> => {
  const client = clientFor(stream.region);
  const lines: LogLine[] = [];
  let token: string | undefined;
  for (;;) {
    let page: GetLogEventsCommandOutput;
    try {
      page = await client.send(
        new GetLogEventsCommand({ logGroupName: stream.group, logStreamName: stream.stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException || (error instanceof Error && error.name === 'ResourceNotFoundException')) return { lines, truncated: false };
      throw error;
    }
    for (const event of page.events ?? []) {
      lines.push({ at: new Date(event.timestamp ?? 0).toISOString(), text: event.message ?? '' });
      if (lines.length >= MAX_OUTPUT_LINES) return { lines, truncated: true };
    }
    // GetLogEvents answers the same forward token once the stream's end is reached.
    if (!page.nextForwardToken || page.nextForwardToken === token || (page.events ?? []).length === 0) return { lines, truncated: false };
    token = page.nextForwardToken;
  }
};

/**
 * What a release phase's task printed so far, and whether that is all of it. A task not started yet has printed
 * nothing; a log group Slipway may not read is a clear 404 naming it.
 */
export const readReleasePhaseOutput = async (run: ReleasePhaseRun & { log: LogStream }): Promise<{ lines: LogLine[]; complete: boolean }> => {
  const complete = isOutputComplete(run, new Date(), config().ecsMinuteMs);
  try {
    return { lines: (await readLogLines(run.log)).lines, complete };
  } catch (error) {
    if (error instanceof Error && error.name === 'AccessDeniedException') {
      throw new DomainError(
        'not_found',
        'release_phase_output_unreadable',
        `The release phase output cannot be read: Slipway may not read log group ${run.log.group} (name it in -c slipway:releasePhaseLogGroups).`,
        { log_group: run.log.group, task_arn: run.task_arn },
      );
    }
    throw error;
  }
};
