import { randomUUID } from 'node:crypto';
import { mayAccessApp, type Principal } from '../domain/access';
import { notFound } from '../domain/errors';
import type { App, Build, Release } from '../domain/model';
import { isId } from '../domain/ids';
import type { AppSettings, NewApp } from '../domain/requests';
import { findAppById, findAppByName, insertApp, listApps, updateAppSettings } from '../store/apps-store';
import { getRolloutLock } from '../store/rollout-store';
import { findBuild } from '../store/builds-store';
import { findReleaseByVersion } from '../store/releases-store';
import { withCurrentAmong } from '../domain/current-release';


export const createApp = async (request: NewApp): Promise<App> => {
  const at = new Date().toISOString();
  const app: App = {
    id: randomUUID(),
    name: request.name,
    cluster: request.cluster,
    service: request.service,
    container: request.container ?? null,
    auto_release: request.auto_release,
    auto_rollback: request.auto_rollback,
    bake_window_seconds: request.bake_window_seconds,
    public_badge: request.public_badge,
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
  const updated = await updateAppSettings(app.name, request, new Date().toISOString());
  if (!updated) throw notFound('app', app.name);
  return withExactCurrent(updated);
};

/**
 * What `GET /apps/{app}` adds: the current release and the build it deployed (for Akkeris' apps:info), and
 * the release rolling out now, if any (the holder of the app's rollout lock, while it has not settled).
 */
export type LiveState = { current: { release: Release; build: Build | undefined } | undefined; inFlight: Release | undefined };

export const findLiveState = async (app: App): Promise<LiveState> => {
  const [current, inFlight] = await Promise.all([findCurrent(app), findInFlight(app)]);
  return { current, inFlight };
};

const findCurrent = async (app: App): Promise<LiveState['current']> => {
  if (app.current_release_version === null) return undefined;
  const release = await findReleaseByVersion(app.id, app.current_release_version);
  return release ? { release, build: await findBuild(app.id, release.slug.id) } : undefined;
};

const findInFlight = async (app: App): Promise<Release | undefined> => {
  const { holder } = await getRolloutLock(app.id);
  if (!holder) return undefined;
  const release = await findReleaseByVersion(app.id, holder.version);
  return release && (release.status === 'queued' || release.status === 'pending') ? release : undefined;
};
