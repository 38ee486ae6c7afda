import type { DeploymentSettings, EcsLifecycleStage, HoldActions, RolloutPhase, StrategyName } from './deployment-strategy';
import type { ReleasePhaseRun, ReleasePhaseSettings } from './release-phase';

/** Slipway's entities as the domain sees them; storage and wire shapes are derived from these. */

export type AppRef = { id: string; name: string };

export type App = {
  id: string;
  name: string;
  /** The ECS service Slipway deploys to; both "" on an external app. */
  cluster: string;
  service: string;
  /**
   * An app Slipway does not run (a mobile app, a Lambda, firmware, a service on another platform): its
   * releases are recorded as its clients report them and never deployed. Absent on ECS apps.
   */
  external?: boolean;
  container: string | null;
  auto_release: boolean;
  /** Roll a release back by itself when it fails after going live (see domain/auto-rollback.ts). */
  auto_rollback: boolean;
  /** How long after going live a failed required check still rolls a release back. */
  bake_window_seconds: number;
  /** Whether GET /apps/{app}/badge.svg answers callers without a key; absent on apps made before it existed. */
  public_badge?: boolean;
  /** How its releases roll out; absent on apps that never chose (rolling). */
  deployment?: DeploymentSettings;
  /** A one-off command each release runs before it takes traffic (see domain/release-phase.ts); null or absent: none. */
  release_phase?: ReleasePhaseSettings | null;
  created_at: string;
  updated_at: string;
  /** Version of the newest succeeded release; it alone is `current`. */
  current_release_version: number | null;
  /**
   * The build the release at `current_release_version` deployed, set with the pointer, so that what is live
   * is read in one call; absent on apps whose pointer last moved before it was kept.
   */
  current_release_build_id?: string;
  /**
   * Set before a rollout marks its release succeeded and cleared once the pointer above has moved to it:
   * while set, that release is current as soon as its own status says succeeded (read it to know).
   */
  succeeding_release_version?: number | null;
};

const BUILD_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

type SourceBlob = {
  image: string;
  commit: string | null;
  branch: string | null;
  repo: string | null;
  version: string | null;
  author: string | null;
  message: string | null;
  tag?: string | null;
};

/** A commit as the pushing CI knows it; a build lists its commits newest first. */
export type Commit = {
  sha: string;
  author: string | null;
  /** Null for a commit a client named by its sha alone that no build Slipway knows lists. */
  committed_at: string | null;
  message: string | null;
};

/** Free JSON a team attaches to a build or release; bounded in bytes where it is accepted. */
export type Metadata = Record<string, unknown>;

export type Build = {
  id: string;
  app: AppRef;
  status: BuildStatus;
  source_blob: SourceBlob;
  /** Absent on builds registered before Slipway kept them. */
  commits?: Commit[];
  /** The CI's own identifier of the build (its build or run id), which releases can be filtered by. */
  ci_build_id?: string | null;
  metadata?: Metadata;
  created_at: string;
  updated_at: string;
};

