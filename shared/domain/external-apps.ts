import { conflict, unprocessable } from './errors';
import type { App, Build, RecordedOutcome, RecordedStatus, Release, ReleaseStatus } from './model';
import { planBuildRelease, type ReleasePlan } from './release-request';

/**
 * External apps: apps Slipway does not run. Their releases are recorded as their clients report them
 * (status, times, where to see them) and never deployed: no rollout, no lock, no ECS call.
 */

export const isExternal = (app: Pick<App, 'external'>): boolean => app.external === true;

/** Anything that would deploy (a rollback, a config change, a promotion target, auto-release) is refused on an external app. */
export const assertDeployable = (app: Pick<App, 'name' | 'external'>, what: string): void => {
  if (!isExternal(app)) return;
  throw unprocessable(
    'external_app_not_deployed',
    `${app.name} is an external app: Slipway records its releases and never deploys them, so it takes no ${what}.`,
    { app: app.name },
  );
};

/** What a client may report of a release it ran itself; every field optional. */
export type RecordedReport = {
  status?: RecordedStatus | undefined;
  started_at?: string | undefined;
  finished_at?: string | undefined;
  url?: string | undefined;
  name?: string | undefined;
};

const REPORT_FIELDS = ['status', 'started_at', 'finished_at', 'url', 'name'] as const;

/** The report fields a request gave, by name. */
const reportedFieldsOf = (report: RecordedReport): string[] => REPORT_FIELDS.filter((field) => report[field] !== undefined);

/** A release Slipway rolls out has its status and times from the rollout: a client cannot report them. */
export const assertNothingReported = (app: Pick<App, 'name'>, report: RecordedReport): void => {
  const given = reportedFieldsOf(report);
  if (given.length === 0) return;
  throw unprocessable(
    'not_an_external_app',
    `${app.name} is deployed by Slipway, which sets its releases' status and times itself; ${given.join(', ')} may be reported only for external apps.`,
    { app: app.name, fields: given },
  );
};

/**
 * The outcome a client reports: `pending` until it says otherwise (`defaultStatus`); a settled release
 * without a finish time finished when it was reported (`now`). A finish before the start is refused.
 */
export const recordedOutcomeOf = (report: RecordedReport, now: string, defaultStatus: RecordedStatus = 'pending'): RecordedOutcome => {
  const status = report.status ?? defaultStatus;
  const startedAt = report.started_at ?? null;
  const finishedAt = report.finished_at ?? (status === 'pending' ? null : notBefore(now, startedAt));
  assertTimesInOrder(startedAt, finishedAt);
  return { status, started_at: startedAt, finished_at: finishedAt, url: report.url ?? null, name: report.name ?? null };
};

/**
 * When a release that the client gives no finish time for finished: when it was reported, or its start if
 * that is later (a client's clock a little ahead of Slipway's must not make its own report refused).
 */
const notBefore = (now: string, startedAt: string | null): string =>
  startedAt !== null && Date.parse(startedAt) > Date.parse(now) ? startedAt : now;

const assertTimesInOrder = (startedAt: string | null, finishedAt: string | null): void => {
  if (startedAt === null || finishedAt === null || Date.parse(startedAt) <= Date.parse(finishedAt)) return;
  throw unprocessable('finished_before_started', `finished_at (${finishedAt}) is before started_at (${startedAt}).`, {
    started_at: startedAt,
    finished_at: finishedAt,
  });
};

/** A recorded release of `build` (which must be this app's and succeeded, as for any release). */
export const planRecordedRelease = (app: App, build: Build, outcome: RecordedOutcome, description?: string): ReleasePlan => ({
  ...planBuildRelease(app, build, 'deploy', description),
  recorded: outcome,
});

/** What a client's later report (`PATCH`) changes on a recorded release; null when nothing changes. */
export const recordedStatusChange = (
  release: Pick<Release, 'recorded' | 'status' | 'version' | 'started_at' | 'finished_at'>,
  report: { status: Exclude<RecordedStatus, 'pending'>; finished_at?: string | undefined },
  now: string,
): { status: ReleaseStatus; finished_at: string } | null => {
  if (release.recorded !== true) {
    throw conflict(
      'release_not_recorded',
      `Release v${release.version} is rolled out by Slipway, which sets its status itself; only releases of external apps take a reported status.`,
      { version: release.version },
    );
  }
  const finishedAt =
    report.finished_at ?? (release.status === report.status && release.finished_at ? release.finished_at : notBefore(now, release.started_at));
  assertTimesInOrder(release.started_at, finishedAt);
  if (release.status === report.status && release.finished_at === finishedAt) return null;
  return { status: report.status, finished_at: finishedAt };
};
