import { redactedHookUrl, type Delivery, type Hook } from '../domain/hooks';
import type { DeliveryResponse, HookResponse } from './hook-responses';
import { config } from '../config/config';
import type { ApiKeyRecord } from '../domain/access';
import { currentVersionAmong } from '../domain/current-release';
import { shownRollout } from '../domain/rollout';
import { deploymentOf } from '../domain/deployment-strategy';
import type { App, Build, Deployment, Release, StatusCheck } from '../domain/model';
import type { Pipeline, PipelineCoupling } from '../domain/pipeline';
import type { Promotion } from '../domain/promotion';
import { listStatusChecks } from '../domain/status-checks';
import type { ApiKeyResponse } from './api-key-responses';
import type { AppDetailResponse, AppFeatureResponse, AppResponse, CurrentReleaseResponse } from './app-responses';
import type { BuildResponse } from './build-responses';
import type { CouplingResponse, PipelineResponse, PromotionResponse } from './pipeline-responses';
import type { MetricsReport } from '../domain/delivery-metrics';
import type { MetricsResponse } from './metrics-responses';
import type { ReleaseResponse } from './release-responses';
import type { ReleasePhaseResponse } from './release-phase-responses';
import type { DeploymentResponse } from './deployment-responses';
import { resultOfStatus } from '../domain/deployments';
import type { SignalReleaseResponse } from './signal-responses';
import { signalStatusOf, type SignalRelease } from '../domain/signal-releases';
import type { ConfigDiffResponse } from './config-var-responses';
import type { ConfigDiff } from '../domain/config-vars';
import type { ReleaseStatusesResponse, StatusResponse } from './status-responses';

/** Domain entities to their wire shapes; storage-only fields never leave the service. */
export const presentApp = (app: App): AppResponse => ({
  id: app.id,
  name: app.name,
  cluster: app.external ? null : app.cluster,
  service: app.external ? null : app.service,
  container: app.container,
  external: app.external === true,
  auto_release: app.auto_release,
  auto_rollback: app.auto_rollback,
  bake_window_seconds: app.bake_window_seconds,
  public_badge: app.public_badge ?? false,
  deployment: deploymentOf(app),
  release_phase: app.release_phase ?? null,
  created_at: app.created_at,
  updated_at: app.updated_at,
  description: app.external ? 'External app: Slipway records its releases and never deploys them' : `ECS service ${app.service} in cluster ${app.cluster}`,
  web_url: '',
  simple_name: app.name,
  space: { name: app.external ? 'external' : app.cluster },
  organization: { name: 'slipway' },
  region: { name: config().region },
});

export const presentAppDetail = (
  app: App,
  live: {
    current: { release: Release; build: Build | undefined } | undefined;
    inFlight: Release | undefined;
    running: (release: Release) => number | null;
  },
): AppDetailResponse => ({
  ...presentApp(app),
  image: live.current?.release.image ?? '',
  git_url: live.current?.build?.source_blob.repo ?? '',
  git_branch: live.current?.build?.source_blob.branch ?? '',
  released_at: live.current?.release.finished_at ?? null,
  current_release: live.current ? presentReleaseSummary(live.current.release, live.running(live.current.release)) : null,
  rollout_in_flight: live.inFlight ? { ...presentReleaseSummary(live.inFlight, live.running(live.inFlight)), rollout: shownRollout(live.inFlight) } : null,
});

const presentReleaseSummary = (release: Release, runningCount: number | null): CurrentReleaseResponse => ({
  id: release.id,
  version: release.version,
  image: release.image,
  status: release.status,
  state: release.state,
  checks_posted: Object.keys(release.checks).length,
  trigger: release.trigger,
  started_at: release.started_at,
  finished_at: release.finished_at,
  running_count: runningCount,
});

export const presentAppFeatures = (app: App): AppFeatureResponse[] => [
  { name: 'auto-release', description: 'Release each build as soon as it succeeds', enabled: app.auto_release },
];

export const presentBuild = (build: Build): BuildResponse => ({
  id: build.id,
  app: build.app,
  created_at: build.created_at,
  updated_at: build.updated_at,
  status: build.status,
  source_blob: { ...build.source_blob, tag: build.source_blob.tag ?? null },
  commits: build.commits ?? [],
  metadata: build.metadata ?? {},
  ci_build_id: build.ci_build_id ?? null,
  slug: { id: build.id },
});

