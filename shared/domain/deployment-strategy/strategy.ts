/**
 * A deployment strategy as data: what it asks of ECS's own deployment engine, and the phases a rollout
 * goes through under it, each read off what ECS reports of the deployment. Each strategy is one module
 * beside this one (rolling.ts, canary.ts, linear.ts, blue-green.ts), built from an app's settings; the ECS
 * adapter and the ECS simulator are built from that data and spell no strategy themselves.
 *
 * ECS reports where a blue/green, linear or canary deployment stands as a lifecycle stage, the production
 * traffic weight it requested for the new revision, and the lifecycle hooks holding it (holds.ts): phases
 * sharing a stage (a canary's share, then all of it; a linear one's steps) are told apart by that weight,
 * and a bake or gate is read off the hold that waits for it.
 */
import type { AwaitingHold, Hold } from './holds';

/** Every phase a rollout can be in, whatever its strategy. */
export const ROLLOUT_PHASES = [
  /** A one-off task before any traffic moves (a release phase). */
  'release_phase',
  /** New tasks start beside the old ones. */
  'scaling_up',
  /** The new revision takes test traffic only. */
  'test_traffic',
  /** A small share of production traffic is on the new revision, for the canary's bake. */
  'canary',
  /** Production traffic moves to the new revision. */
  'shifting',
  /** All production traffic is on the new revision; the old one stands by until the bake ends. */
  'baking',
  /** A gate waits for status checks and an operator's approval. */
  'awaiting_approval',
  'completed',
  /** ECS rolls the service back to the revision it ran before (circuit breaker or alarm). */
  'rolling_back',
] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** The strategies of ECS's deployment engine (its deploymentConfiguration.strategy). */
const ECS_DEPLOYMENT_ENGINES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
export type EcsDeploymentEngine = (typeof ECS_DEPLOYMENT_ENGINES)[number];

/** Where ECS says a deployment of a blue/green, linear or canary strategy stands (DescribeServiceDeployments). */
export type EcsLifecycleStage =
  | 'RECONCILE_SERVICE'
  | 'PRE_SCALE_UP'
  | 'SCALE_UP'
  | 'POST_SCALE_UP'
  | 'TEST_TRAFFIC_SHIFT'
  | 'POST_TEST_TRAFFIC_SHIFT'
  | 'PRODUCTION_TRAFFIC_SHIFT'
  | 'POST_PRODUCTION_TRAFFIC_SHIFT'
  | 'BAKE_TIME'
  | 'CLEAN_UP';

/** A deployment's rolloutState, as ECS reports it. */
export type EcsRolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/**
 * The deployment configuration a strategy asks ECS for, in the domain's words (the ECS adapter maps it to
 * ECS's shape): which engine, how far the task count may dip and swell while tasks are replaced, the
 * circuit breaker, and, for the engines that shift traffic, their steps and bake times.
 */
export type DeploymentConfiguration = {
  engine: EcsDeploymentEngine;
  /** Running tasks never drop below this share of the desired count. */
  minimumHealthyPercent: number;
  /** Tasks (old and new) never exceed this share of the desired count. */
  maximumPercent: number;
  /** ECS fails a deployment whose tasks keep failing to start, and with `rollback` goes back to the last completed one. */
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** Blue/green, linear, canary: ECS's own bake settings, zero where a hold (holds.ts) times the bake instead. */
  bakeMinutes?: number;
  /** Canary: the share of production traffic the new revision takes first, and ECS's own bake of it. */
  canary?: { percent: number; bakeMinutes: number };
  /** Linear: the share of production traffic each step moves, and ECS's own bake of each step. */
  linear?: { stepPercent: number; stepBakeMinutes: number };
  /** Where the deployment waits for its bakes and its gate, as ECS PAUSE lifecycle hooks. */
  holds?: readonly Hold[];
  /** CloudWatch alarms ECS watches during the deployment: one in ALARM fails it, and ECS rolls it back. */
  alarms?: readonly string[];
};

/** One phase of a strategy, in the order a rollout passes through them. */
export type Phase = {
  name: RolloutPhase;
  /**
   * Production traffic on the new revision during the phase: a share the engine sets, or, where it splits
   * none by weight (rolling), the new revision's share of the service's running tasks.
   */
  traffic: { percent: number } | 'share_of_running_tasks';
  /** The lifecycle stages in which ECS reports the deployment in this phase (none where ECS reports no stage). */
  ecsStages: readonly EcsLifecycleStage[];
};

