import { isExternal } from '../domain/external-apps';
import type { App, Release } from '../domain/model';
import { runningTasksByTaskDefinition } from '../ecs/ecs-adapter';
import { logger } from '../observability/logger';
import { listHostDeployments } from '../store/hosts-store';

/**
 * What runs each release now: for an app Slipway deploys, the tasks of the task definition revision the
 * release registered, as its ECS service's deployments count them; for an external app, the distinct hosts
 * whose latest reported deployment is that release. Null when it cannot be told now (ECS unavailable).
 */
export type RunningCount = (release: Pick<Release, 'id' | 'rollout'>) => number | null;

/** How long what a service runs is kept per process: a poll costs one DescribeServices per service every few seconds, not one per read. */
const RUNNING_TASKS_CACHE_MS = 3_000;

type Cached = { at: number; running: Promise<ReadonlyMap<string, number> | undefined> };
const services = new Map<string, Cached>();

/** Tasks per task definition on the app's service, read at most RUNNING_TASKS_CACHE_MS ago; undefined when unknown (remembered as long). */
const runningTasksOf = (app: App, now: number): Promise<ReadonlyMap<string, number> | undefined> => {
  const key = `${app.cluster}\u0000${app.service}`;
  const cached = services.get(key);
  if (cached && now - cached.at < RUNNING_TASKS_CACHE_MS) return cached.running;
  for (const [other, entry] of services) if (now - entry.at >= RUNNING_TASKS_CACHE_MS) services.delete(other);
  const running = runningTasksByTaskDefinition({ cluster: app.cluster, service: app.service }).catch((error: unknown) => {
    logger.warn('running tasks unknown: the service could not be described', { app: app.name, error: error as Error });
    return undefined;
  });
  services.set(key, { at: now, running });
  return running;
};

/**
 * Starts describing the app's service beside the reads that find the releases to show, rather than after
 * them, where one of those surely reached ECS (the app has a current release): the answer is then at hand
 * when `runningCountsOf` asks, as its cache keeps it.
 */
export const describeServiceAhead = (app: App): void => {
  if (!isExternal(app) && app.current_release_version !== null) void runningTasksOf(app, Date.now());
};

/**
 * The running count of each of `releases` (those about to be shown). An ECS service is described only when
 * one of them registered a revision (a release that never reached ECS runs nothing), at most once per
 * service every few seconds.
 */
export const runningCountsOf = async (app: App, releases: readonly Pick<Release, 'rollout'>[]): Promise<RunningCount> => {
  if (isExternal(app)) {
    const hosts = Map.groupBy(await listHostDeployments(app.id), (host) => host.release_id);
    return (release) => hosts.get(release.id)?.length ?? 0;
  }
  if (!releases.some((release) => release.rollout?.task_definition_arn)) return () => 0;
  const running = await runningTasksOf(app, Date.now());
  return (release) => {
    if (!running) return null;
    const revision = release.rollout?.task_definition_arn;
    return revision ? (running.get(revision) ?? 0) : 0;
  };
};
