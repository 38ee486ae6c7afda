import { CreateAppRequest, UpdateAppRequest } from '../shared/api/apps';
import { presentApp, presentAppDetail, presentAppFeatures } from '../shared/api/presenters';
import { authorize, mayAccessApp } from '../shared/domain/access';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { createApp, findLiveState, getApps, updateApp } from '../shared/operations/apps';

export const handler = httpFunction<'apps'>({
  'POST /apps': async ({ body, principal }) => {
    authorize(principal, 'apps:manage');
    const app = await createApp(parseInput(CreateAppRequest, body, 'body'));
    return { status: 201, body: presentApp(app), headers: { location: `/apps/${app.name}` } };
  },
  'GET /apps': async ({ principal }) => {
    authorize(principal, 'read');
    const apps = await getApps();
    return { status: 200, body: apps.filter((app) => mayAccessApp(principal, app.name)).map(presentApp) };
  },
  'GET /apps/{app}': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentAppDetail(app, await findLiveState(app)) };
  },
  'PATCH /apps/{app}': async ({ body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'releases:rollback', app.name);
    const updated = await updateApp(app, parseInput(UpdateAppRequest, body, 'body'));
    return { status: 200, body: presentAppDetail(updated, await findLiveState(updated)) };
  },
  'GET /apps/{app}/features': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentAppFeatures(app) };
  },
}, authenticateCaller);
