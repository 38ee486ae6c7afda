import { appHref, hooksHref, metricsHref } from '../route';

type Place = 'releases' | 'hooks' | 'metrics';

/** An app's own pages, under its name on each of them. */
export const AppNav = ({ app, here }: { app: string; here: Place | undefined }) => {
  const places: [Place, string, string][] = [
    ['releases', 'Releases', appHref(app)],
    ['hooks', 'Hooks', hooksHref(app)],
    ['metrics', 'Delivery metrics', metricsHref({ kind: 'apps', name: app })],
  ];
  return (
    <nav class="app-nav" aria-label={`Pages of ${app}`}>
      {places.map(([place, label, href]) => (
        <a key={place} href={href} aria-current={place === here ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
};
