import { presentReleaseStatuses, presentStatus } from '../shared/api/presenters';
import { CreateStatusRequest, UpdateStatusRequest } from '../shared/api/statuses';
import { actorOf, authorize } from '../shared/domain/access';
import { requireStatusCheck } from '../shared/domain/status-checks';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { autoRollBackOnCheck } from '../shared/operations/auto-rollback';
import { reviewGateOnCheck } from '../shared/operations/release-actions';
import { requireRelease } from '../shared/operations/releases';
import { patchStatus, postStatus } from '../shared/operations/statuses';
import { relayNotedEventsInBackground } from '../shared/events/relay';

export const handler = httpFunction<'statuses'>({
  'POST /apps/{app}/releases/{release}/statuses': async ({ params, body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'statuses:write', app.name);
    const request = parseInput(CreateStatusRequest(), body, 'body');
    const { release, status } = await postStatus(await requireRelease(app, params.release ?? ''), request, actorOf(principal));
    await reviewGateOnCheck(app, release, status);
    await autoRollBackOnCheck(app, release, status);
    return {
      status: 201,
      body: presentStatus(status),
      headers: { location: `/apps/${app.name}/releases/${release.id}/statuses/${encodeURIComponent(status.context)}` },
    };
  },
  'GET /apps/{app}/releases/{release}/statuses/{context}': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const release = await requireRelease(app, params.release ?? '');
    return { status: 200, body: presentStatus(requireStatusCheck(release, params.context ?? '')) };
  },
  'PATCH /apps/{app}/releases/{release}/statuses/{context}': async ({ params, body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'statuses:write', app.name);
    const context = params.context ?? '';
    const request = parseInput(UpdateStatusRequest(), body, 'body');
    const { release, status } = await patchStatus(await requireRelease(app, params.release ?? ''), context, request, actorOf(principal));
    await reviewGateOnCheck(app, release, status);
    await autoRollBackOnCheck(app, release, status);
    return { status: 200, body: presentStatus(status) };
  },
  'GET /apps/{app}/releases/{release}/statuses': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentReleaseStatuses(await requireRelease(app, params.release ?? ''), app) };
  },
}, authenticateCaller, { afterRequest: relayNotedEventsInBackground });
