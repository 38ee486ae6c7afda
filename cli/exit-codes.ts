import type { ErrorResponse } from '../shared/api/error-responses';

/** What a CI job can branch on; `--help` and the README list the same table. */
export const EXIT = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  timedOutOrUnknown: 3,
  refused: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  succeeded
  1  failed (the rollout failed, or checks failed)
  2  usage error (bad arguments, no endpoint or API key configured)
  3  timed out waiting, the release ended "unknown", or Slipway could not be reached
  4  refused by the API (a 4xx answer); its error code and message are printed on stderr`;

/** An error that ends the command with `code` after printing `message` on stderr. */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);

/**
 * A refusal keeps the API's error document, so `--json` can hand it on unchanged; `explanation` adds lines
 * (what its details say, what to do) under the API's message.
 */
export class ApiRefusal extends CliError {
  constructor(
    readonly status: number,
    readonly document: ErrorResponse,
    explanation: string[] = [],
  ) {
    super(EXIT.refused, [`Refused by Slipway (${status} ${document.error.code}): ${document.error.message}`, ...explanation].join('\n'));
  }
}