/**
 * `current` is derived from the app's pointer (moved forward by the release itself when it succeeded after
 * the app was read), so exactly one release per app can ever show it. Lists pass the app as
 * `withCurrentAmong` shows it for the whole page. `runningCount`: what runs it now, where the caller read it.
 */
export const presentRelease = (release: Release, app: App, runningCount: number | null = null): ReleaseResponse => ({
  id: release.id,
  app: release.app,
  version: release.version,
  slug: release.slug,
  description: release.description,
  status: release.status,
  state: release.state,
  checks_posted: Object.keys(release.checks).length,
  current: currentVersionAmong(app.current_release_version, [release]) === release.version,
  user: release.user,
  created_at: release.created_at,
  updated_at: release.updated_at,
  started_at: release.started_at,
  finished_at: release.finished_at,
  trigger: release.trigger,
  rollout: shownRollout(release),
  release_phase: presentReleasePhase(release),
  superseded_by: release.superseded_by ?? null,
  config_version: release.config_version ?? null,
  notes: release.notes ?? null,
  metadata: release.metadata ?? {},
  build: { id: release.slug.id, ...NO_BUILD_LABELS, ...release.build_labels },
  min_version: release.min_version ?? null,
  recorded: release.recorded === true,
  url: release.url ?? null,
  name: release.name ?? null,
  running_count: runningCount,
  deployments: release.deployments ?? [],
  commits: release.changes?.commits ?? [],
  commits_since: {
    version: release.changes?.since_version ?? null,
    complete: release.changes?.complete ?? false,
    reason: release.changes?.reason ?? 'cannot tell: recorded before Slipway kept commits',
  },
});

/** Where a release's release phase output is read. */
const releasePhaseOutputPath = (release: Release): string =>
  `/apps/${encodeURIComponent(release.app.name)}/releases/${release.id}/release-phase/output`;

const presentReleasePhase = (release: Release): ReleasePhaseResponse | null => {
  const run = release.release_phase;
  if (!run) return null;
  return {
    status: run.status,
    exit_code: run.exit_code,
    started_at: run.started_at,
    finished_at: run.finished_at,
    task_arn: run.task_arn,
    output_url: run.task_arn && run.log ? releasePhaseOutputPath(release) : null,
  };
};

const NO_BUILD_LABELS = { version: null, commit: null, tag: null, branch: null, ci_build_id: null } as const;

export const presentConfigDiff = (release: Release, against: Release, diff: ConfigDiff): ConfigDiffResponse => ({
  release: { id: release.id, version: release.version, config_version: release.config_version ?? null },
  against: { id: against.id, version: against.version, config_version: against.config_version ?? null },
  ...diff,
});

export const presentMetrics = (report: MetricsReport, pipeline: Pick<Pipeline, 'id' | 'name'> | null): MetricsResponse => ({
  pipeline: pipeline && { id: pipeline.id, name: pipeline.name },
  apps: report.apps,
  window: { label: report.window.label, from: report.window.from, to: report.window.to },
  ...report.metrics,
  ...(report.series ? { series: report.series.map((bucket) => ({ from: bucket.from, to: bucket.to, ...bucket.metrics })) } : {}),
});

export const presentPipeline = (pipeline: Pipeline): PipelineResponse => ({
  id: pipeline.id,
  name: pipeline.name,
  description: pipeline.description,
  created_at: pipeline.created_at,
  updated_at: pipeline.updated_at,
});

export const presentCoupling = (coupling: PipelineCoupling): CouplingResponse => ({
  id: coupling.id,
  pipeline: coupling.pipeline,
  app: coupling.app,
  stage: coupling.stage,
  required_status_checks: { contexts: coupling.required_status_checks.contexts },
  created_at: coupling.created_at,
  updated_at: coupling.updated_at,
});

/** `sourceApp` gives Akkeris clients the `source.space` they print. */
export const presentPromotion = (promotion: Promotion): PromotionResponse => ({
  id: promotion.id,
  pipeline: promotion.pipeline,
  source: { app: promotion.source.app, release: promotion.source.release, space: { name: promotion.source.cluster } },
  targets: promotion.targets.map((target) => ({
    app: target.app,
    release: target.release,
    status: target.status,
    error_message: target.error_message,
  })),
  status: promotion.status,
  safe: promotion.safe,
  created_at: promotion.created_at,
  updated_at: promotion.updated_at,
});

