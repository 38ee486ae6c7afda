import { CreateReleaseRequest, ListReleasesQuery } from '../shared/api/releases';
import { presentRelease } from '../shared/api/presenters';
import { actorOf, authorize } from '../shared/domain/access';
import { withCurrentAmong } from '../shared/domain/current-release';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { idempotencyKeyOf, runOnce } from '../shared/idempotency/idempotency';
import { requireApp } from '../shared/operations/apps';
import { createRelease, listReleases, requireRelease, requireReleaseById } from '../shared/operations/releases';

export const handler = httpFunction<'releases'>({
  'POST /apps/{app}/releases': async ({ params, body, headers, principal, context, annotate }) => {
    const app = await requireApp(params.app ?? '');
    const request = parseInput(CreateReleaseRequest, body, 'body');
    authorize(principal, request.release === undefined ? 'releases:deploy' : 'releases:rollback', app.name);
    const outcome = await runOnce({
      key: idempotencyKeyOf(headers),
      scope: { caller: principal.keyId, operation: 'POST /apps/{app}/releases', resource: app.id },
      request,
      context,
      run: () => createRelease(app, request, actorOf(principal)),
    });
    // A replay points at the release the first request made, shown as it is now.
    const release = outcome.replayed ? await requireReleaseById(app, outcome.id) : outcome.value;
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return {
      status: outcome.replayed ? 303 : 201,
      body: presentRelease(release, app),
      headers: { location: `/apps/${app.name}/releases/${release.id}` },
    };
  },
  'GET /apps/{app}/releases': async ({ params, query, principal }) => {
    const app = await requireApp(params.app ?? '');
    authorize(principal, 'read', app.name);
    const { releases, nextCursor } = await listReleases(app, parseInput(ListReleasesQuery, query, 'query'));
    const shown = withCurrentAmong(app, releases);
    return {
      status: 200,
      body: releases.map((release) => presentRelease(release, shown)),
      ...(nextCursor ? { headers: { 'next-cursor': nextCursor } } : {}),
    };
  },
  'GET /apps/{app}/releases/{release}': async ({ params, principal, annotate }) => {
    const app = await requireApp(params.app ?? '');
    authorize(principal, 'read', app.name);
    const release = await requireRelease(app, params.release ?? '');
    annotate({ releaseId: release.id, releaseVersion: release.version });
    return { status: 200, body: presentRelease(release, app) };
  },
});
