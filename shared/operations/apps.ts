import { randomUUID } from 'node:crypto';
import type { CreateAppRequest } from '../api/apps';
import { notFound } from '../domain/errors';
import type { App } from '../domain/model';
import { findAppById, findAppByName, insertApp, listApps } from '../store/apps-store';
import { findReleaseByVersion } from '../store/releases-store';
import { withCurrentAmong } from '../domain/current-release';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const createApp = async (request: CreateAppRequest): Promise<App> => {
  const at = new Date().toISOString();
  const app: App = {
    id: randomUUID(),
    name: request.name,
    cluster: request.cluster,
    service: request.service,
    container: request.container ?? null,
    auto_release: request.auto_release,
    created_at: at,
    updated_at: at,
    current_release_version: null,
  };
  await insertApp(app);
  return app;
};

/** Apps are addressed by name or id everywhere (`/apps/{app}`, promotion bodies, key scopes). */
export const requireApp = async (reference: string): Promise<App> => {
  // By id the index answers (eventually consistent); the app item itself is then read consistently.
  const byId = UUID_PATTERN.test(reference) ? await findAppById(reference) : undefined;
  const app = await findAppByName(byId?.name ?? reference);
  if (!app || (byId && app.id !== byId.id)) throw notFound('app', reference);
  return withExactCurrent(app);
};

/** The app with `current` as it is now: an announced release counts once its own status says succeeded. */
const withExactCurrent = async (app: App): Promise<App> => {
  const announced = app.succeeding_release_version ?? null;
  if (announced === null || announced <= (app.current_release_version ?? 0)) return app;
  const release = await findReleaseByVersion(app.id, announced);
  return release ? withCurrentAmong(app, [release]) : app;
};

export const getApps = (): Promise<App[]> => listApps();