export const presentStatus = (check: StatusCheck): StatusResponse => ({
  id: check.id,
  context: check.context,
  name: check.name,
  state: check.state,
  description: check.description,
  target_url: check.target_url,
  image_url: check.image_url,
  created_at: check.created_at,
  updated_at: check.updated_at,
});

/** The release's stored `state` is the aggregate of exactly these statuses, written together with them. */
export const presentReleaseStatuses = (release: Release, app: App): ReleaseStatusesResponse => ({
  state: release.state,
  release: presentRelease(release, app),
  statuses: listStatusChecks(release).map(presentStatus),
});

/** What may be shown about a key: never the key, nor its hash (which would allow offline guessing). */
export const presentApiKey = (record: ApiKeyRecord): ApiKeyResponse => ({
  id: record.id,
  role: record.role,
  apps: record.apps,
  email: record.email,
  created_at: record.created_at,
  revoked_at: record.revoked_at ?? null,
});

/**
 * `secrets`: whether the hook holds one, and until when its previous signing secret still signs (a
 * rotation's window; null when none is open). `wholeUrl`: whether the caller may manage hooks; a key that
 * may not sees only the URL's origin.
 */
export const presentHook = (
  hook: Hook,
  secrets: { hasSecret: boolean; previousSecretExpiresAt: string | null },
  wholeUrl: boolean,
): HookResponse => ({
  id: hook.id,
  app: { id: hook.app_id },
  kind: hook.kind,
  url: wholeUrl ? hook.url : redactedHookUrl(hook.url),
  url_redacted: !wholeUrl,
  events: hook.events,
  active: hook.active,
  options: hook.options,
  has_secret: secrets.hasSecret,
  legacy_signature: hook.legacy_signature,
  previous_secret_expires_at: secrets.previousSecretExpiresAt,
  created_at: hook.created_at,
  updated_at: hook.updated_at,
});

export const presentDelivery = (delivery: Delivery): DeliveryResponse => {
  const last = delivery.log.at(-1);
  return {
    id: delivery.id,
    hook: { id: delivery.hook_id },
    event: { id: delivery.event_id, type: delivery.event_type },
    attempts: delivery.attempts,
    outcome: delivery.outcome,
    status_code: last?.status_code ?? null,
    duration_ms: last?.duration_ms ?? null,
    response_excerpt: last ? last.error ?? last.response_excerpt : null,
    last_attempt_at: last?.at ?? null,
    next_attempt_at: delivery.outcome === 'retrying' ? delivery.next_attempt_at : null,
    attempt_log: delivery.log.toReversed().map((attempt) => ({
      at: attempt.at,
      status_code: attempt.status_code,
      error: attempt.error,
      duration_ms: attempt.duration_ms,
      response_excerpt: attempt.response_excerpt,
      reason: attempt.reason,
    })),
    created_at: delivery.created_at,
  };
};

/** An Echoes-style declaration with each deliverable's recorded release as it is now. */
export const presentSignalRelease = ({ signal, releases }: { signal: SignalRelease; releases: readonly (Release | undefined)[] }): SignalReleaseResponse => ({
  id: signal.id,
  version: signal.version,
  name: signal.name,
  ref: signal.ref,
  date: signal.date,
  url: signal.url,
  commits: signal.commits,
  deliverables: signal.deliverables.map(({ app }) => app.name),
  status: signalStatusOf(releases),
  releases: signal.deliverables.map(({ app, release_id }, index) => ({
    app,
    id: release_id,
    version: releases[index]?.version ?? null,
    status: releases[index]?.status ?? null,
  })),
  created_at: signal.created_at,
});

/** A deployment as ReleaseBits lists it, with its version's labels and release. */
export const presentDeployment = ({ deployment, release }: { deployment: Deployment; release: Release }): DeploymentResponse => ({
  id: deployment.id,
  version: release.build_labels?.version ?? null,
  result: resultOfStatus(deployment.status),
  stage: deployment.stage,
  host: deployment.host,
  code_name: deployment.code_name,
  started_at: deployment.started_at,
  finished_at: deployment.finished_at,
  commit_sha: release.build_labels?.commit ?? null,
  tag: release.build_labels?.tag ?? null,
  branch: release.build_labels?.branch ?? null,
  meta_data: deployment.meta_data,
  created_at: deployment.created_at,
  release: { id: release.id, version: release.version },
});
