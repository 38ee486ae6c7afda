import { isExternal, planRecordedRelease, recordedOutcomeOf, type RecordedReport } from '../domain/external-apps';
import type { Actor, App, Commit, Metadata, RecordedStatus, Release } from '../domain/model';
import type { NewBuild } from '../domain/requests';
import { listBuilds } from '../store/builds-store';
import { registerBuild } from './builds';
import { directReleaseRefusalFor } from './pipelines';
import { recordRelease } from './releases';

/**
 * Releases that clients of other release APIs report (Echoes' releases, ReleaseBits' deployments), recorded
 * on external apps as a build and a recorded release each, under ids fixed in advance: a retry, or whoever
 * carries a request cut short on, finds what the first attempt wrote instead of writing it twice.
 */

/** What a client reported: the build's facts and how the release went. */
export type ReportedRelease = {
  build: NewBuild;
  report: RecordedReport;
  /** The status when the client gives none. */
  defaultStatus: RecordedStatus;
  description?: string | undefined;
  notes?: string | undefined;
  metadata?: Metadata | undefined;
};

/**
 * Why `app` cannot take a reported release, or null: it is not external, or a pipeline stage before it
 * releases to it by promotion only. Asked of every app of a request before anything is written.
 */
export const recordingRefusalOf = async (app: App): Promise<'not_external' | Error | null> =>
  !isExternal(app) ? 'not_external' : await directReleaseRefusalFor(app);

/** The build and the recorded release, each found if an earlier attempt wrote it. */
export const recordReportedRelease = async (
  app: App,
  reported: ReportedRelease,
  actor: Actor,
  ids: { releaseId: string; buildId: string },
): Promise<Release> => {
  const { build } = await registerBuild(app, reported.build, actor, ids.buildId);
  const outcome = recordedOutcomeOf(reported.report, new Date().toISOString(), reported.defaultStatus);
  const plan = planRecordedRelease(app, build, outcome, reported.description);
  return recordRelease(app, { ...plan, notes: reported.notes, metadata: reported.metadata }, actor, ids.releaseId);
};

/** How many of the app's newest builds a sha is looked up in: one Query, whatever the history. */
const KNOWN_BUILDS = 100;

/**
 * Commits a client names by sha alone, with author, time and message where a recent build of the app lists
 * them (one Query of its newest builds); the others are kept as shas, their time unknown.
 */
export const commitsOfShas = async (app: App, shas: readonly string[]): Promise<Commit[]> => {
  if (shas.length === 0) return [];
  const known = new Map<string, Commit>();
  for (const build of await listBuilds(app.id, KNOWN_BUILDS, true)) {
    for (const commit of build.commits ?? []) if (!known.has(commit.sha)) known.set(commit.sha, commit);
  }
  return shas.map((sha) => known.get(sha) ?? { sha, author: null, committed_at: null, message: null });
};
