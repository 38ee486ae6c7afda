import { useMemo, useState } from 'preact/hooks';
import { roleMay } from '../../../shared/domain/access';
import type { Api, AppDetailResponse, BuildResponse, ReleaseResponse, WhoamiResponse } from '../api';
import { Loading, OutcomeNote, Problem } from '../components';
import { inFlight } from '../format';
import { PageBuilds } from '../page-builds';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { AppNav } from './app-nav';
import { ReleaseItem } from './release-item';
import { RollbackButton, rollbackOffer, useRollback } from './rollback';
import { RolloutPanel } from './rollout-panel';

/** Releases in the first page, and in each page "Load older releases" adds. */
const PAGE = 50;

type Timeline = {
  releases: ReleaseResponse[];
  more: boolean;
  builds: ReadonlyMap<string, BuildResponse>;
  current: AppDetailResponse['current_release'];
};

export const AppView = ({ api, who, app }: { api: Api; who: WhoamiResponse; app: string }) => {
  const [pages, setPages] = useState(1);
  const pageBuilds = useMemo(() => new PageBuilds(api, app), [api, app]);
  const timeline = usePolled<Timeline>(
    async () => {
      // Every poll reads the pages shown again from the newest, so statuses and the current mark stay fresh.
      const [{ releases, more }, detail] = await Promise.all([api.newestReleases(app, PAGE, pages), api.appDetail(app)]);
      const builds = await pageBuilds.of(releases.map((release) => release.slug.id));
      return { releases, more, builds, current: detail.current_release };
    },
    (data) => (data.releases.some(inFlight) ? BUSY_POLL_MS : IDLE_POLL_MS),
    [api, app],
  );
  const current = timeline.data?.current ?? undefined;
  const rollback = useRollback(api, app, current, timeline.reload);
  const mayRollBack = roleMay(who.role, 'releases:rollback');

  return (
    <section aria-labelledby="app-title">
      <h1 id="app-title">{app}</h1>
      <AppNav app={app} here="releases" />
      {timeline.data ? <p class="muted">{current ? `Current release: v${current.version}` : 'No release has succeeded yet.'}</p> : null}
      <OutcomeNote outcome={rollback.outcome} />
      <Problem error={timeline.error} />
      {timeline.data ? <RolloutPanel api={api} app={app} who={who} releases={timeline.data.releases} current={current} onActed={timeline.reload} /> : null}
      {!timeline.data ? (
        <Loading failed={timeline.error} />
      ) : timeline.data.releases.length === 0 ? (
        <p>No releases yet.</p>
      ) : (
        <>
          <h2>Releases, newest first</h2>
          <ol class="timeline" reversed>
            {timeline.data.releases.map((release) => {
              const offer = rollbackOffer(release, current, mayRollBack);
              return (
                <ReleaseItem
                  key={release.id}
                  api={api}
                  app={app}
                  release={release}
                  build={timeline.data?.builds.get(release.slug.id)}
                  controls={offer ? <RollbackButton release={release} offer={offer} ask={rollback.ask} /> : null}
                />
              );
            })}
          </ol>
        </>
      )}
      {timeline.data?.more ? (
        <button
          type="button"
          onClick={() => {
            setPages(pages + 1);
            timeline.reload();
          }}
        >
          Load older releases
        </button>
      ) : null}
      {rollback.dialog}
    </section>
  );
};
