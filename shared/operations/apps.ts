import { randomUUID } from 'node:crypto';
import { mayAccessApp, type Principal } from '../domain/access';
import { notFound } from '../domain/errors';
import type { App, Build, Release } from '../domain/model';
import { isId } from '../domain/ids';
import type { AppSettings, NewApp } from '../domain/requests';
import { findAppById, findAppByName, insertApp, listApps, updateAppSettings } from '../store/apps-store';
import { readTogether } from '../store/batch-get';
import { rolloutLockOf } from '../store/rollout-store';
import { buildWithId, findBuild } from '../store/builds-store';
import { findReleaseByVersion, releaseAt } from '../store/releases-store';
import type { RolloutLock } from '../domain/rollout';
import { withCurrentAmong } from '../domain/current-release';
import { assertDeployable } from '../domain/external-apps';
import { ensureStrategyFits } from '../rollout/strategy-fit';
import { describeServiceAhead, runningCountsOf, type RunningCount } from './running-counts';

export const createApp = async (request: NewApp): Promise<App> => {
  // An external app takes no strategy (its request schema refuses one): only an ECS app's service is checked.
  const { cluster, service } = request;
  if (cluster !== undefined && service !== undefined) await ensureStrategyFits({ cluster, service }, request.deployment);
  const at = new Date().toISOString();
  const app: App = {
    id: randomUUID(),
    name: request.name,
    cluster: request.cluster ?? '',
    service: request.service ?? '',
    ...(request.cluster === undefined ? { external: true } : {}),
    container: request.container ?? null,
    auto_release: request.auto_release,
    auto_rollback: request.auto_rollback,
    bake_window_seconds: request.bake_window_seconds,
    public_badge: request.public_badge,
    ...(request.deployment ? { deployment: request.deployment } : {}),
    ...(request.release_phase ? { release_phase: request.release_phase } : {}),
    created_at: at,
    updated_at: at,
    current_release_version: null,
  };
  await insertApp(app);
  return app;
};

/** An app read by name together with the caller's key; `app` is undefined when no app has that name. */
export type AppRead = { name: string; app: App | undefined };

/**
 * Apps are addressed by name or id everywhere (`/apps/{app}`, promotion bodies). An app the key does not
 * cover is answered exactly as one that does not exist. `read` is the app as read with the caller's key
 * (shared/http/http-function.ts), which saves reading it again.
 */
export const requireApp = async (reference: string, principal: Principal, read?: AppRead): Promise<App> => {
  const app = read?.name === reference ? (mayAccessApp(principal, read.name) ? read.app : undefined) : await findVisibleApp(reference, (name) => mayAccessApp(principal, name));
  if (!app) throw notFound('app', reference);
  return withExactCurrent(app);
};

/** For a caller without a key: only an app that made its badge public; any other answers as one that does not exist. */
export const requireAppWithPublicBadge = async (reference: string): Promise<App> => {
  const app = await findVisibleApp(reference, () => true);
  if (!app?.public_badge) throw notFound('app', reference);
  return withExactCurrent(app);
};

/** The app with `current` as it is now: an announced release counts once its own status says succeeded. */
const withExactCurrent = async (app: App): Promise<App> => {
  const announced = app.succeeding_release_version ?? null;
  if (announced === null || announced <= (app.current_release_version ?? 0)) return app;
  const release = await findReleaseByVersion(app.id, announced);
  return release ? withCurrentAmong(app, [release]) : app;
};

/**
 * By id the index answers (eventually consistent); the app item itself is then read consistently, by name.
 * A name outside the key's apps is not even looked up.
 */
const findVisibleApp = async (reference: string, visible: (name: string) => boolean): Promise<App | undefined> => {
  const byId = isId(reference) ? await findAppById(reference) : undefined;
  const name = byId?.name ?? reference;
  if (!visible(name)) return undefined;
  const app = await findAppByName(name);
  return app && (!byId || app.id === byId.id) ? app : undefined;
};

export const getApps = (): Promise<App[]> => listApps();

/** `PATCH /apps/{app}`: the app's settings that may change after it is created. */
export const updateApp = async (app: App, request: AppSettings): Promise<App> => {
  if (request.auto_rollback === true) assertDeployable(app, 'automatic rollback');
  if (request.deployment !== undefined) assertDeployable(app, 'deployment strategy');
  if (request.release_phase) assertDeployable(app, 'release phase');
  await ensureStrategyFits(app, request.deployment);
  const updated = await updateAppSettings(app.name, request, new Date().toISOString());
  if (!updated) throw notFound('app', app.name);
  return withExactCurrent(updated);
};

/**
 * What `GET /apps/{app}` adds: the current release and the build it deployed (for Akkeris' apps:info), and
 * the release rolling out now, if any (the holder of the app's rollout lock, while it has not settled).
 */
export type LiveState = {
  current: { release: Release; build: Build | undefined } | undefined;
  inFlight: Release | undefined;
  /** What runs a release now (see running-counts.ts). */
  running: RunningCount;
};

/**
 * One consistent BatchGetItem reads the rollout lock, the current release and its build (the app keeps
 * the build's id with its pointer). A further read is made only for a release rolling out now, or for
 * a build the app's item does not name (`current` just moved to an announced release, or the pointer
 * last moved before apps kept the build's id).
 */
export const findLiveState = async (app: App): Promise<LiveState> => {
  const version = app.current_release_version;
  const buildId = app.current_release_build_id;
  describeServiceAhead(app);
  const [lock, release, build] = await readTogether<[RolloutLock, Release, Build]>([
    rolloutLockOf(app.id),
    version === null ? undefined : releaseAt(app.id, version),
    version === null || buildId === undefined ? undefined : buildWithId(app.id, buildId),
  ]);
  const current = release && {
    release,
    build: build?.id === release.slug.id ? build : await findBuild(app.id, release.slug.id),
  };
  const inFlight = await findInFlight(app.id, lock?.holder ?? null);
  const shown = [current?.release, inFlight].filter((release): release is Release => release !== undefined);
  return { current, inFlight, running: await runningCountsOf(app, shown) };
};

const findInFlight = async (appId: string, holder: RolloutLock['holder']): Promise<Release | undefined> => {
  if (!holder) return undefined;
  const release = await findReleaseByVersion(appId, holder.version);
  return release && (release.status === 'queued' || release.status === 'pending') ? release : undefined;
};
