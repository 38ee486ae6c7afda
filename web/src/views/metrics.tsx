import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Api, ReleaseResponse } from '../api';
import { Loading, Problem } from '../components';
import { IDLE_POLL_MS, usePolled } from '../poll';

const DAY_MS = 24 * 60 * 60 * 1000;
const SERIES = [
  { status: 'succeeded', label: 'Succeeded', stroke: '#2e8540' },
  { status: 'failed', label: 'Failed', stroke: '#d0342c' },
  { status: 'other', label: 'Other (queued, pending, unknown)', stroke: '#8a8f98' },
] as const;
type Bucket = (typeof SERIES)[number]['status'];

type Day = { day: number } & Record<Bucket, number>;

const bucketOf = (release: ReleaseResponse): Bucket =>
  release.status === 'succeeded' || release.status === 'failed' ? release.status : 'other';

/** Releases per UTC day, every day from the first release to today, so gaps show as zero. */
export const releasesPerDay = (releases: readonly ReleaseResponse[], now = Date.now()): Day[] => {
  if (releases.length === 0) return [];
  const dayOf = (timestamp: string) => Math.floor(Date.parse(timestamp) / DAY_MS) * DAY_MS;
  const first = Math.min(...releases.map((release) => dayOf(release.created_at)));
  const days = new Map<number, Day>();
  for (let day = first; day <= Math.floor(now / DAY_MS) * DAY_MS; day += DAY_MS) days.set(day, { day, succeeded: 0, failed: 0, other: 0 });
  for (const release of releases) {
    const day = days.get(dayOf(release.created_at));
    if (day) day[bucketOf(release)] += 1;
  }
  return [...days.values()];
};

const median = (values: number[]): number | undefined => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The releases of `day` of `status` and of every status listed before it. */
const stackedUpTo = (day: Day, status: Bucket): number =>
  SERIES.slice(0, SERIES.findIndex((series) => series.status === status) + 1).reduce((total, series) => total + day[series.status], 0);

const stacked = [...SERIES].reverse();

const Chart = ({ days }: { days: Day[] }) => {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    // Each day's bar stands at its middle, and the axis runs from the first day's start to the last day's end.
    const middles = days.map((day) => (day.day + DAY_MS / 2) / 1000);
    const first = (middles[0] ?? 0) - DAY_MS / 2000;
    const last = (middles.at(-1) ?? 0) + DAY_MS / 2000;
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 280,
        // Days are UTC days, as in the table below.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        // From the data: uPlot would stretch a single day across years.
        scales: {
          x: { time: true, range: () => [first, last] },
          y: { range: (_, __, max) => [0, Math.max(1, max)] },
        },
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', label: 'releases', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        // Stacked: each bar is drawn as the running total up to its status, the tallest first, so later
        // (shorter) ones paint over it. The legend shows names only, since its values would be the totals.
        legend: { live: false },
        series: [{ label: 'Day' }, ...stacked.map((series) => ({ label: series.label, stroke: series.stroke, fill: series.stroke, paths: bars }))],
      },
      [middles, ...stacked.map((series) => days.map((day) => stackedUpTo(day, series.status)))],
      element,
    );
    return () => chart.destroy();
  }, [days]);
  return <div ref={container} class="chart" aria-hidden="true" />;
};

export const MetricsView = ({ api }: { api: Api }) => {
  const { data, error } = usePolled(
    async () => (await Promise.all((await api.apps()).map((app) => api.releases(app.name)))).flat(),
    () => IDLE_POLL_MS * 6,
    [api],
  );
  const days = useMemo(() => (data ? releasesPerDay(data) : []), [data]);
  const finished = data?.filter((release) => release.status === 'succeeded' || release.status === 'failed') ?? [];
  const failed = finished.filter((release) => release.status === 'failed').length;
  const rolloutSeconds = median(
    finished.flatMap((release) => (release.started_at && release.finished_at ? [(Date.parse(release.finished_at) - Date.parse(release.started_at)) / 1000] : [])),
  );
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <p class="muted">Releases per day across the apps this key sees, by outcome. (Lead time and time to restore come with a metrics API.)</p>
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <dl class="figures">
            <div>
              <dt>Releases</dt>
              <dd>{data.length}</dd>
            </div>
            <div>
              <dt>Change failure rate</dt>
              <dd>{finished.length > 0 ? `${Math.round((failed / finished.length) * 100)}%` : '—'}</dd>
            </div>
            <div>
              <dt>Median rollout</dt>
              <dd>{rolloutSeconds === undefined ? '—' : `${rolloutSeconds.toFixed(1)} s`}</dd>
            </div>
          </dl>
          {days.length > 0 ? <Chart days={days} /> : <p>No releases yet.</p>}
          <table class="per-day">
            <caption>Releases per day</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                {SERIES.map((series) => (
                  <th scope="col" key={series.status}>
                    {series.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...days].reverse().filter((day) => day.succeeded + day.failed + day.other > 0).map((day) => (
                <tr key={day.day}>
                  <th scope="row">{new Date(day.day).toISOString().slice(0, 10)}</th>
                  {SERIES.map((series) => (
                    <td key={series.status}>{day[series.status]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
};
