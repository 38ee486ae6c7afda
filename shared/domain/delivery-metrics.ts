import type { AppRef, Release } from './model';
import { isRollback } from './rollback';

/**
 * DORA's four keys over a window, computed from release records alone (definitions in docs/api.md):
 *
 * - the releases counted are those created within the window, per app in version order;
 * - a *change* is such a release that is not a rollback (by hand or automatic) and has settled (succeeded, failed or unknown);
 * - a change *failed* when it ended failed or unknown, or succeeded and was rolled back: the next release
 *   of its app to succeed after it is a rollback (by hand or automatic) to another build than its own;
 * - deployment frequency: succeeded changes per day of the window (no band without any: nothing to measure);
 * - lead time: for every commit of a succeeded change whose commits Slipway could tell (commits_since
 *   complete), from its commit time to the change's finish; p50 and p90 (nearest rank) over those commits;
 * - change failure rate: failed changes / changes;
 * - time to restore: for every failed change, from its own finish to the finish of the next release of
 *   its app that succeeded (for a rolled-back change, its rollback); p50 over the failures restored
 *   within the window (the others are counted as unrestored).
 */
type Band = 'elite' | 'high' | 'medium' | 'low';

export type MetricsWindow = { label: string; from: string; to: string; seconds: number };
export type MetricsReport = { apps: AppRef[]; window: MetricsWindow; metrics: DeliveryMetrics; series: MetricsBucket[] | undefined };
/** What a badge shows: the current release, and the newest one when a later release is not (yet) current. */
export type BadgeFigures = { current: Release | undefined; newest: Release | undefined };

export const windowEndingNow = (label: string, seconds: number, now = Date.now()): MetricsWindow => ({
  label,
  from: new Date(now - seconds * 1000).toISOString(),
  to: new Date(now).toISOString(),
  seconds,
});

/** Hours start on the hour, days at midnight UTC, weeks on Monday as ISO weeks do: 1970-01-05 was a Monday. */
const BUCKET_ORIGIN_MS = Date.UTC(1970, 0, 5);

/**
 * A window cut into buckets of `stepSeconds` that start where people count from (see BUCKET_ORIGIN_MS): the
 * last bucket is the one now falls in, from its start to now, and the window reaches back a whole number of
 * steps from that bucket's end. `seconds` stays the window's length (`30d`: thirty days, today's included), so
 * a rate per day reads the same as over a window ending now.
 */
export const windowInSteps = (label: string, seconds: number, stepSeconds: number, now = Date.now()): MetricsWindow => {
  const stepMs = stepSeconds * 1000;
  const currentStart = now - ((now - BUCKET_ORIGIN_MS) % stepMs);
  return { label, from: new Date(currentStart + stepMs - seconds * 1000).toISOString(), to: new Date(now).toISOString(), seconds };
};

export type DeliveryMetrics = {
  deployment_frequency: { per_day: number; band: Band | null; releases: number };
  lead_time: { p50_seconds: number | null; p90_seconds: number | null; commits: number; band: Band | null; releases: number };
  change_failure_rate: { rate: number | null; failures: number; band: Band | null; releases: number };
  time_to_restore: { p50_seconds: number | null; unrestored: number; band: Band | null; releases: number };
};

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

/**
 * The bands of the 2023 Accelerate State of DevOps report, its ranges closed so that every value has
 * one: each band is the best whose threshold the value meets.
 */
const BANDS = {
  /** Succeeded changes per day, at least. */
  deployment_frequency: { elite: 1, high: 1 / 7, medium: 1 / 30 },
  /** p50 seconds, below. */
  lead_time: { elite: DAY, high: WEEK, medium: MONTH },
  /** Failed share, at most. */
  change_failure_rate: { elite: 0.05, high: 0.1, medium: 0.15 },
  /** p50 seconds, below. */
  time_to_restore: { elite: HOUR, high: DAY, medium: WEEK },
} as const;

const atLeast = (value: number, thresholds: { elite: number; high: number; medium: number }): Band =>
  value >= thresholds.elite ? 'elite' : value >= thresholds.high ? 'high' : value >= thresholds.medium ? 'medium' : 'low';
const below = (value: number, thresholds: { elite: number; high: number; medium: number }): Band =>
  value < thresholds.elite ? 'elite' : value < thresholds.high ? 'high' : value < thresholds.medium ? 'medium' : 'low';
const atMost = (value: number, thresholds: { elite: number; high: number; medium: number }): Band =>
  value <= thresholds.elite ? 'elite' : value <= thresholds.high ? 'high' : value <= thresholds.medium ? 'medium' : 'low';

/** Nearest-rank percentile of a non-empty list. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const SETTLED = new Set(['succeeded', 'failed', 'unknown']);

type Failure = { change: Release; restoredBy: Release | undefined };

/**
 * Whether `rollback` (the next release to succeed after `change`) undid it: a rollback, by hand or automatic,
 * to another build. A rollback that brings back `change`'s own build (the release that stayed current while a
 * later one failed) restores it rather than undoing it.
 */
const undid = (rollback: Release, change: Release): boolean => isRollback(rollback) && rollback.slug.id !== change.slug.id;

