import { describe, expect, it } from 'vitest';
import { deliveryMetrics, deliveryMetricsSeries, percentile, windowEndingNow, windowInSteps } from '../../shared/domain/delivery-metrics';
import type { Release, ReleaseStatus, ReleaseTrigger } from '../../shared/domain/model';

const WEEK_SECONDS = 7 * 24 * 3600;

const release = (
  app: string,
  version: number,
  trigger: ReleaseTrigger,
  status: ReleaseStatus,
  finishedAt: string | null,
  commits?: { at: string[]; complete: boolean },
): Release =>
  ({
    id: `${app}-${version}`,
    app: { id: app, name: app },
    slug: { id: `${app}-build-${version}` },
    version,
    trigger,
    status,
    created_at: finishedAt ?? '2026-11-29T00:00:00.000Z',
    updated_at: finishedAt ?? '2026-11-29T00:00:00.000Z',
    finished_at: finishedAt,
    changes: commits && {
      commits: commits.at.map((at, index) => ({ sha: `${version}${index}`.padStart(7, '0'), author: null, committed_at: at, message: null })),
      since_version: version - 1,
      complete: commits.complete,
      reason: '',
    },
  }) as Release;

/**
 * App A over the week 2026-11-23..30:
 *   v1 deploy succeeded 23rd 10:00, commits at 23rd 08:00 (2 h) and 22nd 10:00 (24 h)
 *   v2 deploy failed    24th 10:00                                  -> restored by v3: 2 h
 *   v3 deploy succeeded 24th 12:00, commit 24th 11:00 (1 h)
 *   v4 deploy succeeded 25th 10:00, commit 25th 09:30 (30 min)        -> rolled back by v5: restored in 30 min
 *   v5 rollback to v3, succeeded 25th 10:30                           (a rollback is no change)
 *   v6 deploy succeeded 26th 10:00, commits Slipway could not tell   (no lead time)
 *   v7 deploy unknown   27th 10:00                                   -> never restored
 *   v8 deploy queued                                                 (not settled: not counted)
 */
const appA = [
  release('a', 1, 'deploy', 'succeeded', '2026-11-23T10:00:00.000Z', { at: ['2026-11-23T08:00:00.000Z', '2026-11-22T10:00:00.000Z'], complete: true }),
  release('a', 2, 'deploy', 'failed', '2026-11-24T10:00:00.000Z', { at: ['2026-11-24T09:00:00.000Z'], complete: true }),
  release('a', 3, 'deploy', 'succeeded', '2026-11-24T12:00:00.000Z', { at: ['2026-11-24T11:00:00.000Z'], complete: true }),
  release('a', 4, 'deploy', 'succeeded', '2026-11-25T10:00:00.000Z', { at: ['2026-11-25T09:30:00.000Z'], complete: true }),
  release('a', 5, 'rollback', 'succeeded', '2026-11-25T10:30:00.000Z', { at: ['2026-11-01T00:00:00.000Z'], complete: false }),
  release('a', 6, 'deploy', 'succeeded', '2026-11-26T10:00:00.000Z', { at: ['2026-10-01T00:00:00.000Z'], complete: false }),
  release('a', 7, 'deploy', 'unknown', '2026-11-27T10:00:00.000Z'),
  release('a', 8, 'deploy', 'queued', null),
];

