import { useState } from 'preact/hooks';
import type { Api, ReleaseResponse } from '../api';
import { Badge, Problem } from '../components';
import { BUSY_POLL_MS, usePolled } from '../poll';

type Run = NonNullable<ReleaseResponse['release_phase']>;

/** Its output, read again each second until it is complete. */
const Output = ({ api, app, release }: { api: Api; app: string; release: ReleaseResponse }) => {
  const output = usePolled(() => api.releasePhaseOutput(app, release.id), (data) => (data.complete ? 24 * 3600_000 : BUSY_POLL_MS), [api, app, release.id]);
  if (output.error) return <Problem error={output.error} />;
  if (!output.data) return null;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: output that scrolls needs keyboard focus to be scrolled without a mouse
    <pre class="release-phase-output" role="log" tabIndex={0} aria-label={`Release phase output of v${release.version}`}>
      {output.data.lines.length === 0 ? '(nothing printed yet)' : output.data.lines.map((line) => line.text).join('\n')}
    </pre>
  );
};

const summary = (run: Run): string =>
  run.exit_code !== null ? `exit code ${run.exit_code}` : run.status === 'timed_out' ? 'stopped at its timeout' : run.status === 'running' ? 'running' : '';

/** The release's run of its app's release phase: how it ended, and what it printed. */
export const ReleasePhase = ({ api, app, release }: { api: Api; app: string; release: ReleaseResponse }) => {
  const [open, setOpen] = useState(false);
  const run = release.release_phase;
  if (!run) return null;
  return (
    <div class="release-phase">
      <span class="muted">release phase</span> <Badge value={run.status} /> <span class="muted">{summary(run)}</span>
      {run.output_url ? (
        <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'} release phase output of v{release.version}
        </button>
      ) : null}
      {open ? <Output api={api} app={app} release={release} /> : null}
    </div>
  );
};
