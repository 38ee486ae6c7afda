import { useEffect, useState } from 'preact/hooks';

/** Whose delivery metrics: an app's, or a pipeline's production stage's (`#/metrics/pipelines/shop`). */
export type MetricsScope = { kind: 'apps' | 'pipelines'; name: string };

/** Where the page is, from its hash (`#/apps/web`), so the dashboard stays one static page. */
export type Route =
  | { view: 'apps' }
  | { view: 'app'; app: string }
  | { view: 'release'; app: string; version: number }
  | { view: 'hooks'; app: string }
  | { view: 'pipelines' }
  | { view: 'pipeline'; pipeline: string }
  | { view: 'metrics'; scope: MetricsScope | undefined };

const parseRoute = (hash: string): Route => {
  const [view, name, scoped, id] = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  if (view === 'apps' && name) {
    if (scoped === 'hooks') return { view: 'hooks', app: name };
    const version = Number(id);
    return scoped === 'releases' && Number.isInteger(version) && version > 0 ? { view: 'release', app: name, version } : { view: 'app', app: name };
  }
  if (view === 'pipelines') return name ? { view: 'pipeline', pipeline: name } : { view: 'pipelines' };
  if (view === 'metrics') return { view: 'metrics', scope: (name === 'apps' || name === 'pipelines') && scoped ? { kind: name, name: scoped } : undefined };
  return { view: 'apps' };
};

export const appHref = (app: string) => `#/apps/${encodeURIComponent(app)}`;
export const releaseHref = (app: string, version: number) => `${appHref(app)}/releases/${version}`;
export const hooksHref = (app: string) => `${appHref(app)}/hooks`;
export const pipelineHref = (pipeline: string) => `#/pipelines/${encodeURIComponent(pipeline)}`;
export const metricsHref = (scope: MetricsScope) => `#/metrics/${scope.kind}/${encodeURIComponent(scope.name)}`;

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
};
