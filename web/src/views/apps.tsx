import type { Api, AppResponse, BuildResponse, ReleaseResponse } from '../api';
import { Badge, Loading, Problem, RolloutProgress } from '../components';
import { buildsById, currentOf, inFlight } from '../format';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { appHref } from '../route';

type AppRow = { app: AppResponse; releases: ReleaseResponse[]; builds: ReadonlyMap<string, BuildResponse> };

const loadRows = async (api: Api): Promise<AppRow[]> =>
  Promise.all(
    (await api.apps()).map(async (app) => {
      const [releases, builds] = await Promise.all([api.releases(app.name), api.builds(app.name)]);
      return { app, releases, builds: buildsById(builds) };
    }),
  );

export const AppsView = ({ api }: { api: Api }) => {
  const { data, error } = usePolled(
    () => loadRows(api),
    (rows) => (rows.some((row) => row.releases.some(inFlight)) ? BUSY_POLL_MS : IDLE_POLL_MS),
    [api],
  );
  return (
    <section aria-labelledby="apps-title">
      <h1 id="apps-title">Apps</h1>
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : data.length === 0 ? (
        <p>This key sees no apps yet.</p>
      ) : (
        <table class="apps">
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
            {data.map(({ app, releases, builds }) => {
              const current = currentOf(releases);
              const latest = releases.at(-1);
              const rolling = releases.filter(inFlight);
              return (
                <tr key={app.id} data-app={app.name}>
                  <th scope="row">
                    <a href={appHref(app.name)}>{app.name}</a>
                  </th>
                  <td>{current ? `v${current.version}` : '—'}</td>
                  <td class="mono">{current ? (builds.get(current.slug.id)?.source_blob.image ?? '—') : '—'}</td>
                  <td>{latest ? <Badge value={latest.status} /> : 'no releases'}</td>
                  <td>{current ? <Badge value={current.state} /> : '—'}</td>
                  <td>{rolling.length > 0 ? rolling.map((release) => <RolloutProgress key={release.id} release={release} />) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
};
