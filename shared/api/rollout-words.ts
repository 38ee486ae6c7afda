import type { RolloutPhase } from '../domain/deployment-strategy';
import type { ReleaseResponse } from './release-responses';

/** How people read a rollout's phase: the CLI and the dashboard say it alike. */
export const PHASE_WORDS: Record<RolloutPhase, string> = {
  release_phase: 'release phase',
  scaling_up: 'scaling up',
  test_traffic: 'test traffic',
  canary: 'canary',
  shifting: 'shifting',
  baking: 'baking',
  awaiting_approval: 'at the gate',
  completed: 'completed',
  rolling_back: 'rolling back',
};

type Rollout = NonNullable<ReleaseResponse['rollout']>;

/** A rollout whose strategy moves production traffic by weight, so its share and phase say where it stands. */
export const isTrafficShifting = (rollout: Rollout | null): rollout is Rollout & { phase: RolloutPhase } =>
  rollout !== null && rollout.strategy !== 'rolling' && rollout.phase !== null;

/** `waiting for ci/smoke, approval`: what holds a release at its gate, or null when nothing does. */
export const gateWords = (gate: Rollout['gate']): string | null =>
  gate && gate.waiting_for.length > 0 ? `waiting for ${gate.waiting_for.join(', ')}` : null;

/**
 * When the phase ends by itself and when the gate gives up, each only while it is still ahead (a deadline passed
 * is news not yet read from ECS, not a time to show); at the gate the phase ends when the gate does, said once.
 */
export const rolloutDeadlines = (rollout: Rollout, now = Date.now()): { phaseEndsAt: string | null; gateUntil: string | null } => {
  const ahead = (timestamp: string | null | undefined) => (timestamp && Date.parse(timestamp) > now ? timestamp : null);
  const gated = gateWords(rollout.gate) !== null;
  return {
    phaseEndsAt: gated && rollout.phase_ends_at === rollout.gate?.until ? null : ahead(rollout.phase_ends_at),
    gateUntil: gated ? ahead(rollout.gate?.until) : null,
  };
};

/**
 * `canary 10% until 12:40:05 · waiting for ci/smoke, approval until 12:42:05`: the phase, the new revision's share
 * of production traffic, when the phase ends, and what the gate waits for until when (`time` writes a timestamp
 * as its reader reads times). Null for a rollout that shifts no traffic or has not reached ECS yet.
 */
export const rolloutStage = (rollout: Rollout | null, time: (timestamp: string) => string, now = Date.now()): string | null => {
  if (!isTrafficShifting(rollout)) return null;
  const until = (timestamp: string | null) => (timestamp ? ` until ${time(timestamp)}` : '');
  const { phaseEndsAt, gateUntil } = rolloutDeadlines(rollout, now);
  const share = rollout.traffic_percent === null ? '' : ` ${rollout.traffic_percent}%`;
  const waiting = gateWords(rollout.gate);
  return `${PHASE_WORDS[rollout.phase]}${share}${until(phaseEndsAt)}${waiting ? ` · ${waiting}${until(gateUntil)}` : ''}`;
};
