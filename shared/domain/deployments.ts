import { v5 as uuidv5 } from 'uuid';
import { unprocessable } from './errors';
import type { Deployment, RecordedStatus, Release } from './model';

/**
 * Deployments as ReleaseBits' deployments API reports them: one version of a component (an external app)
 * on one host at one stage. All deployments of a version are one recorded release; each (host, stage) is
 * listed once on it, by its latest report (Deployment, in model.ts).
 */

/** How many (host, stage) pairs one release lists: its item stays well within DynamoDB's 400 KB. */
const MAX_DEPLOYMENTS_PER_RELEASE = 100;

/** ReleaseBits' results, in Slipway's statuses. */
export const DEPLOYMENT_RESULTS = ['success', 'succeeded', 'failure', 'failed', 'error', 'pending', 'started', 'in_progress'] as const;
export type DeploymentResult = (typeof DEPLOYMENT_RESULTS)[number];

export const statusOfResult = (result: DeploymentResult): RecordedStatus =>
  result === 'success' || result === 'succeeded' ? 'succeeded' : result === 'pending' || result === 'started' || result === 'in_progress' ? 'pending' : 'failed';

/** ReleaseBits' words for how a deployment went. */
export const resultOfStatus = (status: RecordedStatus): 'success' | 'failure' | 'pending' =>
  status === 'succeeded' ? 'success' : status === 'failed' ? 'failure' : 'pending';

/** The one release (and its build) of a version of an app, whichever host reports it first: derived, so concurrent reports meet. */
export const versionReleaseIds = (appId: string, version: string) => ({
  releaseId: uuidv5(`release:${version}`, appId),
  buildId: uuidv5(`build:${version}`, appId),
});

const sameTarget = (a: Pick<Deployment, 'host' | 'stage'>, b: Pick<Deployment, 'host' | 'stage'>) => a.host === b.host && a.stage === b.stage;

/**
 * The release's changes once `deployment` is listed on it (replacing the earlier report of the same host and
 * stage): its status sums its deployments up (failed if any failed, pending while any is, else succeeded),
 * and its times span theirs. Null when the deployment is listed already (a retried report).
 */
export const releaseWithDeployment = (
  release: Pick<Release, 'deployments' | 'version'>,
  deployment: Deployment,
): { deployments: Deployment[]; status: RecordedStatus; started_at: string | null; finished_at: string | null } | null => {
  const listed = release.deployments ?? [];
  if (listed.some((entry) => entry.id === deployment.id)) return null;
  const deployments = [...listed.filter((entry) => !sameTarget(entry, deployment)), deployment];
  if (deployments.length > MAX_DEPLOYMENTS_PER_RELEASE) {
    throw unprocessable(
      'too_many_deployments',
      `Release v${release.version} lists ${MAX_DEPLOYMENTS_PER_RELEASE} hosts and stages already; report a new version.`,
      { version: release.version, limit: MAX_DEPLOYMENTS_PER_RELEASE },
    );
  }
  const statuses = new Set(deployments.map((entry) => entry.status));
  const status: RecordedStatus = statuses.has('failed') ? 'failed' : statuses.has('pending') ? 'pending' : 'succeeded';
  const times = (pick: (entry: Deployment) => string | null) => deployments.map(pick).filter((time): time is string => time !== null).sort();
  return {
    deployments,
    status,
    started_at: times((entry) => entry.started_at)[0] ?? null,
    finished_at: status === 'pending' ? null : (times((entry) => entry.finished_at).at(-1) ?? null),
  };
};