describe('delivery metrics (DORA four keys)', () => {
  it('computes the four keys of one app as worked out by hand', () => {
    expect(deliveryMetrics(appA, WEEK_SECONDS)).toEqual({
      // v1, v3, v4, v6 succeeded: 4 in 7 days = 0.571/day, at least weekly: high.
      deployment_frequency: { per_day: 4 / 7, band: 'high', releases: 4 },
      // Lead times 1800, 3600, 7200, 86400 s: p50 = 2nd of 4 = 3600, p90 = 4th of 4 = 86400; under a day: elite.
      lead_time: { p50_seconds: 3600, p90_seconds: 86_400, commits: 4, band: 'elite', releases: 3 },
      // Changes v1 v2 v3 v4 v6 v7; failed v2 (failed), v4 (rolled back), v7 (unknown): 3 of 6.
      change_failure_rate: { rate: 0.5, failures: 3, band: 'low', releases: 6 },
      // v2 -> v3: 7200 s, v4 -> v5: 1800 s; p50 = 1st of 2 = 1800, under an hour: elite; v7 not restored.
      time_to_restore: { p50_seconds: 1800, unrestored: 1, band: 'elite', releases: 2 },
    });
  });

  it("sums a pipeline stage's apps, each walked in its own version order", () => {
    const appB = [
      release('b', 1, 'promotion', 'succeeded', '2026-11-28T10:00:00.000Z', { at: ['2026-11-28T04:00:00.000Z'], complete: true }),
      release('b', 2, 'promotion', 'failed', '2026-11-29T10:00:00.000Z'),
    ];
    const metrics = deliveryMetrics([...appB, ...appA], WEEK_SECONDS);
    // 5 succeeded changes, 8 changes of which 4 failed; b's 6 h lead time joins a's four.
    expect(metrics.deployment_frequency).toEqual({ per_day: 5 / 7, band: 'high', releases: 5 });
    expect(metrics.change_failure_rate).toEqual({ rate: 0.5, failures: 4, band: 'low', releases: 8 });
    expect(metrics.lead_time).toMatchObject({ p50_seconds: 7200, p90_seconds: 86_400, commits: 5, releases: 4 });
    expect(metrics.time_to_restore).toMatchObject({ p50_seconds: 1800, unrestored: 2, releases: 2 });
  });

  // The two triggers of an automatic rollback, each with the same history rolled back by hand beside it.
  it.each([
    {
      trigger: 'a required check that failed on v2 within its bake window, ten minutes after it went live',
      // v2 succeeded and was undone: a failed change, restored by the rollback.
      v2: ['succeeded', '2026-11-25T10:00:00.000Z'],
      rolledBackAt: '2026-11-25T10:10:00.000Z',
      deployments: 2,
      restoreSeconds: 600,
    },
    {
      trigger: 'a rollout of v2 that ended unknown',
      // v1 stayed current; the rollback brings its build back over v2's half-done deployment: v1 is not what it undid.
      v2: ['unknown', '2026-11-25T10:00:00.000Z'],
      rolledBackAt: '2026-11-25T10:05:00.000Z',
      deployments: 1,
      restoreSeconds: 300,
    },
  ] as const)('counts an automatic rollback after $trigger as a rollback: no deployment, the restore of the failure', (when) => {
    const history = (trigger: ReleaseTrigger) => [
      release('c', 1, 'deploy', 'succeeded', '2026-11-24T10:00:00.000Z'),
      release('c', 2, 'deploy', when.v2[0], when.v2[1]),
      { ...release('c', 3, trigger, 'succeeded', when.rolledBackAt), slug: { id: 'c-build-1' } },
    ];
    const automatic = deliveryMetrics(history('auto_rollback'), WEEK_SECONDS);
    expect(automatic.deployment_frequency).toEqual({ per_day: when.deployments / 7, band: 'high', releases: when.deployments });
    expect(automatic.change_failure_rate).toEqual({ rate: 0.5, failures: 1, band: 'low', releases: 2 });
    expect(automatic.time_to_restore).toEqual({ p50_seconds: when.restoreSeconds, unrestored: 0, band: 'elite', releases: 1 });
    expect(automatic).toEqual(deliveryMetrics(history('rollback'), WEEK_SECONDS));
  });

  it('has no band where there is nothing to measure, deployment frequency with no deployment included', () => {
    expect(deliveryMetrics([], WEEK_SECONDS)).toEqual({
      deployment_frequency: { per_day: 0, band: null, releases: 0 },
      lead_time: { p50_seconds: null, p90_seconds: null, commits: 0, band: null, releases: 0 },
      change_failure_rate: { rate: null, failures: 0, band: null, releases: 0 },
      time_to_restore: { p50_seconds: null, unrestored: 0, band: null, releases: 0 },
    });
  });

  it('puts band edges in the better band', () => {
    const daily = Array.from({ length: 7 }, (_, index) => release('d', index + 1, 'deploy', 'succeeded', `2026-11-2${index + 3}T10:00:00.000Z`));
    expect(deliveryMetrics(daily, WEEK_SECONDS).deployment_frequency.band).toBe('elite');
    const oneInTwenty = [...Array.from({ length: 19 }, (_, index) => release('e', index + 1, 'deploy', 'succeeded', '2026-11-24T10:00:00.000Z')), release('e', 20, 'deploy', 'failed', '2026-11-25T10:00:00.000Z')];
    expect(deliveryMetrics(oneInTwenty, WEEK_SECONDS).change_failure_rate).toMatchObject({ rate: 0.05, band: 'elite' });
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 90)).toBe(5);
  });
});

