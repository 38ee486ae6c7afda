import { CreateReleaseRequest, ListReleasesQuery, releaseListRequestOf } from '../shared/api/releases';
import { presentRelease } from '../shared/api/presenters';
import { actorOf, authorize } from '../shared/domain/access';
import { withCurrentAmong } from '../shared/domain/current-release';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { idempotencyKeyOf, runOnce } from '../shared/idempotency/idempotency';
import { requireApp } from '../shared/operations/apps';
import { createRelease, findRecordedRelease, listReleases, requireRelease } from '../shared/operations/releases';

export const handler = httpFunction<'releases'>({
  'POST /apps/{app}/releases': async ({ params, body, headers, principal, context, annotate }) => {
    const app = await requireApp(params.app ?? '', principal);
    const request = parseInput(CreateReleaseRequest, body, 'body');
    authorize(principal, request.release === undefined ? 'releases:deploy' : 'releases:rollback', app.name);
    const outcome = await runOnce({
      key: idempotencyKeyOf(headers),
      scope: { caller: principal.keyId, operation: 'POST /apps/{app}/releases', resource: app.id },
      request,
      context,
      run: (id) => createRelease(app, request, actorOf(principal), id),
      resume: (id) => findRecordedRelease(app, id),
    });
    const release = outcome.value;
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return {
      status: outcome.replayed ? 303 : 201,
      body: presentRelease(release, app),
      headers: { location: `/apps/${app.name}/releases/${release.id}` },
    };
  },
  'GET /apps/{app}/releases': async ({ params, query, headers, principal }) => {
    const app = await requireApp(params.app ?? '', principal);
    authorize(principal, 'read', app.name);
    const list = await listReleases(app, releaseListRequestOf(parseInput(ListReleasesQuery, query, 'query')), headers.range);
    const shown = withCurrentAmong(app, list.releases);
    return {
      status: list.ranged && list.nextRange ? 206 : 200,
      body: list.releases.map((release) => presentRelease(release, shown)),
      headers: {
        ...(list.nextCursor ? { 'next-cursor': list.nextCursor } : {}),
        ...(list.nextRange ? { 'next-range': list.nextRange } : {}),
      },
    };
  },
  'GET /apps/{app}/releases/{release}': async ({ params, principal, annotate }) => {
    const app = await requireApp(params.app ?? '', principal);
    authorize(principal, 'read', app.name);
    const release = await requireRelease(app, params.release ?? '');
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 200, body: presentRelease(release, app) };
  },
});
