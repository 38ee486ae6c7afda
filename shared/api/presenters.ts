import type { App, Build, Release } from '../domain/model';
import type { AppResponse } from './apps';
import type { BuildResponse } from './builds';
import type { ReleaseResponse } from './releases';

/** Domain entities to their wire shapes; storage-only fields never leave the service. */
export const presentApp = (app: App): AppResponse => ({
  id: app.id,
  name: app.name,
  cluster: app.cluster,
  service: app.service,
  container: app.container,
  auto_release: app.auto_release,
  created_at: app.created_at,
  updated_at: app.updated_at,
});

export const presentBuild = (build: Build): BuildResponse => ({
  id: build.id,
  app: build.app,
  created_at: build.created_at,
  updated_at: build.updated_at,
  status: build.status,
  source_blob: build.source_blob,
  slug: { id: build.id },
});

/** `current` is derived from the app's pointer, so exactly one release per app can ever show it. */
export const presentRelease = (release: Release, app: App): ReleaseResponse => ({
  id: release.id,
  app: release.app,
  version: release.version,
  slug: release.slug,
  description: release.description,
  status: release.status,
  state: release.state,
  current: app.current_release_version === release.version,
  user: release.user,
  created_at: release.created_at,
  updated_at: release.updated_at,
  started_at: release.started_at,
  finished_at: release.finished_at,
  trigger: release.trigger,
  rollout: release.rollout,
});
