import type { DeploymentSettings } from './deployment-strategy';
import type { ReleasePhaseSettings } from './release-phase';
import type { Stage } from './pipeline';
import type { Commit, Metadata } from './model';
import type { ReleaseFilter } from './release-filter';
import type { RollbackTarget } from './release-request';
import type { RecordedReport } from './external-apps';

/**
 * What the use cases are asked to do, in the domain's own words. Handlers parse a request with its zod
 * schema (shared/api) and hand the result on as one of these; the use cases never see the wire shapes.
 */

/** Without cluster and service the app is external: Slipway records its releases and never deploys them. */
export type NewApp = {
  name: string;
  cluster?: string | undefined;
  service?: string | undefined;
  container?: string | undefined;
  auto_release: boolean;
  auto_rollback: boolean;
  bake_window_seconds: number;
  public_badge: boolean;
  deployment?: DeploymentSettings | undefined;
  release_phase?: ReleasePhaseSettings | null | undefined;
};

/** `PATCH /apps/{app}`: the app's settings that may change after it is created. */
export type AppSettings = {
  auto_rollback?: boolean | undefined;
  bake_window_seconds?: number | undefined;
  public_badge?: boolean | undefined;
  deployment?: DeploymentSettings | undefined;
  /** null turns it off. */
  release_phase?: ReleasePhaseSettings | null | undefined;
};

export type NewBuild = {
  /** Required for an app Slipway deploys; an external app's build may name none. */
  image?: string | undefined;
  status: 'succeeded' | 'pending';
  sha?: string | undefined;
  branch?: string | undefined;
  repo?: string | undefined;
  version?: string | undefined;
  author?: string | undefined;
  message?: string | undefined;
  tag?: string | undefined;
  /** Newest first. */
  commits?: Commit[] | undefined;
  metadata?: Metadata | undefined;
  ci_build_id?: string | undefined;
};
export type BuildStatusUpdate = { status: 'succeeded' | 'failed' };

/** A build to deploy (`slug`) or an earlier release to go back to (`release`): exactly one of them. */
export type ReleaseRequest = RecordedReport & {
  slug?: string | undefined;
  release?: RollbackTarget | undefined;
  force?: boolean | undefined;
  description?: string | undefined;
  notes?: string | undefined;
  metadata?: Metadata | undefined;
  min_version?: string | undefined;
};

/** `PATCH /apps/{app}/releases/{release}`: how a recorded release went, as its client reports it. */
export type RecordedStatusReport = { status: 'succeeded' | 'failed'; finished_at?: string | undefined };

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_BUILD_PAGE = 100;

/**
 * A page of releases: in `order` (oldest first by default) from just past `afterVersion` (the cursor's
 * version), or as a Heroku Range asks; narrowed by `filter` and, with `current`, to the current release.
 */
export type ReleaseListQuery = {
  limit?: number | undefined;
  afterVersion?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
  current: boolean;
  filter: ReleaseFilter;
};

export type NewPipeline = { name: string; description?: string | undefined };
export type NewCoupling = { stage: Stage; required_status_checks: { contexts: string[] } };

/** An `{id, name}` pair a client sent for one resource: both must name the same one. */
export type NamedPair = { kind: 'app' | 'pipeline'; id: string; name: string };

/** Apps and the pipeline by id or name; the chosen source release, if not the source app's current one. */
export type PromotionRequest = {
  pipeline: string;
  source: { app: string; release?: { id: string } };
  targets: { app: string }[];
  safe: boolean;
  named_pairs: NamedPair[];
};

/**
 * What a request's path names, as the HTTP layer found it: the `{app}` and `{pipeline}` values as sent,
 * and those references that can be read along with the caller's key (an app or a pipeline named by name,
 * a promotion by a well-formed id). Ids of apps and pipelines resolve through an index, later.
 */
export type PathReferences = {
  app: string | undefined;
  appName: string | undefined;
  pipeline: string | undefined;
  pipelineName: string | undefined;
  promotionId: string | undefined;
};
