import { CreateAppRequest, UpdateAppRequest } from '../shared/api/apps';
import { presentApp, presentAppDetail, presentAppFeatures } from '../shared/api/presenters';
import { authorize, mayAccessApp } from '../shared/domain/access';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { createApp, findCurrentDeployment, getApps, requireApp, requireAppWithPublicBadge, updateApp } from '../shared/operations/apps';
import { renderBadge } from '../shared/api/badge';
import { MetricsQuery, windowSecondsOf } from '../shared/api/metrics';
import { presentMetrics } from '../shared/api/presenters';
import { PROMETHEUS_CONTENT_TYPE, appExposition } from '../shared/api/prometheus';
import { windowEndingNow } from '../shared/domain/delivery-metrics';
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
    const app = await createApp(parseInput(CreateAppRequest, body, 'body'));
    return { status: 201, body: presentApp(app), headers: { location: `/apps/${app.name}` } };
  },
  'GET /apps': async ({ principal }) => {
    authorize(principal, 'read');
    const apps = await getApps();
    return { status: 200, body: apps.filter((app) => mayAccessApp(principal, app.name)).map(presentApp) };
  },
  'GET /apps/{app}': async ({ params, principal }) => {
    const app = await requireApp(params.app ?? '', principal);
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentAppDetail(app, await findCurrentDeployment(app)) };
  },
  'PATCH /apps/{app}': async ({ params, body, principal }) => {
    authorize(principal, 'apps:manage');
    const app = await requireApp(params.app ?? '', principal);
    return { status: 200, body: presentApp(await updateApp(app, parseInput(UpdateAppRequest, body, 'body'))) };
  },
  'GET /apps/{app}/features': async ({ params, principal }) => {
    const app = await requireApp(params.app ?? '', principal);
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentAppFeatures(app) };
  },
  'GET /apps/{app}/metrics': async ({ params, query, principal }) => {
    const app = await requireApp(params.app ?? '', principal);
    authorize(principal, 'read', app.name);
    const { window, format } = parseInput(MetricsQuery, query, 'query');
    const report = await appDeliveryMetrics(app, windowEndingNow(window, windowSecondsOf(window)));
    if (format === 'json') return { status: 200, body: presentMetrics(report, null) };
    return { status: 200, text: appExposition(report, await badgeFiguresOf(app)), headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } };
  },
  'GET /apps/{app}/badge.svg': {
    optionalKey: async ({ params, principal }) => {
      const app = principal ? await requireApp(params.app ?? '', principal) : await requireAppWithPublicBadge(params.app ?? '');
      if (principal) authorize(principal, 'read', app.name);
      const cache = app.public_badge === true && !principal ? 'public, max-age=60' : 'private, max-age=60';
      return { status: 200, text: renderBadge(app.name, await badgeFiguresOf(app)), headers: { ...BADGE_HEADERS, 'cache-control': cache } };
    },
  },
});
