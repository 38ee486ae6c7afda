/**
 * A deployment strategy as data: what it asks of ECS's own deployment engine, and the phases a rollout
 * goes through under it, each read off what ECS reports of the deployment. Each strategy is one module
 * beside this one (rolling.ts, canary.ts, linear.ts, blue-green.ts), built from an app's settings; the ECS
 * adapter and the ECS simulator are built from that data and spell no strategy themselves.
 *
 * ECS reports where a blue/green, linear or canary deployment stands as a lifecycle stage, not as a share
 * of traffic: phases sharing a stage follow each other in time (a canary's 10 % for its bake, then 100 %;
 * a linear one's steps), so the phase within a stage is read off how long ECS has been in it.
 */

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
export const ECS_DEPLOYMENT_ENGINES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
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
  /** Blue/green, linear, canary: how long both revisions run once all production traffic shifted. */
  bakeMinutes?: number;
  /** Canary: the share of production traffic the new revision takes first, and for how long. */
  canary?: { percent: number; bakeMinutes: number };
  /** Linear: the share of production traffic each step moves, and how long each step bakes. */
  linear?: { stepPercent: number; stepBakeMinutes: number };
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
  /** How long the phase lasts by itself (a bake), in ECS minutes; null: as long as ECS takes. */
  bakeMinutes: number | null;
  /** The lifecycle stages in which ECS reports the deployment in this phase (none where ECS reports no stage). */
  ecsStages: readonly EcsLifecycleStage[];
};

export type DeploymentStrategy = {
  /** As an app names it. */
  name: string;
  /** One line: how the strategy replaces a release's tasks. */
  summary: string;
  deployment: DeploymentConfiguration;
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
};

/**
 * Where a rollout stands: its phase, the share of production traffic on the new revision, and when the phase
 * ends by itself (a bake's end; null while it lasts as long as ECS takes).
 */
export type PhaseReading = { phase: RolloutPhase; traffic_percent: number; phase_ends_at: string | null };

/** When the report was read, since when ECS has reported its stage, and how long an ECS minute is (60 s but in the simulator). */
export type StageClock = { now: Date; stageSince: string | null; minuteMs: number };

const NO_CLOCK: StageClock = { now: new Date(0), stageSince: null, minuteMs: 60_000 };

/**
 * The phase ECS's report puts a rollout of `strategy` in. A completed deployment has all traffic; a failed one is
 * rolled back (every strategy has ECS roll a failed deployment back), so none of it stays on the new revision.
 */
export const phaseOf = (strategy: DeploymentStrategy, report: DeploymentReport, clock: StageClock = NO_CLOCK): PhaseReading => {
  if (report.rolloutState === 'COMPLETED') return { phase: 'completed', traffic_percent: 100, phase_ends_at: null };
  if (report.rolloutState === 'FAILED') return { phase: 'rolling_back', traffic_percent: 0, phase_ends_at: null };
  const stage = report.lifecycleStage;
  const inStage = stage ? strategy.phases.filter((candidate) => candidate.ecsStages.includes(stage)) : [];
  if (inStage.length === 0) return { phase: strategy.phases[0].name, traffic_percent: trafficOf(strategy.phases[0], report), phase_ends_at: null };
  // The stage's phases in turn, each for its bake, from when ECS entered the stage.
  const since = clock.stageSince === null ? clock.now.getTime() : Date.parse(clock.stageSince);
  let endsAt = since;
  for (const phase of inStage) {
    if (phase.bakeMinutes === null) return { phase: phase.name, traffic_percent: trafficOf(phase, report), phase_ends_at: null };
    endsAt += phase.bakeMinutes * clock.minuteMs;
    if (clock.now.getTime() < endsAt || phase === inStage.at(-1)) {
      return { phase: phase.name, traffic_percent: trafficOf(phase, report), phase_ends_at: new Date(endsAt).toISOString() };
    }
  }
  throw new Error('unreachable: the last phase of a stage always answers');
};

const trafficOf = ({ traffic }: Phase, { runningNew, runningTotal }: DeploymentReport): number => {
  if (traffic !== 'share_of_running_tasks') return traffic.percent;
  return runningTotal > 0 ? Math.round((100 * Math.min(runningNew, runningTotal)) / runningTotal) : 0;
};
