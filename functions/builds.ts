import { CreateBuildRequest, ListBuildsQuery, UpdateBuildRequest } from '../shared/api/builds';
import { presentBuild } from '../shared/api/presenters';
import { actorOf, authorize } from '../shared/domain/access';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { ensureAutoRelease } from '../shared/operations/auto-release';
import { getBuilds, registerBuild, requireBuild, requireSlug, updateBuildStatus } from '../shared/operations/builds';
import { relayNotedEventsInBackground } from '../shared/events/relay';

export const handler = httpFunction<'builds'>({
  'POST /apps/{app}/builds': async ({ body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'builds:write', app.name);
    const { build } = await registerBuild(app, parseInput(CreateBuildRequest(), body, 'body'), actorOf(principal));
    await ensureAutoRelease(app, build, actorOf(principal));
    return { status: 201, body: presentBuild(build), headers: { location: `/apps/${app.name}/builds/${build.id}` } };
  },
  'GET /apps/{app}/builds': async ({ query, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const { limit } = parseInput(ListBuildsQuery(), query, 'query');
    return { status: 200, body: (await getBuilds(app, limit)).map(presentBuild) };
  },
  'GET /apps/{app}/builds/{build}': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentBuild(await requireBuild(app, params.build ?? '')) };
  },
  'PATCH /apps/{app}/builds/{build}': async ({ params, body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'builds:write', app.name);
    const { build } = await updateBuildStatus(app, params.build ?? '', parseInput(UpdateBuildRequest(), body, 'body'), actorOf(principal));
    // Also on a repeated report of success, so a retry finishes an auto-release a crashed request began.
    await ensureAutoRelease(app, build, actorOf(principal));
    return { status: 200, body: presentBuild(build) };
  },
  'GET /slugs/{slug}': async ({ params, principal }) => {
    const build = await requireSlug(params.slug ?? '');
    authorize(principal, 'read', build.app.name);
    return { status: 200, body: presentBuild(build) };
  },
}, authenticateCaller, { afterRequest: relayNotedEventsInBackground });
