import { useMemo } from 'preact/hooks';
import { roleMay } from '../../../shared/domain/access';
import type { Api, WhoamiResponse } from '../api';
import { Loading, OutcomeNote, Problem } from '../components';
import { inFlight } from '../format';
import { PageBuilds } from '../page-builds';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { appHref } from '../route';
import { AppNav } from './app-nav';
import { ReleaseItem } from './release-item';
import { RollbackButton, rollbackOffer, useRollback } from './rollback';

/** One release on its own page (`#/apps/web/releases/3`), its checks open, with what may be done about it. */
export const ReleaseView = ({ api, who, app, version }: { api: Api; who: WhoamiResponse; app: string; version: number }) => {
  const builds = useMemo(() => new PageBuilds(api, app), [api, app]);
  const loaded = usePolled(
    async () => {
      const [release, detail] = await Promise.all([api.release(app, version), api.appDetail(app)]);
      const build = (await builds.of([release.slug.id])).get(release.slug.id);
      return { release, build, current: detail.current_release ?? undefined };
    },
    (data) => (inFlight(data.release) ? BUSY_POLL_MS : IDLE_POLL_MS),
    [api, app, version],
  );
  const data = loaded.data;
  const rollback = useRollback(api, app, data?.current, loaded.reload);
  const offer = data ? rollbackOffer(data.release, data.current, roleMay(who.role, 'releases:rollback')) : undefined;
  return (
    <section aria-labelledby="release-title">
      <h1 id="release-title">
        <a href={appHref(app)}>{app}</a> v{version}
      </h1>
      <AppNav app={app} here={undefined} />
      <OutcomeNote outcome={rollback.outcome} />
      <Problem error={loaded.error} />
      {!data ? (
        <Loading failed={loaded.error} />
      ) : (
        <ul class="timeline">
          <ReleaseItem
            api={api}
            app={app}
            release={data.release}
            build={data.build}
            checksOpen
            controls={offer ? <RollbackButton release={data.release} offer={offer} ask={rollback.ask} /> : null}
          />
        </ul>
      )}
      {rollback.dialog}
    </section>
  );
};
