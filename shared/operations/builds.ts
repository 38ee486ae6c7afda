import { randomUUID } from 'node:crypto';
import { DomainError, notFound } from '../domain/errors';
import { isExternal } from '../domain/external-apps';
import type { Actor, App, Build } from '../domain/model';
import { DEFAULT_BUILD_PAGE, type BuildStatusUpdate, type NewBuild } from '../domain/requests';
import { findBuild, findBuildAnywhere, insertBuild, listBuilds, settleBuildStatus } from '../store/builds-store';

export type BuildChange = { build: Build; becameSucceeded: boolean };

/**
 * Registers a build. `fixedId` is given by callers that must find this very build again after a crash (a
 * recorded release's build): if it exists already, that build is the answer, unchanged.
 */
export const registerBuild = async (app: App, request: NewBuild, actor: Actor, fixedId?: string): Promise<BuildChange> => {
  const image = request.image ?? (isExternal(app) ? '' : imageRequired());
  const at = new Date().toISOString();
  const build: Build = {
    id: fixedId ?? randomUUID(),
    app: { id: app.id, name: app.name },
    status: request.status,
    source_blob: {
      image,
      commit: request.sha ?? null,
      branch: request.branch ?? null,
      repo: request.repo ?? null,
      version: request.version ?? null,
      author: request.author ?? null,
      message: request.message ?? null,
      tag: request.tag ?? null,
    },
    commits: request.commits ?? [],
    metadata: request.metadata ?? {},
    ci_build_id: request.ci_build_id ?? null,
    created_at: at,
    updated_at: at,
  };
  if (!(await insertBuild(build, actor))) return { build: await requireBuild(app, build.id), becameSucceeded: false };
  return { build, becameSucceeded: build.status === 'succeeded' };
};

/** An app Slipway deploys needs an image to deploy: refused as the body's validation would refuse it. */
const imageRequired = (): never => {
  const issue = { path: 'body.image', message: 'give image (or its alias url); only an external app\'s build may name none' };
  throw new DomainError('unprocessable', 'validation_failed', `Invalid ${issue.path}: ${issue.message}`, { issues: [issue] });
};

export const requireBuild = async (app: App, buildId: string): Promise<Build> => {
  const build = await findBuild(app.id, buildId);
  if (!build) throw notFound('build', buildId);
  return build;
};

export const requireSlug = async (slugId: string): Promise<Build> => {
  const build = await findBuildAnywhere(slugId);
  if (!build) throw notFound('slug', slugId);
  return build;
};

/** The build behind a release request: this app's, else another app's (refused later with 409), else 404. */
export const requireSlugForRelease = async (app: App, slugId: string): Promise<Build> =>
  (await findBuild(app.id, slugId)) ?? (await requireSlug(slugId));

export const updateBuildStatus = async (app: App, buildId: string, request: BuildStatusUpdate, actor: Actor): Promise<BuildChange> => {
  const build = await requireBuild(app, buildId);
  const { build: updated, changed } = await settleBuildStatus(build, request.status, new Date().toISOString(), actor);
  return { build: updated, becameSucceeded: changed && updated.status === 'succeeded' };
};

/**
 * `limit` asks for the oldest builds; without it a client gets the newest page, oldest first, so clients
 * that never page (the Akkeris CLI) see an app's recent builds however long its history.
 */
export const getBuilds = async (app: App, limit: number | undefined): Promise<Build[]> =>
  limit === undefined ? (await listBuilds(app.id, DEFAULT_BUILD_PAGE, true)).reverse() : listBuilds(app.id, limit);
