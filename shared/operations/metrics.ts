import type { Principal } from '../domain/access';
import { onlyAccessibleApps } from '../domain/access';
import { deliveryMetrics, deliveryMetricsSeries, type BadgeFigures, type MetricsReport, type MetricsWindow } from '../domain/delivery-metrics';
import type { App, AppRef, Release } from '../domain/model';
import type { Pipeline } from '../domain/pipeline';
import { CREATION_ORDER_SLACK_MS } from '../domain/release-filter';
import { findFilteredReleasePage, versionSpanOfTimes } from '../store/release-index-store';
import { findLatestRelease, findReleaseByVersion } from '../store/releases-store';
import { getPipelineCouplings } from './pipelines';

const PAGE = 1000;

/**
 * The app's releases created within the window: the window's version span (found from the creation-time
 * rows), read in pages of the app's partition. The cost follows the releases in the window, not the history.
 */
const releasesCreatedWithin = async (appId: string, window: MetricsWindow): Promise<Release[]> => {
  const span = await versionSpanOfTimes(appId, { since: window.from, until: window.to }, CREATION_ORDER_SLACK_MS);
  const releases: Release[] = [];
  let from = span?.from;
  while (span && from !== undefined && from <= span.to) {
    const page = await findFilteredReleasePage(appId, {
      span: { from, to: span.to },
      descending: false,
      limit: PAGE,
      sources: [undefined],
      accept: (release) => release.created_at >= window.from && release.created_at <= window.to,
    });
    releases.push(...page.releases);
    const last = page.releases.at(-1)?.version;
    from = page.hasMore && last !== undefined ? last + 1 : undefined;
  }
  return releases;
};

/** `stepSeconds` also asks for the window as a series of buckets, from the same reads. */
const metricsOfApps = async (apps: AppRef[], window: MetricsWindow, stepSeconds: number | undefined): Promise<MetricsReport> => {
  const releases = (await Promise.all(apps.map((app) => releasesCreatedWithin(app.id, window)))).flat();
  return {
    apps,
    window,
    metrics: deliveryMetrics(releases, window.seconds),
    series: stepSeconds === undefined ? undefined : deliveryMetricsSeries(releases, window, stepSeconds),
  };
};

/** `GET /apps/{app}/metrics`. */
export const appDeliveryMetrics = (app: App, window: MetricsWindow, stepSeconds?: number): Promise<MetricsReport> =>
  metricsOfApps([{ id: app.id, name: app.name }], window, stepSeconds);

/** `GET /pipelines/{pipeline}/metrics`: the apps of its production stage that the key covers. */
export const pipelineDeliveryMetrics = async (
  pipeline: Pipeline,
  principal: Principal,
  window: MetricsWindow,
  stepSeconds?: number,
): Promise<MetricsReport> => {
  const couplings = onlyAccessibleApps(principal, await getPipelineCouplings(pipeline));
  return metricsOfApps(
    couplings.filter((coupling) => coupling.stage === 'production').map((coupling) => coupling.app),
    window,
    stepSeconds,
  );
};

export const badgeFiguresOf = async (app: App): Promise<BadgeFigures> => {
  const [current, newest] = await Promise.all([
    app.current_release_version === null ? undefined : findReleaseByVersion(app.id, app.current_release_version),
    findLatestRelease(app.id),
  ]);
  return { current, newest };
};
