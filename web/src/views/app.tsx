import { useMemo, useState } from 'preact/hooks';
import { roleMay } from '../../../shared/domain/access';
import type { Api, AppDetailResponse, BuildResponse, ReleaseResponse, WhoamiResponse } from '../api';
import { Badge, Confirm, Loading, Problem, RolloutProgress } from '../components';
import { inFlight, safeHref, when } from '../format';
import { PageBuilds } from '../page-builds';
import { BUSY_POLL_MS, IDLE_POLL_MS, usePolled } from '../poll';
import { metricsHref } from '../route';
import { Commits, Metadata, Notes } from './release-record';
import { RolloutPanel } from './rollout-panel';

/** Releases in the first page, and in each page "Load older releases" adds. */
const PAGE = 50;

type Timeline = {
  releases: ReleaseResponse[];
  more: boolean;
  builds: ReadonlyMap<string, BuildResponse>;
  current: AppDetailResponse['current_release'];
};

const Checks = ({ api, app, release }: { api: Api; app: string; release: ReleaseResponse }) => {
  const { data, error } = usePolled(
    () => api.statuses(app, release.id),
    () => IDLE_POLL_MS,
    [api, app, release.id],
  );
  if (error) return <Problem error={error} />;
  if (!data) return <Loading />;
  if (data.statuses.length === 0) return <p class="muted">No status checks reported.</p>;
  return (
    <ul class="checks" aria-label={`Status checks of v${release.version}`}>
      {data.statuses.map((status) => {
        const href = safeHref(status.target_url);
        return (
          <li key={status.id}>
            <Badge value={status.state} /> <strong class="mono">{status.context}</strong> {status.name}
            {status.description ? <span class="muted"> — {status.description}</span> : null}
            {href ? (
              <>
                {' '}
                <a href={href} rel="noopener noreferrer" target="_blank">
                  details
                </a>
              </>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
};

const Commit = ({ build }: { build: BuildResponse | undefined }) => {
  if (!build) return null;
  const blob = build.source_blob;
  return (
    <p class="commit">
      {blob.image ? <span class="mono">{blob.image}</span> : null}
      {blob.commit ? <span class="mono"> @ {blob.commit.slice(0, 7)}</span> : null}
      {blob.message ? <span> “{blob.message}”</span> : null}
      {blob.author ? <span class="muted"> by {blob.author}</span> : null}
    </p>
  );
};

const ReleaseItem = (props: {
  api: Api;
  app: string;
  release: ReleaseResponse;
  build: BuildResponse | undefined;
  rollBackTo: ((release: ReleaseResponse) => void) | undefined;
}) => {
  const { release } = props;
  const [showChecks, setShowChecks] = useState(false);
  return (
    <li class={`release${release.current ? ' current' : ''}`} data-version={release.version}>
      <div class="release-head">
        <strong class="version">v{release.version}</strong>
        <Badge value={release.status} />
        <span class="muted">checks</span> <Badge value={release.state} />
        {release.current ? <span class="tag">current</span> : null}
        {release.recorded ? (
          <span class="tag" title="Recorded as its client reported it: Slipway did not run this release">
            recorded
          </span>
        ) : null}
        {release.name ? <span class="muted">{release.name}</span> : null}
        <span class="muted">
          {release.trigger} by {release.user.email || release.user.id} · <time dateTime={release.created_at}>{when(release.created_at)}</time>
        </span>
      </div>
      {release.description ? <p class="description">{release.description}</p> : null}
      <Notes release={release} />
      <Commit build={props.build} />
      <Commits release={release} />
      <Metadata release={release} />
      {inFlight(release) ? <RolloutProgress release={release} /> : null}
      <div class="actions">
        <button type="button" aria-expanded={showChecks} onClick={() => setShowChecks(!showChecks)}>
          {showChecks ? 'Hide' : 'Show'} checks of v{release.version}
        </button>
        {props.rollBackTo ? (
          <button type="button" onClick={() => props.rollBackTo?.(release)}>
            Roll back to v{release.version}
          </button>
        ) : null}
      </div>
      {showChecks ? <Checks api={props.api} app={props.app} release={release} /> : null}
    </li>
  );
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
  const [target, setTarget] = useState<ReleaseResponse | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ error?: Error; message?: string }>({});
  const mayRollBack = roleMay(who.role, 'releases:rollback');
  const current = timeline.data?.current ?? undefined;

  const confirmRollBack = async () => {
    if (!target) return;
    setBusy(true);
    try {
      const created = await api.rollBack(app, target.id);
      setOutcome({ message: `Rolling back: v${created.version} releases v${target.version}'s build.` });
      timeline.reload();
    } catch (error) {
      setOutcome({ error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
      setTarget(undefined);
    }
  };

  return (
    <section aria-labelledby="app-title">
      <h1 id="app-title">{app}</h1>
      <p class="muted">
        {current ? `Current release: v${current.version}` : 'No release has succeeded yet.'} ·{' '}
        <a href={metricsHref({ kind: 'apps', name: app })}>Delivery metrics</a>
      </p>
      {outcome.message ? (
        <p class="notice" role="status">
          {outcome.message}
        </p>
      ) : null}
      <Problem error={outcome.error ?? timeline.error} />
      {timeline.data ? <RolloutPanel api={api} app={app} who={who} releases={timeline.data.releases} current={current} onActed={timeline.reload} /> : null}
      <h2>Releases, newest first</h2>
      {!timeline.data ? (
        <Loading />
      ) : timeline.data.releases.length === 0 ? (
        <p>No releases yet.</p>
      ) : (
        <ol class="timeline" reversed>
          {timeline.data.releases.map((release) => (
            <ReleaseItem
              key={release.id}
              api={api}
              app={app}
              release={release}
              build={timeline.data?.builds.get(release.slug.id)}
              rollBackTo={mayRollBack && !release.recorded && current && release.version < current.version ? setTarget : undefined}
            />
          ))}
        </ol>
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
      {target && current ? (
        <Confirm
          title={`Roll back ${app}?`}
          confirmLabel={`Roll back to v${target.version}`}
          busy={busy}
          onConfirm={() => void confirmRollBack()}
          onCancel={() => setTarget(undefined)}
        >
          <p>
            This replaces the current release v{current.version} with a new release of v{target.version}'s build.
          </p>
        </Confirm>
      ) : null}
    </section>
  );
};
