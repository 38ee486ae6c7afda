import { randomUUID } from 'node:crypto';
import { releaseWithDeployment, statusOfResult, versionReleaseIds, type DeploymentResult } from '../domain/deployments';
import { unprocessable } from '../domain/errors';
import { isExternal, planRecordedRelease, recordedOutcomeOf, type RecordedReport } from '../domain/external-apps';
import type { Actor, App, Commit, Deployment, Metadata, RecordedStatus, Release } from '../domain/model';
import type { NewBuild } from '../domain/requests';
import { listBuilds } from '../store/builds-store';
import { noteHostDeployment } from '../store/hosts-store';
import { findFilteredReleasePage } from '../store/release-index-store';
import { registerBuild } from './builds';
import { directReleaseRefusalFor } from './pipelines';
import { changeRecordedRelease, recordRelease } from './releases';

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

/** What a ReleaseBits client reports of one deployment. */
export type ReportedDeployment = {
  version: string;
  result?: DeploymentResult | undefined;
  stage?: string | undefined;
  host?: string | undefined;
  code_name?: string | undefined;
  started_at?: string | undefined;
  finished_at?: string | undefined;
  commit_sha?: string | undefined;
  tag?: string | undefined;
  branch?: string | undefined;
  meta_data?: Metadata | undefined;
};

/**
 * `POST /components/{app}/deployments`: the version's one recorded release (made by whichever report comes
 * first: its id is derived from the app and the version), with this deployment listed on it in place of the
 * host and stage's earlier one. A deployment without a result is taken as succeeded (it is reported once
 * done), and one without a finish time finished when reported.
 */
export const recordDeployment = async (app: App, reported: ReportedDeployment, actor: Actor): Promise<{ deployment: Deployment; release: Release }> => {
  const refusal = await recordingRefusalOf(app);
  if (refusal === 'not_external') {
    throw unprocessable('not_an_external_app', `${app.name} is deployed by Slipway: only external apps take deployments reported by their clients.`, {
      app: app.name,
    });
  }
  if (refusal) throw refusal;
  const now = new Date().toISOString();
  const report = {
    status: reported.result === undefined ? undefined : statusOfResult(reported.result),
    started_at: reported.started_at,
    finished_at: reported.finished_at,
    name: reported.code_name,
  };
  const outcome = recordedOutcomeOf(report, now, 'succeeded');
  const deployment: Deployment = {
    id: randomUUID(),
    host: reported.host ?? null,
    stage: reported.stage ?? null,
    status: outcome.status,
    started_at: outcome.started_at,
    finished_at: outcome.finished_at,
    code_name: reported.code_name ?? null,
    meta_data: reported.meta_data ?? {},
    created_at: now,
  };
  const release = await recordReportedRelease(
    app,
    {
      build: { version: reported.version, sha: reported.commit_sha, tag: reported.tag, branch: reported.branch, status: 'succeeded' },
      report,
      defaultStatus: 'succeeded',
      description: `Deploy ${reported.version}`,
    },
    actor,
    versionReleaseIds(app.id, reported.version),
  );
  const listed = await changeRecordedRelease(app, release, (latest) => releaseWithDeployment(latest, deployment), actor);
  // The host now runs this release (what runs each release is counted from these rows).
  if (deployment.host !== null) {
    await noteHostDeployment(app.id, { host: deployment.host, release_id: listed.id, version: listed.version, deployment_id: deployment.id, at: now });
  }
  return { deployment, release: listed };
};

/** How many of an app's newest releases its deployment list reads: one page, whatever the history. */
const DEPLOYMENT_LIST_RELEASES = 100;

/** `GET /components/{app}/deployments`: the deployments listed on the app's newest releases, newest first. */
export const listDeployments = async (app: App): Promise<{ deployment: Deployment; release: Release }[]> => {
  const { releases } = await findFilteredReleasePage(app.id, {
    span: { from: 1, to: 9_999_999_999 },
    descending: true,
    limit: DEPLOYMENT_LIST_RELEASES,
    sources: [undefined],
    accept: () => true,
  });
  return releases
    .flatMap((release) => (release.deployments ?? []).map((deployment) => ({ deployment, release })))
    .sort((a, b) => b.deployment.created_at.localeCompare(a.deployment.created_at));
};