export type DeploymentStrategy = {
  /** As an app names it. */
  name: string;
  /** One line: how the strategy replaces a release's tasks. */
  summary: string;
  deployment: DeploymentConfiguration;
  /**
   * Whether its holds wait before production traffic first moves: blue/green's gate follows test traffic; a
   * canary's or linear rollout's holds wait only once the new revision has taken production traffic to judge.
   */
  holdsFirstShift: boolean;
  /** How many production traffic shifts its holds (a step's bake, the gate) wait before. */
  heldShifts: number;
  /** The phases before `completed`, in order; the first is where a deployment ECS reports no stage of stands. */
  phases: readonly [Phase, ...Phase[]];
};

/** What ECS reports of one deployment (the ECS adapter reads it). */
export type DeploymentReport = {
  rolloutState: EcsRolloutState;
  /** Null where ECS reports no stage (a rolling deployment). */
  lifecycleStage?: EcsLifecycleStage | null;
  /** Running tasks of the deployment's revision, and of the whole service. */
  runningNew: number;
  runningTotal: number;
  /** The share of production traffic ECS put on the new revision (blue/green, linear, canary). */
  productionPercent?: number | null;
  /** The lifecycle hooks holding the deployment, awaiting action. */
  holds?: readonly AwaitingHold[];
};

/**
 * Where a rollout stands: its phase, the share of production traffic on the new revision, and when the phase
 * ends by itself (a bake's end; null while it lasts as long as ECS takes).
 */
export type PhaseReading = { phase: RolloutPhase; traffic_percent: number; phase_ends_at: string | null };

/**
 * The phase ECS's report puts a rollout of `strategy` in. A completed deployment has all traffic; a failed one is
 * rolled back (every strategy has ECS roll a failed deployment back), so none of it stays on the new revision.
 * A hold says what the deployment waits for; otherwise the stage and the traffic weight place it.
 */
export const phaseOf = (strategy: DeploymentStrategy, report: DeploymentReport): PhaseReading => {
  if (report.rolloutState === 'COMPLETED') return { phase: 'completed', traffic_percent: 100, phase_ends_at: null };
  if (report.rolloutState === 'FAILED') return { phase: 'rolling_back', traffic_percent: 0, phase_ends_at: null };
  const held = heldPhase(strategy, report);
  if (held) return held;
  const stage = report.lifecycleStage;
  const inStage = stage ? strategy.phases.filter((candidate) => candidate.ecsStages.includes(stage)) : [];
  const moved = report.productionPercent ?? null;
  // Before the first production shift, the deployment still stands where it took test traffic.
  const candidates = moved === 0 ? strategy.phases.filter(({ traffic }) => traffic !== 'share_of_running_tasks' && traffic.percent === 0).slice(-1) : inStage;
  const phase = (moved === null ? undefined : candidates.find(({ traffic }) => traffic !== 'share_of_running_tasks' && traffic.percent >= moved)) ?? inStage[0] ?? strategy.phases[0];
  return { phase: phase.name, traffic_percent: moved ?? trafficOf(phase, report), phase_ends_at: null };
};

/** Where a held deployment stands: a step's bake (its share of traffic, until ECS continues it), the gate, or the final bake. */
const heldPhase = (strategy: DeploymentStrategy, report: DeploymentReport): PhaseReading | null => {
  const holds = report.holds ?? [];
  const moved = report.productionPercent ?? 0;
  // Before the first shift of a canary or linear rollout Slipway lets its holds go at once: nothing waits there.
  if (moved === 0 && !strategy.holdsFirstShift) return null;
  const finalBake = holds.find((hold) => hold.purpose === 'final_bake');
  if (finalBake) return { phase: 'baking', traffic_percent: 100, phase_ends_at: finalBake.expiresAt };
  const stepBake = holds.find((hold) => hold.purpose === 'step_bake');
  if (stepBake && moved > 0) {
    const phase = strategy.phases.find(({ traffic }) => traffic !== 'share_of_running_tasks' && traffic.percent >= moved);
    return { phase: phase?.name ?? 'shifting', traffic_percent: moved, phase_ends_at: stepBake.expiresAt };
  }
  const gate = holds.find((hold) => hold.purpose === 'gate');
  if (gate) return { phase: 'awaiting_approval', traffic_percent: moved, phase_ends_at: gate.expiresAt };
  return null;
};
const trafficOf = ({ traffic }: Phase, { runningNew, runningTotal }: DeploymentReport): number => {
  if (traffic !== 'share_of_running_tasks') return traffic.percent;
  return runningTotal > 0 ? Math.round((100 * Math.min(runningNew, runningTotal)) / runningTotal) : 0;
};
