import type { Api, AppDetailResponse, ReleaseResponse } from '../api';
import { Badge, ChecksBadge, Loading, Problem, RolloutProgress, type RollingRelease } from '../components';
import { inFlight } from '../format';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { appHref } from '../route';

/** An app as the list shows it: its detail (current release, rollout in flight) and its newest release. */
type AppRow = { app: AppDetailResponse; latest: ReleaseResponse | undefined };

/** Two requests an app whatever its history: the row needs only what runs, what rolls out and the newest release. */
const loadRows = async (api: Api): Promise<AppRow[]> =>
  Promise.all(
    (await api.apps()).map(async ({ name }) => {
      const [app, { releases }] = await Promise.all([api.appDetail(name), api.newestReleases(name, 1, 1)]);
      return { app, latest: releases[0] };
    }),
  );

/** The rollout the app's lock holds, and the newest release too when it waits behind it. */
const rollingOf = ({ app, latest }: AppRow): RollingRelease[] => {
  const rolling = app.rollout_in_flight;
  const waiting = latest && inFlight(latest) && latest.id !== rolling?.id ? [latest] : [];
  return [...(rolling ? [rolling] : []), ...waiting];
};

export const AppsView = ({ api }: { api: Api }) => {
  const { data, error } = usePolled(
    () => loadRows(api),
    (rows) => (rows.some((row) => rollingOf(row).length > 0) ? BUSY_POLL_MS : IDLE_POLL_MS),
    [api],
  );
  return (
    <section aria-labelledby="apps-title">
      <h1 id="apps-title">Apps</h1>
      <Problem error={error} />
      {!data ? (
        <Loading failed={error} />
      ) : data.length === 0 ? (
        <p>This key sees no apps yet.</p>
      ) : (
        <table class="apps stack">
          <caption class="visually-hidden">Apps with their current release and any rollout in flight</caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Current</th>
              <th scope="col">Image</th>
              <th scope="col">Latest release</th>
              <th scope="col">Checks</th>
              <th scope="col">Rollout in flight</th>
            </tr>
          </thead>
          <tbody>
            {data.map((row) => {
              const { app, latest } = row;
              const current = app.current_release;
              const rolling = rollingOf(row);
              return (
                <tr key={app.id} data-app={app.name}>
                  <th scope="row">
                    <a href={appHref(app.name)}>{app.name}</a>
                    {app.external ? (
                      <>
                        {' '}
                        <span class="tag" title="Slipway records its releases and never deploys them">external</span>
                      </>
                    ) : null}
                  </th>
                  <td data-label="Current">{current ? `v${current.version}` : '—'}</td>
                  <td data-label="Image" class="mono">{app.external ? 'not deployed by Slipway' : current ? current.image : '—'}</td>
                  <td data-label="Latest release">{latest ? <Badge value={latest.status} /> : 'no releases'}</td>
                  <td data-label="Checks">{current ? <ChecksBadge release={current} /> : '—'}</td>
                  <td data-label="Rollout in flight">{rolling.length > 0 ? rolling.map((release) => <RolloutProgress key={release.version} release={release} />) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
};
