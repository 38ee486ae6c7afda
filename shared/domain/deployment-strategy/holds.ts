/**
 * Holds: where a deployment that shifts traffic waits, and who lets it go on. Each is an ECS PAUSE lifecycle hook
 * (ContinueServiceDeployment releases it, its timeout action acts when nobody does), so ECS's own engine keeps the
 * deployment and its clock, and Slipway can end any wait early:
 * - a step's bake (canary, linear): a PAUSE hook before the next production traffic shift that ECS continues by
 *   itself when the bake's minutes are up; `promote` continues it now;
 * - the gate: a PAUSE hook at the same point that Slipway continues once the named status checks succeeded and,
 *   with `approval`, an operator approved; it rolls back when a check fails, on `abort`, or when it times out;
 * - the final bake (both revisions running after the full shift): a PAUSE hook after the shift, continued by ECS
 *   when the bake is up, or by `promote`.
 * ECS's own bake settings are then zero: a bake ECS times by itself could not be cut short.
 * A PAUSE hook rather than a Lambda hook: Slipway continues it the moment a check lands, where ECS would call a
 * Lambda hook again only every callBackDelay, and nothing runs while a deployment waits.
 */

export type GateSettings = {
  /** Status check contexts that must be `success` on the release. */
  checks: string[];
  /** Whether an operator must approve too. */
  approval: boolean;
  /** How long the gate waits (after the step's bake) before the deployment rolls back. */
  timeout_minutes: number;
};

type HoldStage = 'PRE_PRODUCTION_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT';
export type HoldPurpose = 'step_bake' | 'gate' | 'final_bake';

/** A PAUSE hook a strategy asks ECS for. */
export type Hold = { purpose: HoldPurpose; stage: HoldStage; timeoutMinutes: number; onTimeout: 'CONTINUE' | 'ROLLBACK' };

/** The holds of a strategy that bakes each step `stepBakeMinutes`, bakes `bakeMinutes` after the full shift, and may have a gate. */
export const holdsFor = (stepBakeMinutes: number, bakeMinutes: number, gate: GateSettings | undefined): Hold[] => [
  ...(stepBakeMinutes > 0
    ? [{ purpose: 'step_bake', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: stepBakeMinutes, onTimeout: 'CONTINUE' } as const]
    : []),
  ...(gate
    ? [{ purpose: 'gate', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: stepBakeMinutes + gate.timeout_minutes, onTimeout: 'ROLLBACK' } as const]
    : []),
  ...(bakeMinutes > 0
    ? [{ purpose: 'final_bake', stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: bakeMinutes, onTimeout: 'CONTINUE' } as const]
    : []),
];

/**
 * The longest a rollout's holds may keep its deployment waiting, in ECS minutes: at each of the `heldShifts` shifts
 * its holds precede, as long as the longest of them (a step's bake and the gate wait side by side), then the final bake.
 */
export const longestHoldMinutes = (holds: readonly Hold[], heldShifts: number): number => {
  const beforeShift = Math.max(0, ...holds.filter((hold) => hold.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT').map((hold) => hold.timeoutMinutes));
  const afterShift = holds.filter((hold) => hold.stage === 'POST_PRODUCTION_TRAFFIC_SHIFT').reduce((total, hold) => total + hold.timeoutMinutes, 0);
  return heldShifts * beforeShift + afterShift;
};

/** Slipway's bound on it: a rollout's bakes and gates hold it a day at most in all (its execution's timeout allows for that). */
export const MAX_HOLD_MINUTES = 1440;

/**
 * Which hold a PAUSE hook ECS reports is, from where the deployment stands and what the hook does on timeout
 * (ECS reports hooks by id, not by the configuration they came from): at most one of each is configured per stage.
 */
export const purposeOf = (afterFullShift: boolean, timeoutAction: 'CONTINUE' | 'ROLLBACK'): HoldPurpose =>
  afterFullShift ? 'final_bake' : timeoutAction === 'ROLLBACK' ? 'gate' : 'step_bake';

/** A hold ECS reports awaiting action. */
export type AwaitingHold = { hookId: string; purpose: HoldPurpose; expiresAt: string | null };

/** What operators did to a release at its holds, each with who and when. */
export type HoldActions = {
  approved_by?: { actor: string; at: string } | null;
  promoted_by?: { actor: string; at: string } | null;
  aborted_by?: { actor: string; at: string } | null;
};

/** What to tell ECS about the holds of a release, and what its gate still waits for. */
export type HoldVerdict = {
  /** Hooks to continue. */
  continue: string[];
  /** Roll the deployment back: at this awaiting hook, or (null) by stopping the deployment. */
  rollback: { hookId: string | null; reason: string } | null;
  /** What the gate waits for: check contexts not yet `success`, and `approval`. Empty when it waits for nothing. */
  waitingFor: string[];
};

export const APPROVAL = 'approval';

export type HoldReview = {
  gate: GateSettings | undefined;
  /** Whether production traffic already moved at the step the holds precede (false before a canary's or linear's first shift). */
  trafficMoved: boolean;
  /** Blue/green gates its only shift, after test traffic; canary and linear gate the shifts after the first. */
  holdsFirstShift: boolean;
  awaiting: readonly AwaitingHold[];
  /** Each status check's state by context (pending, success, failure, error). */
  checks: Record<string, string>;
  actions: HoldActions;
  /** Whether the deployment is still shifting traffic (a check failure then rolls it back, held or not). */
  inProgress: boolean;
};

const failedCheck = (gate: GateSettings | undefined, checks: Record<string, string>): string | undefined =>
  gate?.checks.find((context) => checks[context] === 'failure' || checks[context] === 'error');

/**
 * The rules of the holds, in order: an abort rolls back; a promotion continues every hold; nothing is held
 * before the first shift of a canary or linear deployment (no production traffic has reached it to judge); a
 * gate check that failed rolls back at once, held or not; a gate whose checks all succeeded (and, if it asks,
 * that an operator approved; one approval serves every step) continues; bakes are left to ECS's clock.
 */
export const reviewHolds = ({ gate, trafficMoved, holdsFirstShift, awaiting, checks, actions, inProgress }: HoldReview): HoldVerdict => {
  const all = awaiting.map((hold) => hold.hookId);
  const firstHeld = awaiting[0]?.hookId ?? null;
  const waitingFor = gate
    ? [...gate.checks.filter((context) => checks[context] !== 'success'), ...(gate.approval && !actions.approved_by ? [APPROVAL] : [])]
    : [];
  if (!inProgress) return { continue: [], rollback: null, waitingFor: [] };
  if (actions.aborted_by) return { continue: [], rollback: { hookId: firstHeld, reason: `Aborted by ${actions.aborted_by.actor}.` }, waitingFor: [] };
  if (actions.promoted_by) return { continue: all, rollback: null, waitingFor: [] };
  const held = awaiting.length > 0;
  if (held && !trafficMoved && !holdsFirstShift) return { continue: all, rollback: null, waitingFor: [] };
  const failed = failedCheck(gate, checks);
  if (failed) {
    return { continue: [], rollback: { hookId: firstHeld, reason: `Status check ${failed} is ${checks[failed]}: the gate rolled the release back.` }, waitingFor };
  }
  const gateHold = awaiting.find((hold) => hold.purpose === 'gate');
  if (gateHold && waitingFor.length === 0) return { continue: [gateHold.hookId], rollback: null, waitingFor };
  return { continue: [], rollback: null, waitingFor: gateHold ? waitingFor : [] };
};