export const RELEASE_STATUSES = ['queued', 'pending', 'succeeded', 'failed', 'unknown'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const CHECK_STATES = ['pending', 'success', 'failure', 'error'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

export const RELEASE_TRIGGERS = ['deploy', 'rollback', 'promotion', 'auto', 'auto_rollback', 'config'] as const;
export type ReleaseTrigger = (typeof RELEASE_TRIGGERS)[number];

export type Actor = { id: string; email: string };

export type ReleaseRef = { id: string; version: number };

export type RolloutProgress = {
  desired: number;
  running_new: number;
  failed_tasks: number;
  deployment_id?: string | null;
  task_definition_arn?: string | null;
  message?: string | null;
  /** The strategy the release rolls out with; absent on rollouts started before Slipway kept it (all rolling). */
  strategy?: StrategyName | null;
  /** The phase ECS last reported the deployment in; null (or absent) until it reported one. */
  phase?: RolloutPhase | null;
  /** The share of production traffic on the new revision at that report. */
  traffic_percent?: number | null;
  /** When the phase ends by itself (a bake), as that report reads it. */
  phase_ends_at?: string | null;
  /** The app's deployment settings the release rolls out with, as they were when its rollout began. */
  deployment?: DeploymentSettings | null;
  /** ECS's service deployment (DescribeServiceDeployments), for the strategies that report lifecycle stages. */
  service_deployment_arn?: string | null;
  /** The lifecycle stage ECS last reported, and since when Slipway has seen it in that stage. */
  lifecycle_stage?: EcsLifecycleStage | null;
  /** Kept on rollouts recorded before holds timed the bakes; no longer written. */
  stage_since?: string | null;
  /** What the release's gate waits for while it holds the deployment; null when it waits for nothing. */
  gate?: GateProgress | null;
  /** Why Slipway had ECS roll the deployment back (a gate's check failed, an operator aborted): the release's last word. */
  stop_reason?: string | null;
} & HoldActions;

/** A gate holding a deployment: the check contexts not yet `success` and `approval`, since and until when. */
export type GateProgress = { waiting_for: string[]; since: string; until: string | null };

/** A status check posted against a release by CI, QA or a pipeline tool, keyed by its context. */
export type StatusCheck = {
  id: string;
  context: string;
  name: string;
  state: CheckState;
  description: string | null;
  target_url: string | null;
  image_url: string | null;
  created_at: string;
  updated_at: string;
};

export type Release = {
  id: string;
  app: AppRef;
  version: number;
  slug: { id: string };
  image: string;
  description: string;
  status: ReleaseStatus;
  state: CheckState;
  user: Actor;
  trigger: ReleaseTrigger;
  /** The promotion that made this release (trigger `promotion`); absent on releases recorded before Slipway kept it. */
  promotion_id?: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  rollout: RolloutProgress | null;
  /**
   * The rollback that overtook this release before it could become current: it was queued (never ran) or
   * rolling out (its deployment was replaced). Such a release ends `failed`.
   */
  superseded_by?: ReleaseRef | null;
  /**
   * The app's config version this release runs with; null for an app that never had config vars (its
   * containers keep the task definition's environment). Absent on releases recorded before config vars existed.
   */
  config_version?: number | null;
  /** Status checks by context. Kept on the release item so `state` is recomputed from them atomically. */
  checks: Record<string, StatusCheck>;
  /** Bumped by every in-place change; writers condition on it (optimistic concurrency). */
  revision: number;
  /** Release notes as given (text or HTML); absent on releases recorded before Slipway kept them. */
  notes?: string | null;
  metadata?: Metadata;
  /** The labels of the release's build, copied when the release is recorded. */
  build_labels?: BuildLabels;
  /** What this release ships since the app's previous succeeded release, as far as Slipway can tell. */
  changes?: ShippedCommits;
  /**
   * A release of an external app: recorded as its client reports it (status, times), never rolled out.
   * Absent on releases Slipway rolls out.
   */
  recorded?: boolean;
  /** Where the client shows the release (a store page, a CI run); recorded releases only. */
  url?: string | null;
  /** The release's name or code name as its client gives it; recorded releases only. */
  name?: string | null;
  /** The oldest version a device may update to this release from, as a device fleet's clients give it. */
  min_version?: string | null;
  /** Where a recorded release runs, as ReleaseBits clients report it: the latest report of each host and stage. */
  deployments?: Deployment[];
  /** Its run of the app's release phase, from when its rollout began; null or absent: the app had none. */
  release_phase?: ReleasePhaseRun | null;
};

/** One version of an external app on one host at one stage, as a ReleaseBits client reports it. */
export type Deployment = {
  id: string;
  host: string | null;
  stage: string | null;
  status: RecordedStatus;
  started_at: string | null;
  finished_at: string | null;
  code_name: string | null;
  meta_data: Metadata;
  created_at: string;
};

/** The statuses a client may report for a recorded release: pending until it says how it went. */
export const RECORDED_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RecordedStatus = (typeof RECORDED_STATUSES)[number];

/** What a client reports of a release Slipway did not run. */
export type RecordedOutcome = {
  status: RecordedStatus;
  started_at: string | null;
  finished_at: string | null;
  url: string | null;
  name: string | null;
};

export type BuildLabels = {
  version: string | null;
  commit: string | null;
  tag: string | null;
  branch: string | null;
  /** Absent on releases recorded before builds kept it. */
  ci_build_id?: string | null;
};

export type ShippedCommits = {
  commits: Commit[];
  /** The succeeded release they are counted from (current when this one was recorded); null for an app's first. */
  since_version: number | null;
  /** False when the build's commits do not reach back to that release's commit: `commits` is then what the build lists. */
  complete: boolean;
  reason: string;
};

/** Rollout statuses after which a release never changes status again. */
export const FINAL_RELEASE_STATUSES: readonly ReleaseStatus[] = ['succeeded', 'failed', 'unknown'];
