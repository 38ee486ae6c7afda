import { useEffect, useState } from 'preact/hooks';

/** Where the page is, from its hash (`#/apps/web`), so the dashboard stays one static page. */
export type Route =
  | { view: 'apps' }
  | { view: 'app'; app: string }
  | { view: 'pipelines' }
  | { view: 'pipeline'; pipeline: string }
  | { view: 'metrics' };

export const parseRoute = (hash: string): Route => {
  const [view, name] = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  if (view === 'apps' && name) return { view: 'app', app: name };
  if (view === 'pipelines') return name ? { view: 'pipeline', pipeline: name } : { view: 'pipelines' };
  if (view === 'metrics') return { view: 'metrics' };
  return { view: 'apps' };
};

export const appHref = (app: string) => `#/apps/${encodeURIComponent(app)}`;
export const pipelineHref = (pipeline: string) => `#/pipelines/${encodeURIComponent(pipeline)}`;

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
};
