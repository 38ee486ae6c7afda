import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { whyReleaseEnded } from '../../../shared/domain/release-outcome';
import type { Api, BuildResponse, ReleaseResponse } from '../api';
import { Badge, ChecksBadge, Loading, Problem, RolloutProgress } from '../components';
import { inFlight, safeHref, when } from '../format';
import { IDLE_POLL_MS, usePolled } from '../poll';
import { releaseHref } from '../route';
import { Commits, Metadata, Notes } from './release-record';
import { ReleasePhase } from './release-phase';

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

/** Why a settled release failed (or ended unknown), where the timeline shows it: not only while it rolled out. */
const WhyItEnded = ({ release }: { release: ReleaseResponse }) => {
  const reason = inFlight(release) ? null : whyReleaseEnded(release);
  return reason ? (
    <p class="reason">
      <strong>{release.status === 'failed' ? 'Failed' : 'Ended unknown'}:</strong> {reason}
    </p>
  ) : null;
};

/**
 * One release as the timeline and the release's own page show it. `controls` are what the view offers for it
 * (a rollback today), beside the checks' toggle.
 */
export const ReleaseItem = (props: {
  api: Api;
  app: string;
  release: ReleaseResponse;
  build: BuildResponse | undefined;
  controls?: ComponentChildren;
  checksOpen?: boolean;
}) => {
  const { release } = props;
  const [showChecks, setShowChecks] = useState(props.checksOpen === true);
  return (
    <li class={`release${release.current ? ' current' : ''}`} data-version={release.version}>
      <div class="release-head">
        <a class="version" href={releaseHref(props.app, release.version)}>
          v{release.version}
        </a>
        <Badge value={release.status} />
        <span class="muted">checks</span> <ChecksBadge release={release} />
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
      <WhyItEnded release={release} />
      <Notes release={release} />
      <Commit build={props.build} />
      <Commits release={release} />
      <Metadata release={release} />
      <ReleasePhase api={props.api} app={props.app} release={release} />
      {inFlight(release) ? <RolloutProgress release={release} /> : null}
      <div class="actions">
        <button type="button" aria-expanded={showChecks} onClick={() => setShowChecks(!showChecks)}>
          {showChecks ? 'Hide' : 'Show'} checks of v{release.version}
        </button>
        {props.controls}
      </div>
      {showChecks ? <Checks api={props.api} app={props.app} release={release} /> : null}
    </li>
  );
};
