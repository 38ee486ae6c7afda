import { useState } from 'preact/hooks';
import { gateWords, isTrafficShifting, PHASE_WORDS, rolloutDeadlines } from '../../../shared/api/rollout-words';
import { roleMay } from '../../../shared/domain/access';
import { APPROVAL } from '../../../shared/domain/deployment-strategy/holds';
import type { Api, AppDetailResponse, ReleaseAction, ReleaseResponse, WhoamiResponse } from '../api';
import { Confirm, OutcomeNote, type Outcome } from '../components';
import { inFlight } from '../format';
import { LOCALE } from '../locale';
import '../rollout-panel.css';

/** What each action asks before it is taken, and what the page says once it was. */
const ACTIONS: Record<ReleaseAction, { verb: string; consequence: string; done: string }> = {
  approve: {
    verb: 'Approve',
    consequence: "Its traffic shifts on once the gate's status checks have succeeded.",
    done: 'approved: its traffic shifts on once the gate has nothing else to wait for',
  },
  promote: {
    verb: 'Promote',
    consequence: 'The rest of its bakes and its gate are skipped: all production traffic shifts to it now.',
    done: 'promoted: all production traffic shifts to it now',
  },
  abort: {
    verb: 'Abort',
    consequence: 'All production traffic goes back to the previous revision and the release ends failed.',
    done: 'aborted: all production traffic goes back to the previous revision',
  },
};

const clock = (timestamp: string) => new Date(timestamp).toLocaleTimeString(LOCALE);

/** Production traffic as a bar: the old revision's share, then the new one's, each also written out. */
const TrafficSplit = ({ release, previous }: { release: ReleaseResponse; previous: string }) => {
  const shifted = release.rollout?.traffic_percent ?? 0;
  const kept = Math.round((100 - shifted) * 10) / 10;
  const label = `Production traffic: ${previous} ${kept}%, v${release.version} ${shifted}%`;
  return (
    <>
      <div class="traffic-bar" role="img" aria-label={label}>
        <span class="traffic-old" style={{ width: `${kept}%` }} />
        <span class="traffic-new" style={{ width: `${shifted}%` }} />
      </div>
      <p class="traffic-legend" aria-hidden="true">
        <span class="old">
          {previous} {kept}%
        </span>
        <span class="new">
          v{release.version} {shifted}%
        </span>
      </p>
    </>
  );
};

/**
 * The release an app is rolling out with a strategy that shifts traffic (canary, linear, blue/green): the traffic
 * split, the phase and when it ends, what the gate waits for until when, and, for operators and admins, Approve /
 * Promote / Abort, each confirmed first with the version named. Nothing while no such release rolls out.
 */
export const RolloutPanel = (props: {
  api: Api;
  app: string;
  who: WhoamiResponse;
  releases: ReleaseResponse[];
  current: AppDetailResponse['current_release'] | undefined;
  onActed: () => void;
}) => {
  const { api, app } = props;
  const [asking, setAsking] = useState<ReleaseAction | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({});
  const release = props.releases.find((candidate) => inFlight(candidate) && isTrafficShifting(candidate.rollout));
  const rollout = release?.rollout ?? null;
  const notices = <OutcomeNote outcome={outcome} />;
  if (!release || !isTrafficShifting(rollout)) return notices;

  const version = `v${release.version}`;
  const waiting = gateWords(rollout.gate);
  const { phaseEndsAt, gateUntil } = rolloutDeadlines(rollout);
  const mayAct = roleMay(props.who.role, 'releases:rollback');
  const offered: ReleaseAction[] = [...(rollout.gate?.waiting_for.includes(APPROVAL) ? (['approve'] as const) : []), 'promote', 'abort'];

  const act = async (action: ReleaseAction) => {
    setBusy(true);
    try {
      await api.actOnRelease(app, release.id, action);
      setOutcome({ message: `${version} of ${app} ${ACTIONS[action].done}.` });
      props.onActed();
    } catch (error) {
      setOutcome({ error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };

  return (
    <section class="traffic" aria-labelledby="traffic-title" data-release={release.version}>
      <h2 id="traffic-title">
        Rolling out {version}: {rollout.strategy.replace('_', '/')}
      </h2>
      <TrafficSplit release={release} previous={props.current ? `v${props.current.version}` : 'previous revision'} />
      <p>
        Phase: <strong>{PHASE_WORDS[rollout.phase]}</strong>
        {phaseEndsAt ? <span> until {clock(phaseEndsAt)}</span> : null}
      </p>
      {waiting ? (
        <p class="gate">
          Gate: {waiting}
          {gateUntil ? ` until ${clock(gateUntil)}` : ''}, then it rolls back
        </p>
      ) : null}
      {notices}
      {mayAct ? (
        <div class="actions">
          {offered.map((action) => (
            <button key={action} type="button" class={action === 'approve' ? 'primary' : undefined} onClick={() => setAsking(action)}>
              {ACTIONS[action].verb} {version}
            </button>
          ))}
        </div>
      ) : null}
      {asking ? (
        <Confirm
          title={`${ACTIONS[asking].verb} ${version} of ${app}?`}
          confirmLabel={`${ACTIONS[asking].verb} ${version}`}
          busy={busy}
          onConfirm={() => void act(asking)}
          onCancel={() => setAsking(undefined)}
        >
          <p>{ACTIONS[asking].consequence}</p>
        </Confirm>
      ) : null}
    </section>
  );
};
