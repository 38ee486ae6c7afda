import { setTimeout as sleep } from 'node:timers/promises';
import type { ReleaseResponse } from '../shared/api/release-responses';
import { FINAL_RELEASE_STATUSES } from '../shared/domain/model';
import type { SlipwayApi } from './api';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { progressView } from './rollout-progress';
import { releasePhaseFollower } from './release-phase-output';

export type WaitOptions = {
  timeoutSeconds: number;
  /** Where progress goes: stdout normally, stderr under --json so stdout stays one JSON document. */
  stream: NodeJS.WriteStream;
};

export const DEFAULT_WAIT_TIMEOUT_SECONDS = 3600;
const POLL_MS = Number(process.env.SLIPWAY_POLL_MS) || 500;
/** The shell's convention for a command ended by Ctrl-C. */
const INTERRUPTED = 130;

export const exitCodeOf = (release: ReleaseResponse): ExitCode =>
  release.status === 'succeeded' ? EXIT.succeeded : release.status === 'failed' ? EXIT.failed : EXIT.timedOutOrUnknown;

/** Polls the release until its rollout settles, showing it as it goes; throws exit 3 when the wait times out. */
export const waitForRelease = async (api: SlipwayApi, app: string, id: string, options: WaitOptions) => {
  const view = progressView(options.stream);
  const releasePhaseLines = releasePhaseFollower(api, app);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const followAgain = `\`slipway releases:wait ${id} -a ${app}\` follows it again`;
  // Ctrl-C stops the watching, not the rollout; the view still ends on a clean line with the cursor back.
  const interrupted = () => {
    view.end(null);
    process.stderr.write(`The rollout goes on; ${followAgain}.\n`);
    process.exit(INTERRUPTED);
  };
  process.once('SIGINT', interrupted);
  try {
    for (;;) {
      const release = await api.release(app, id);
      view.output(await releasePhaseLines(release));
      view.update(release);
      if (FINAL_RELEASE_STATUSES.includes(release.status)) {
        view.end(release);
        return release;
      }
      if (Date.now() + POLL_MS > deadline) break;
      await sleep(POLL_MS);
    }
  } catch (error) {
    view.end(null);
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
  view.end(null);
  throw new CliError(
    EXIT.timedOutOrUnknown,
    `Timed out after ${options.timeoutSeconds}s waiting for ${app}'s release to settle; it goes on rolling out (${followAgain})`,
  );
};