/** Each app's changes and failures, walking its releases in version order. */
const changesOf = (appReleases: readonly Release[]) => {
  const ordered = [...appReleases].sort((a, b) => a.version - b.version);
  const succeeded = ordered.filter((release) => release.status === 'succeeded');
  const nextSuccessAfter = (release: Release) => succeeded.find((later) => later.version > release.version);
  const changes = ordered.filter((release) => !isRollback(release) && SETTLED.has(release.status));
  const failures: Failure[] = changes.flatMap((change) => {
    const next = nextSuccessAfter(change);
    const failed = change.status !== 'succeeded' || (next !== undefined && undid(next, change));
    return failed ? [{ change, restoredBy: next }] : [];
  });
  return { changes, failures };
};

/** Every app's changes and failures among `releases`, each judged against its app's releases there. */
const changesAcrossApps = (releases: readonly Release[]) => {
  const changes: Release[] = [];
  const failures: Failure[] = [];
  for (const appReleases of Map.groupBy(releases, (release) => release.app.id).values()) {
    const found = changesOf(appReleases);
    changes.push(...found.changes);
    failures.push(...found.failures);
  }
  return { changes, failures };
};

/** The four keys of these changes and failures over a span of `spanSeconds`. */
const keysOf = (changes: readonly Release[], failures: readonly Failure[], spanSeconds: number): DeliveryMetrics => {
  const deployments = changes.filter((change) => change.status === 'succeeded');
  const perDay = deployments.length / (spanSeconds / DAY);

  const told = deployments.filter((change) => change.changes?.complete === true && change.changes.commits.length > 0);
  // A commit known by its sha alone (a recorded release's, not in any build Slipway knows) has no time to count from.
  const leadTimes = told.flatMap((change) =>
    (change.changes?.commits ?? []).flatMap((commit) =>
      commit.committed_at === null ? [] : [seconds(commit.committed_at, change.finished_at ?? change.updated_at)],
    ),
  );
  const p50Lead = leadTimes.length > 0 ? percentile(leadTimes, 50) : null;

  const rate = changes.length > 0 ? failures.length / changes.length : null;

  const restored = failures.filter((failure) => failure.restoredBy !== undefined);
  const restoreTimes = restored.map((failure) =>
    seconds(failure.change.finished_at ?? failure.change.updated_at, failure.restoredBy?.finished_at ?? failure.change.updated_at),
  );
  const p50Restore = restoreTimes.length > 0 ? percentile(restoreTimes, 50) : null;

  return {
    deployment_frequency: {
      per_day: perDay,
      band: deployments.length === 0 ? null : atLeast(perDay, BANDS.deployment_frequency),
      releases: deployments.length,
    },
    lead_time: {
      p50_seconds: p50Lead,
      p90_seconds: leadTimes.length > 0 ? percentile(leadTimes, 90) : null,
      commits: leadTimes.length,
      band: p50Lead === null ? null : below(p50Lead, BANDS.lead_time),
      releases: told.length,
    },
    change_failure_rate: {
      rate,
      failures: failures.length,
      band: rate === null ? null : atMost(rate, BANDS.change_failure_rate),
      releases: changes.length,
    },
    time_to_restore: {
      p50_seconds: p50Restore,
      unrestored: failures.length - restored.length,
      band: p50Restore === null ? null : below(p50Restore, BANDS.time_to_restore),
      releases: restored.length,
    },
  };
};

/** The four keys for the releases created in a window of `windowSeconds` (of one app, or of several). */
export const deliveryMetrics = (releases: readonly Release[], windowSeconds: number): DeliveryMetrics => {
  const { changes, failures } = changesAcrossApps(releases);
  return keysOf(changes, failures, windowSeconds);
};

export type MetricsBucket = { from: string; to: string; metrics: DeliveryMetrics };

/**
 * The window cut into consecutive buckets of `stepSeconds` (a whole number of them), oldest first, each with
 * the four keys of the changes created within it. A change is judged (failed? restored by what?) against every
 * release of the window, as in the window's own figures, so a failure restored in a later bucket counts as
 * restored and the buckets' counts add up to the window's.
 */
export const deliveryMetricsSeries = (releases: readonly Release[], window: MetricsWindow, stepSeconds: number): MetricsBucket[] => {
  const { changes, failures } = changesAcrossApps(releases);
  const start = Date.parse(window.from);
  const count = Math.round(window.seconds / stepSeconds);
  const bucketOf = (release: Release) => Math.min(count - 1, Math.max(0, Math.floor((Date.parse(release.created_at) - start) / (stepSeconds * 1000))));
  const changesIn = Map.groupBy(changes, bucketOf);
  const failuresIn = Map.groupBy(failures, (failure) => bucketOf(failure.change));
  return Array.from({ length: count }, (_, index) => ({
    from: new Date(start + index * stepSeconds * 1000).toISOString(),
    to: index === count - 1 ? window.to : new Date(start + (index + 1) * stepSeconds * 1000).toISOString(),
    metrics: keysOf(changesIn.get(index) ?? [], failuresIn.get(index) ?? [], stepSeconds),
  }));
};
