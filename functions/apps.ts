import { CreateAppRequest, UpdateAppRequest } from '../shared/api/apps';
import { presentApp, presentAppDetail, presentAppFeatures } from '../shared/api/presenters';
import { authorize, mayAccessApp } from '../shared/domain/access';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { createApp, findLiveState, getApps, requireAppWithPublicBadge, updateApp } from '../shared/operations/apps';
import { renderBadge } from '../shared/api/badge';
import { MetricsQuery, metricsWindowOf } from '../shared/api/metrics';
import { presentMetrics } from '../shared/api/presenters';
import { PROMETHEUS_CONTENT_TYPE, appExposition } from '../shared/api/prometheus';
import { appDeliveryMetrics, badgeFiguresOf } from '../shared/operations/metrics';

/** Badges are read by README renderers and image proxies: a minute of caching, and no script in them can ever run. */
const BADGE_HEADERS = {
  'content-type': 'image/svg+xml; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
};

export const handler = httpFunction<'apps'>({
  'POST /apps': async ({ body, principal }) => {
    authorize(principal, 'apps:manage');
    const app = await createApp(parseInput(CreateAppRequest(), body, 'body'));
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
    const settings = parseInput(UpdateAppRequest(), body, 'body');
    // Who may read the badge without a key is an admin's call; the rollback settings an operator's.
    authorize(principal, settings.public_badge === undefined ? 'releases:rollback' : 'apps:manage', app.name);
    const updated = await updateApp(app, settings);
    return { status: 200, body: presentAppDetail(updated, await findLiveState(updated)) };
  },
  'GET /apps/{app}/features': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentAppFeatures(app) };
  },
  'GET /apps/{app}/metrics': async ({ query, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const { format, ...asked } = parseInput(MetricsQuery(), query, 'query');
    const { window, stepSeconds } = metricsWindowOf(asked);
    const report = await appDeliveryMetrics(app, window, stepSeconds);
    if (format === 'json') return { status: 200, body: presentMetrics(report, null) };
    return { status: 200, text: appExposition(report, await badgeFiguresOf(app)), headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } };
  },
  'GET /apps/{app}/badge.svg': {
    optionalKey: async ({ params, principal, pathApp }) => {
      const app = principal && pathApp ? await pathApp() : await requireAppWithPublicBadge(params.app ?? '');
      if (principal) authorize(principal, 'read', app.name);
      const cache = app.public_badge === true && !principal ? 'public, max-age=60' : 'private, max-age=60';
      return { status: 200, text: renderBadge(app.name, await badgeFiguresOf(app)), headers: { ...BADGE_HEADERS, 'cache-control': cache } };
    },
  },
}, authenticateCaller);
