import { useState } from 'preact/hooks';
import { whyReleaseEnded } from '../../../shared/domain/release-outcome';
import type { Api, AppDetailResponse, ReleaseResponse } from '../api';
import { Confirm, type Outcome } from '../components';

type Current = NonNullable<AppDetailResponse['current_release']>;

/** A rollback to an earlier release that succeeded, or a forced one to a release that never did. */
export type RollbackOffer = 'rollback' | 'force';

/**
 * What the page offers for `release`, never what the API would refuse: a rollback only to an earlier release
 * that succeeded; to one that failed or ended unknown only forced (the API takes it with `force`), and nothing
 * for the current release, one in flight, a recorded one (Slipway never ran it), or without the role.
 */
export const rollbackOffer = (release: ReleaseResponse, current: Current | undefined, mayRollBack: boolean): RollbackOffer | undefined => {
  if (!mayRollBack || !current || release.recorded || release.id === current.id) return undefined;
  if (release.status === 'succeeded') return release.version < current.version ? 'rollback' : undefined;
  return release.status === 'failed' || release.status === 'unknown' ? 'force' : undefined;
};

type Asked = { release: ReleaseResponse; force: boolean };

export const RollbackButton = ({ release, offer, ask }: { release: ReleaseResponse; offer: RollbackOffer; ask: (asked: Asked) => void }) =>
  offer === 'rollback' ? (
    <button type="button" onClick={() => ask({ release, force: false })}>
      Roll back to v{release.version}
    </button>
  ) : (
    <button type="button" class="danger" onClick={() => ask({ release, force: true })}>
      Force a rollback to v{release.version}…
    </button>
  );

/** A forced rollback asks twice: the dialog's own checkbox must say the operator knows what never worked. */
const RollbackDialog = (props: { app: string; current: Current; asked: Asked; busy: boolean; onConfirm: () => void; onCancel: () => void }) => {
  const { release, force } = props.asked;
  const [understood, setUnderstood] = useState(false);
  return (
    <Confirm
      title={force ? `Force a rollback of ${props.app} to v${release.version}?` : `Roll back ${props.app}?`}
      confirmLabel={force ? `Force the rollback to v${release.version}` : `Roll back to v${release.version}`}
      busy={props.busy}
      confirmDisabled={force && !understood}
      danger={force}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    >
      <p>
        This replaces the current release v{props.current.version} with a new release of v{release.version}'s build.
      </p>
      {force ? (
        <>
          <p class="problem">
            v{release.version} never succeeded ({release.status}): {whyReleaseEnded(release)}
          </p>
          <label class="understood">
            <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.currentTarget.checked)} /> I know v
            {release.version} never succeeded; roll back to it anyway
          </label>
        </>
      ) : null}
    </Confirm>
  );
};

/** The rollback a view offers: `ask` opens the confirmation, `dialog` is it (or null), `outcome` what came of it. */
export const useRollback = (api: Api, app: string, current: Current | undefined, onDone: () => void) => {
  const [asked, setAsked] = useState<Asked | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({});
  const confirm = async (chosen: Asked) => {
    setBusy(true);
    try {
      const created = await api.rollBack(app, chosen.release.id, chosen.force);
      setOutcome({ message: `Rolling back: v${created.version} releases v${chosen.release.version}'s build.` });
      onDone();
    } catch (error) {
      setOutcome({ error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
      setAsked(undefined);
    }
  };
  const dialog =
    asked && current ? (
      <RollbackDialog app={app} current={current} asked={asked} busy={busy} onConfirm={() => void confirm(asked)} onCancel={() => setAsked(undefined)} />
    ) : null;
  return { ask: setAsked, dialog, outcome };
};