describe('delivery metrics as a series of buckets', () => {
  const DAY_SECONDS = 24 * 3600;
  const week = windowEndingNow('7d', WEEK_SECONDS, Date.parse('2026-11-30T00:00:00.000Z'));

  it("cuts the window into days, oldest first, each with the keys of the changes created that day", () => {
    const series = deliveryMetricsSeries(appA, week, DAY_SECONDS);
    expect(series.map((bucket) => [bucket.from, bucket.to])).toEqual(
      Array.from({ length: 7 }, (_, day) => [`2026-11-${23 + day}T00:00:00.000Z`, day === 6 ? '2026-11-30T00:00:00.000Z' : `2026-11-${24 + day}T00:00:00.000Z`]),
    );
    const [d23, d24, d25, d26, d27, d28] = series.map((bucket) => bucket.metrics);
    // 23rd: v1, lead times 2 h and 24 h (p50 = the first of two).
    expect(d23?.deployment_frequency).toEqual({ per_day: 1, band: 'elite', releases: 1 });
    expect(d23?.lead_time).toMatchObject({ p50_seconds: 7200, p90_seconds: 86_400, commits: 2 });
    // 24th: v2 failed and v3 restored it 2 h later.
    expect(d24?.change_failure_rate).toEqual({ rate: 0.5, failures: 1, band: 'low', releases: 2 });
    expect(d24?.time_to_restore).toEqual({ p50_seconds: 7200, unrestored: 0, band: 'high', releases: 1 });
    // 25th: v4 rolled back by v5 (no change of its own) 30 min later.
    expect(d25?.change_failure_rate).toMatchObject({ rate: 1, failures: 1, releases: 1 });
    expect(d25?.time_to_restore).toMatchObject({ p50_seconds: 1800, band: 'elite' });
    // 26th: v6, whose commits Slipway could not tell: no lead time.
    expect(d26?.lead_time).toMatchObject({ p50_seconds: null, band: null, releases: 0 });
    // 27th: v7 ended unknown and was never restored.
    expect(d27?.time_to_restore).toEqual({ p50_seconds: null, unrestored: 1, band: null, releases: 0 });
    expect(d28).toEqual(deliveryMetrics([], DAY_SECONDS));
  });

  it("adds up to the window's own counts", () => {
    const series = deliveryMetricsSeries(appA, week, DAY_SECONDS);
    const whole = deliveryMetrics(appA, WEEK_SECONDS);
    const sum = (pick: (metrics: ReturnType<typeof deliveryMetrics>) => number) => series.reduce((total, bucket) => total + pick(bucket.metrics), 0);
    expect(sum((metrics) => metrics.deployment_frequency.releases)).toBe(whole.deployment_frequency.releases);
    expect(sum((metrics) => metrics.change_failure_rate.releases)).toBe(whole.change_failure_rate.releases);
    expect(sum((metrics) => metrics.change_failure_rate.failures)).toBe(whole.change_failure_rate.failures);
    expect(sum((metrics) => metrics.time_to_restore.unrestored)).toBe(whole.time_to_restore.unrestored);
    expect(sum((metrics) => metrics.lead_time.commits)).toBe(whole.lead_time.commits);
  });

  it('counts a failure restored in a later bucket as restored in its own, and a release created at the very end in the last', () => {
    const releases = [
      release('b', 1, 'deploy', 'failed', '2026-11-23T23:30:00.000Z'),
      release('b', 2, 'deploy', 'succeeded', '2026-11-24T00:30:00.000Z'),
      release('b', 3, 'deploy', 'succeeded', '2026-11-30T00:00:00.000Z'),
    ];
    const series = deliveryMetricsSeries(releases, week, DAY_SECONDS);
    expect(series[0]?.metrics.time_to_restore).toEqual({ p50_seconds: 3600, unrestored: 0, band: 'high', releases: 1 });
    expect(series[1]?.metrics.deployment_frequency.releases).toBe(1);
    expect(series.at(-1)?.metrics.deployment_frequency.releases).toBe(1);
  });

  it('starts days at midnight UTC, hours on the hour and weeks on Monday, the last bucket running from its start to now', () => {
    const now = Date.parse('2026-12-02T15:42:10.500Z');
    const days = windowInSteps('7d', WEEK_SECONDS, DAY_SECONDS, now);
    expect(days).toEqual({ label: '7d', from: '2026-11-26T00:00:00.000Z', to: '2026-12-02T15:42:10.500Z', seconds: WEEK_SECONDS });
    const series = deliveryMetricsSeries([release('m', 1, 'deploy', 'succeeded', '2026-12-02T00:00:00.000Z')], days, DAY_SECONDS);
    expect(series.map((bucket) => bucket.from.slice(10))).toEqual(Array<string>(7).fill('T00:00:00.000Z'));
    expect(series.at(-1)).toMatchObject({ from: '2026-12-02T00:00:00.000Z', to: '2026-12-02T15:42:10.500Z' });
    expect(series.at(-1)?.metrics.deployment_frequency.releases).toBe(1);
    expect(windowInSteps('24h', DAY_SECONDS, 3600, now).from).toBe('2026-12-01T16:00:00.000Z');
    // 2026-11-30 is a Monday.
    expect(windowInSteps('2w', 2 * WEEK_SECONDS, WEEK_SECONDS, now).from).toBe('2026-11-23T00:00:00.000Z');
    expect(windowInSteps('1d', DAY_SECONDS, DAY_SECONDS, Date.parse('2026-12-02T00:00:00.000Z')).from).toBe('2026-12-02T00:00:00.000Z');
  });

  it('buckets by the hour or the week the same way', () => {
    expect(deliveryMetricsSeries(appA, week, 3600)).toHaveLength(168);
    const weeks = deliveryMetricsSeries(appA, windowEndingNow('2w', 2 * WEEK_SECONDS, Date.parse('2026-11-30T00:00:00.000Z')), WEEK_SECONDS);
    expect(weeks.map((bucket) => bucket.metrics.deployment_frequency)).toEqual([
      { per_day: 0, band: null, releases: 0 },
      { per_day: 4 / 7, band: 'high', releases: 4 },
    ]);
  });
});
