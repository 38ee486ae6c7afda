import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ReleaseResponse } from './api';
import { elapsed, inFlight } from './format';

/** A status or check state as a word with a colour; the word alone carries the meaning. */
export const Badge = ({ value }: { value: string }) => <span class={`badge badge-${value}`}>{value}</span>;

export const Problem = ({ error }: { error: Error | undefined }) =>
  error ? (
    <p class="problem" role="alert">
      {error.message}
    </p>
  ) : null;

/** Until the first answer; nothing once a read failed (the Problem beside it says why), so a 404 never reads as still loading. */
export const Loading = ({ failed }: { failed?: Error | undefined }) => (failed ? null : <p class="muted">Loading…</p>);

/** What a change the page made came to: a sentence, or the refusal. */
export type Outcome = { error?: Error; message?: string };

export const OutcomeNote = ({ outcome }: { outcome: Outcome }) => (
  <>
    {outcome.message ? (
      <p class="notice" role="status">
        {outcome.message}
      </p>
    ) : null}
    <Problem error={outcome.error} />
  </>
);

/** A release's checks: their combined state, or a quiet word when none was posted (`pending` would say they run). */
export const ChecksBadge = ({ release }: { release: Pick<ReleaseResponse, 'state' | 'checks_posted'> }) =>
  release.checks_posted === 0 ? <span class="muted checks-none">no checks</span> : <Badge value={release.state} />;

/** What a rollout's progress shows: a release, or the app detail's `rollout_in_flight`. */
export type RollingRelease = Pick<ReleaseResponse, 'version' | 'status' | 'rollout' | 'started_at' | 'finished_at'>;

/** The new, desired and failed tasks of a rollout in flight, announced politely as they change. */
export const RolloutProgress = ({ release }: { release: RollingRelease }) => {
  const rollout = release.rollout;
  const label = `Rollout of v${release.version}`;
  return (
    <div class="rollout" role="status" aria-live="polite" data-release={release.version}>
      <div class="rollout-line">
        <Badge value={release.status} />
        {rollout ? (
          <span>
            {rollout.running_new}/{rollout.desired} new tasks running
            {rollout.failed_tasks > 0 ? `, ${rollout.failed_tasks} failed` : ''}
          </span>
        ) : (
          <span>{release.status === 'queued' ? 'waiting for the rollout before it' : 'starting'}</span>
        )}
        {release.started_at ? <span class="muted">{elapsed(release.started_at, inFlight(release) ? null : release.finished_at)}</span> : null}
      </div>
      {rollout && rollout.desired > 0 ? <progress aria-label={label} max={rollout.desired} value={rollout.running_new} /> : null}
      {rollout?.message ? <p class="muted rollout-message">{rollout.message}</p> : null}
    </div>
  );
};

/**
 * A modal question with the browser's own <dialog>: focus moves into it, Escape cancels, and the page
 * behind cannot be reached until it is answered.
 */
export const Confirm = (props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy: boolean;
  /** Holds the confirm button back until the question's own control says so. */
  confirmDisabled?: boolean;
  /** A confirm button that warns: what it does may not end well. */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) => {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'primary danger' : 'primary'} disabled={props.busy || props.confirmDisabled === true} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
};
