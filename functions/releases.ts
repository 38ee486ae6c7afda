import { CreateReleaseRequest, ListReleasesQuery, UpdateReleaseRequest, releaseListRequestOf } from '../shared/api/releases';
import { decodeCursor, encodeCursor } from '../shared/api/cursor';
import { presentRelease, presentSignalRelease } from '../shared/api/presenters';
import { SignalReleaseRequest, SignalStatusRequest } from '../shared/api/signals';
import { DeploymentRequest } from '../shared/api/deployments';
import { presentDeployment } from '../shared/api/presenters';
import { parseForm } from '../shared/http/form';
import { listDeployments, recordDeployment } from '../shared/operations/recorded-releases';
import { describeServiceAhead, runningCountsOf } from '../shared/operations/running-counts';
import { declareSignalRelease, reportSignalStatus, requireSignalRelease, resumeSignalRelease } from '../shared/operations/signal-releases';
import { actorOf, authorize } from '../shared/domain/access';
import { withCurrentAmong } from '../shared/domain/current-release';
import { createOnce } from '../shared/http/create-once';
import { httpFunction, type HttpRequest } from '../shared/http/http-function';
import type { ReleaseAction } from '../shared/domain/release-actions';
import { actOnRelease } from '../shared/operations/release-actions';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { createRelease, findRecordedRelease, listReleases, reportRecordedStatusOf, requireRelease } from '../shared/operations/releases';
import { relayNotedEventsInBackground } from '../shared/events/relay';
import { releasePhaseOutput } from '../shared/operations/release-phase-output';

/** An operator's action on a release at its bakes or gate; a retry under the same Idempotency-Key answers as the first did. */
const releaseAction = (action: ReleaseAction) => async (http: HttpRequest) => {
  const { params, principal, annotate, pathApp } = http;
  const app = await pathApp();
  authorize(principal, 'releases:rollback', app.name);
  const release = await requireRelease(app, params.release ?? '');
  annotate({ releaseId: release.id, releaseVersion: release.version });
  const { value } = await createOnce(http, {
    operation: `POST /apps/{app}/releases/{release}/actions/${action}`,
    resource: `${app.id}/${release.id}`,
    request: {},
    run: () => actOnRelease(app, release, action, actorOf(principal)),
    resume: () => findRecordedRelease(app, release.id),
  });
  return { status: 200, body: presentRelease(value, app, (await runningCountsOf(app, [value]))(value)) };
};

export const handler = httpFunction<'releases'>({
  'POST /apps/{app}/releases': async (http) => {
    const { body, principal, annotate, pathApp } = http;
    const app = await pathApp();
    const request = parseInput(CreateReleaseRequest(), body, 'body');
    authorize(principal, request.release === undefined ? 'releases:deploy' : 'releases:rollback', app.name);
    const { status, value: release } = await createOnce(http, {
      operation: 'POST /apps/{app}/releases',
      resource: app.id,
      request,
      run: (id) => createRelease(app, request, actorOf(principal), id),
      resume: (id) => findRecordedRelease(app, id),
    });
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return {
      status,
      body: presentRelease(release, app, (await runningCountsOf(app, [release]))(release)),
      headers: { location: `/apps/${app.name}/releases/${release.id}` },
    };
  },
  'GET /apps/{app}/releases': async ({ query, headers, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const { cursor, ...request } = releaseListRequestOf(parseInput(ListReleasesQuery(), query, 'query'));
    describeServiceAhead(app);
    const afterVersion = cursor === undefined ? undefined : decodeCursor(cursor);
    const list = await listReleases(app, { ...request, afterVersion }, headers.range);
    const shown = withCurrentAmong(app, list.releases);
    const running = await runningCountsOf(app, list.releases);
    return {
      status: list.ranged && list.nextRange ? 206 : 200,
      body: list.releases.map((release) => presentRelease(release, shown, running(release))),
      headers: {
        ...(list.nextAfterVersion === null ? {} : { 'next-cursor': encodeCursor(list.nextAfterVersion) }),
        ...(list.nextRange ? { 'next-range': list.nextRange } : {}),
      },
    };
  },
  'GET /apps/{app}/releases/{release}': async ({ params, principal, annotate, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    describeServiceAhead(app);
    const release = await requireRelease(app, params.release ?? '');
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 200, body: presentRelease(release, app, (await runningCountsOf(app, [release]))(release)) };
  },
  'POST /apps/{app}/releases/{release}/actions/approve': releaseAction('approve'),
  'POST /apps/{app}/releases/{release}/actions/promote': releaseAction('promote'),
  'POST /apps/{app}/releases/{release}/actions/abort': releaseAction('abort'),
  'GET /apps/{app}/releases/{release}/release-phase/output': async ({ params, principal, annotate, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const release = await requireRelease(app, params.release ?? '');
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 200, body: await releasePhaseOutput(release) };
  },
  'PATCH /apps/{app}/releases/{release}': async ({ params, body, principal, annotate, pathApp }) => {
    const app = await pathApp();
    const report = parseInput(UpdateReleaseRequest(), body, 'body');
    authorize(principal, 'releases:deploy', app.name);
    const { release, app: after } = await reportRecordedStatusOf(app, params.release ?? '', report, actorOf(principal));
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 200, body: presentRelease(release, after, (await runningCountsOf(after, [release]))(release)) };
  },
  // Echoes' releases API: the payload is its own idempotency key, kept for good (303 to the one declaration).
  'POST /v1/signals/releases': async (http) => {
    const { body, principal } = http;
    const declaration = parseInput(SignalReleaseRequest(), body, 'body');
    authorize(principal, 'releases:deploy');
    const { status, value } = await createOnce(http, {
      operation: 'POST /v1/signals/releases',
      resource: 'signals',
      request: declaration,
      payload: body,
      run: (id) => declareSignalRelease(declaration, principal, id),
      resume: resumeSignalRelease,
    });
    return { status, body: presentSignalRelease(value), headers: { location: `/v1/signals/releases/${value.signal.id}` } };
  },
  'GET /v1/signals/releases/{signal}': async ({ params, principal }) => ({
    status: 200,
    body: presentSignalRelease(await requireSignalRelease(params.signal ?? '', principal)),
  }),
  'PATCH /v1/signals/releases/{signal}': async ({ params, body, principal }) => {
    const { status } = parseInput(SignalStatusRequest(), body, 'body');
    return { status: 200, body: presentSignalRelease(await reportSignalStatus(params.signal ?? '', status, principal)) };
  },
  // ReleaseBits' deployments API: the fields as JSON, as a form, or as query parameters alone (meta_data[key]=value).
  'POST /components/{app}/deployments': async ({ body, event, principal, annotate, pathApp }) => {
    const app = await pathApp();
    const { access_token: _key, ...fromQuery } = parseForm(event.rawQueryString ?? '');
    const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...fromQuery, ...body } : body;
    const request = parseInput(DeploymentRequest(), input, 'body');
    authorize(principal, 'releases:deploy', app.name);
    const { deployment, release } = await recordDeployment(app, request, actorOf(principal));
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 201, body: { id: deployment.id } };
  },
  'GET /components/{app}/deployments': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: (await listDeployments(app)).map(presentDeployment) };
  },
}, authenticateCaller, { afterRequest: relayNotedEventsInBackground });
