import { useState } from 'preact/hooks';
import type { ReleaseResponse } from '../api';

/** Commits listed before "Show all": enough to recognise a release, short enough to scan the timeline. */
const FIRST_COMMITS = 5;

const firstLine = (text: string | null): string => (text ?? '').split('\n', 1)[0] ?? '';

/**
 * The notes as the releaser wrote them. They may hold HTML, and stay text: Preact sets them as a text node.
 * A scrollable region is focusable so that a keyboard can scroll notes of up to 16 KiB.
 */
export const Notes = ({ release }: { release: ReleaseResponse }) =>
  release.notes ? (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls needs keyboard focus to be scrolled without a mouse
    <section class="notes" tabIndex={0} aria-label={`Release notes of v${release.version}`}>
      {release.notes}
    </section>
  ) : null;

export const Metadata = ({ release }: { release: ReleaseResponse }) => {
  const entries = Object.entries(release.metadata);
  if (entries.length === 0) return null;
  return (
    <dl class="metadata" aria-label={`Metadata of v${release.version}`}>
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd class="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
};

/** What Slipway says ships since the previous succeeded release, and how sure it is. */
const sinceLine = (release: ReleaseResponse): string => {
  const { commits, commits_since: since } = release;
  const count = `${commits.length} commit${commits.length === 1 ? '' : 's'}`;
  if (!since.complete) return `Not known what ships${since.version === null ? '' : ` since v${since.version}`}: ${since.reason}.`;
  if (since.version === null) return `${commits.length === 0 ? 'No commits listed' : count}: the first release of the app.`;
  return commits.length === 0 ? `No new commits since v${since.version} (${since.reason}).` : `${count} since v${since.version}.`;
};

export const Commits = ({ release }: { release: ReleaseResponse }) => {
  const [all, setAll] = useState(false);
  const { commits } = release;
  const listed = all ? commits : commits.slice(0, FIRST_COMMITS);
  return (
    <div class="shipped">
      <p class={release.commits_since.complete ? 'since' : 'since incomplete'}>{sinceLine(release)}</p>
      {commits.length > 0 ? (
        <ul class="commits" aria-label={`Commits of v${release.version}`}>
          {listed.map((commit) => (
            <li key={commit.sha}>
              <span class="mono">{commit.sha.slice(0, 7)}</span> {firstLine(commit.message)}
              {commit.author ? <span class="muted"> — {commit.author}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {commits.length > FIRST_COMMITS ? (
        <button type="button" class="link" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? `Show the first ${FIRST_COMMITS} commits` : `Show all ${commits.length} commits of v${release.version}`}
        </button>
      ) : null}
    </div>
  );
};
