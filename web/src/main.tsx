import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Api, type WhoamiResponse } from './api';
import { forgetKey, storedKey, storeKey } from './session';
import { useRoute, type Route } from './route';
import { AppView } from './views/app';
import { AppsView } from './views/apps';
import { HooksView } from './views/hooks';
import { PipelineView, PipelinesView } from './views/pipelines';
import { ReleaseView } from './views/release';
import { SignIn } from './views/sign-in';
// uPlot's own styles ride in the page's one stylesheet: the chunk that draws charts loads later, and alone.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { lazyView } from './lazy-view';

type Session = { api: Api; who: WhoamiResponse };

/** The metrics view draws with uPlot, half the dashboard's script: it is fetched when the view is first opened. */
const MetricsView = lazyView(async () => (await import('./views/metrics')).MetricsView);

const NAV = [
  { href: '#/apps', label: 'Apps', views: ['apps', 'app', 'release', 'hooks'] },
  { href: '#/pipelines', label: 'Pipelines', views: ['pipelines', 'pipeline'] },
  { href: '#/metrics', label: 'Metrics', views: ['metrics'] },
] as const;

const View = ({ route, session }: { route: Route; session: Session }) => {
  switch (route.view) {
    case 'apps':
      return <AppsView api={session.api} />;
    case 'app':
      return <AppView key={route.app} api={session.api} who={session.who} app={route.app} />;
    case 'release':
      return <ReleaseView key={`${route.app}/${route.version}`} api={session.api} who={session.who} app={route.app} version={route.version} />;
    case 'hooks':
      return <HooksView key={route.app} api={session.api} who={session.who} app={route.app} />;
    case 'pipelines':
      return <PipelinesView api={session.api} />;
    case 'pipeline':
      return <PipelineView api={session.api} who={session.who} pipeline={route.pipeline} />;
    case 'metrics':
      return <MetricsView api={session.api} scope={route.scope} />;
  }
};

/** Checks a key by asking the API who it is; only a key the API accepts is kept for the tab. */
const signIn = async (key: string, onRevoked: () => void): Promise<Session> => {
  const api = createApi(key, onRevoked);
  const who = await api.whoami();
  storeKey(key);
  return { api, who };
};

const Dashboard = () => {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [restoring, setRestoring] = useState(true);
  const route = useRoute();
  // Also what happens when the API stops accepting the key (revoked while the page was open).
  const signOut = useCallback(() => {
    forgetKey();
    setSession(undefined);
  }, []);
  useEffect(() => {
    // A key kept from earlier in this tab is checked again: it may have been revoked meanwhile.
    const key = storedKey();
    if (!key) return setRestoring(false);
    signIn(key, signOut)
      .then(setSession, () => undefined)
      .finally(() => setRestoring(false));
  }, []);
  const scope = useMemo(() => (session?.who.apps ? session.who.apps.join(', ') : 'all apps'), [session]);
  if (restoring) return null;
  if (!session) return <SignIn signIn={async (key) => setSession(await signIn(key, signOut))} />;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/apps">
          Slipway
        </a>
        <nav aria-label="Views">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} aria-current={(item.views as readonly string[]).includes(route.view) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.who.role} key{session.who.email ? ` of ${session.who.email}` : ''} · {scope}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <View route={route} session={session} />
      </main>
    </>
  );
};

const root = document.getElementById('root');
if (root) render(<Dashboard />, root);
