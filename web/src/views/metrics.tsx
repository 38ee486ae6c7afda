import { useMemo, useState } from 'preact/hooks';
import type { Api, MetricsResponse } from '../api';
import { Badge, Loading, Problem } from '../components';
import { when } from '../format';
import { IDLE_POLL_MS, usePolled } from '../poll';
import { metricsHref, type MetricsScope } from '../route';
import { Chart, type Points } from './metrics-chart';

/** The metrics change slowly: a look every half minute is plenty. */
const METRICS_POLL_MS = IDLE_POLL_MS * 6;

const PERIODS = [
  { window: '30d', step: '1d', label: 'Last 30 days, by day' },
  { window: '12w', step: '1w', label: 'Last 12 weeks, by week' },
  { window: '24h', step: '1h', label: 'Last 24 hours, by hour' },
] as const;
type Period = (typeof PERIODS)[number];

type Figures = Pick<MetricsResponse, 'deployment_frequency' | 'lead_time' | 'change_failure_rate' | 'time_to_restore'>;
type KeyName = keyof Figures;

const duration = (seconds: number): string => {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
};
const orDash = (value: number | null, show: (value: number) => string) => (value === null ? '—' : show(value));
const orNull = (value: number | null, map: (value: number) => number) => (value === null ? null : map(value));

/** Lead time and time to restore: seconds, read as a duration, charted in hours. */
const DURATION = { show: duration, unit: 'hours', charted: (seconds: number) => seconds / 3600 };

/** Each key: its figure, how it reads, its unit on the chart, and what it rests on. */
const KEYS: readonly {
  name: KeyName;
  title: string;
  value: (figures: Figures) => number | null;
  show: (value: number) => string;
  unit: string;
  charted: (value: number) => number;
  restsOn: (figures: Figures) => string;
  colour: string;
}[] = [
  {
    name: 'deployment_frequency',
    title: 'Deployment frequency',
    value: (figures) => figures.deployment_frequency.per_day,
    show: (perDay) => `${perDay.toFixed(perDay < 10 ? 2 : 0)} a day`,
    unit: 'a day',
    charted: (perDay) => perDay,
    restsOn: ({ deployment_frequency: key }) => `${key.releases} deployments`,
    colour: '#2e7fd1',
  },
  {
    name: 'lead_time',
    title: 'Lead time for changes (median)',
    value: (figures) => figures.lead_time.p50_seconds,
    ...DURATION,
    restsOn: ({ lead_time: key }) => `${key.commits} commits of ${key.releases} releases`,
    colour: '#8a5cc9',
  },
  {
    name: 'change_failure_rate',
    title: 'Change failure rate',
    value: (figures) => figures.change_failure_rate.rate,
    show: (rate) => `${Math.round(rate * 100)}%`,
    unit: '%',
    charted: (rate) => rate * 100,
    restsOn: ({ change_failure_rate: key }) => `${key.failures} failed of ${key.releases} changes`,
    colour: '#d0342c',
  },
  {
    name: 'time_to_restore',
    title: 'Time to restore (median)',
    value: (figures) => figures.time_to_restore.p50_seconds,
    ...DURATION,
    restsOn: ({ time_to_restore: key }) => `${key.releases} restored, ${key.unrestored} not yet`,
    colour: '#2e8540',
  },
];

/** Buckets start at midnight UTC (hours on the hour): a day or a week is named by its date, an hour by its time too. */
const bucketLabel = (from: string, period: Period) => (period.step === '1h' ? `${from.slice(0, 10)} ${from.slice(11, 16)}` : from.slice(0, 10));

const ScopePicker = (props: { scope: MetricsScope; apps: string[]; pipelines: string[] }) => (
  <label>
    Metrics of{' '}
    <select
      id="metrics-scope"
      value={`${props.scope.kind}/${props.scope.name}`}
      onChange={(event) => {
        const [kind, ...name] = event.currentTarget.value.split('/');
        location.hash = metricsHref({ kind: kind === 'pipelines' ? 'pipelines' : 'apps', name: name.join('/') });
      }}
    >
      {(
        [
          ['apps', 'Apps', props.apps],
          ['pipelines', 'Pipelines (production stage)', props.pipelines],
        ] as const
      ).map(([kind, label, names]) => (
        <optgroup key={kind} label={label}>
          {names.map((name) => (
            <option key={name} value={`${kind}/${name}`}>
              {name}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  </label>
);

const KeyFigures = ({ metrics }: { metrics: MetricsResponse }) => (
  <dl class="figures keys">
    {KEYS.map((key) => {
      const value = key.value(metrics);
      const band = metrics[key.name].band;
      return (
        <div key={key.name} data-key={key.name} data-value={String(value)}>
          <dt>{key.title}</dt>
          <dd>
            {orDash(value, key.show)} {band ? <Badge value={band} /> : <span class="muted band-none">no band: nothing to measure</span>}
          </dd>
          <dd class="muted rests-on">{key.restsOn(metrics)}</dd>
        </div>
      );
    })}
  </dl>
);

const Charts = ({ series }: { series: NonNullable<MetricsResponse['series']> }) => {
  const starts = useMemo(() => series.map((bucket) => Date.parse(bucket.from) / 1000), [series]);
  const points = useMemo(
    () => new Map(KEYS.map((key): [KeyName, Points] => [key.name, { starts, values: series.map((bucket) => orNull(key.value(bucket), key.charted)) }])),
    [series, starts],
  );
  return (
    <div class="charts">
      {KEYS.map((key) => (
        <figure key={key.name} class="key-chart">
          <figcaption>
            {key.title} ({key.unit})
          </figcaption>
          <Chart points={points.get(key.name) ?? { starts, values: [] }} unit={key.unit} colour={key.colour} />
        </figure>
      ))}
    </div>
  );
};

/** Scrolls sideways inside itself on a narrow screen (a region a keyboard can scroll), never the page. */
const SeriesTable = ({ series, period }: { series: NonNullable<MetricsResponse['series']>; period: Period }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls needs keyboard focus to be scrolled without a mouse
  <section class="table-scroll" tabIndex={0} aria-label="The four keys by bucket">
  <table class="series">
    <caption>The four keys by {period.step === '1h' ? 'hour' : period.step === '1d' ? 'day' : 'week'}, newest first</caption>
    <thead>
      <tr>
        <th scope="col">From (UTC)</th>
        {KEYS.map((key) => (
          <th scope="col" key={key.name}>
            {key.title}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {[...series].reverse().map((bucket) => (
        <tr key={bucket.from} data-from={bucket.from}>
          <th scope="row">{bucketLabel(bucket.from, period)}</th>
          {KEYS.map((key) => (
            <td key={key.name}>{orDash(key.value(bucket), key.show)}</td>
          ))}
        </tr>
      ))}
    </tbody>
  </table>
  </section>
);

const ScopeMetrics = ({ api, scope, period }: { api: Api; scope: MetricsScope; period: Period }) => {
  const { data, error } = usePolled(() => api.metrics(scope, period.window, period.step), () => METRICS_POLL_MS, [api, scope.kind, scope.name, period]);
  if (error) return <Problem error={error} />;
  if (!data) return <Loading />;
  return (
    <>
      <p class="muted">
        {data.pipeline
          ? data.apps.length > 0
            ? `The production stage of ${data.pipeline.name}: ${data.apps.map((app) => app.name).join(', ')}.`
            : `${data.pipeline.name} has no production stage app this key sees.`
          : null}{' '}
        From {when(data.window.from)} to now; bands as in the 2023 Accelerate State of DevOps report.
      </p>
      <KeyFigures metrics={data} />
      {data.series ? (
        <>
          <Charts series={data.series} />
          <SeriesTable series={data.series} period={period} />
        </>
      ) : null}
    </>
  );
};

export const MetricsView = ({ api, scope }: { api: Api; scope: MetricsScope | undefined }) => {
  const [period, setPeriod] = useState<Period>(PERIODS[0]);
  const names = usePolled(
    async () => {
      const [apps, pipelines] = await Promise.all([api.apps(), api.pipelines()]);
      return { apps: apps.map((app) => app.name), pipelines: pipelines.map((pipeline) => pipeline.name) };
    },
    () => METRICS_POLL_MS,
    [api],
  );
  const fallback = names.data?.apps[0] ?? names.data?.pipelines[0];
  const shown: MetricsScope | undefined =
    scope ?? (fallback === undefined ? undefined : { kind: names.data?.apps.length ? 'apps' : 'pipelines', name: fallback });
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Delivery metrics{shown ? `: ${shown.name}` : ''}</h1>
      <Problem error={names.error} />
      {!names.data ? (
        <Loading failed={names.error} />
      ) : !shown ? (
        <p>This key sees no apps or pipelines yet.</p>
      ) : (
        <>
          <div class="controls">
            <ScopePicker scope={shown} apps={names.data.apps} pipelines={names.data.pipelines} />
            <label>
              Period{' '}
              <select id="metrics-period" value={period.window} onChange={(event) => setPeriod(PERIODS.find((option) => option.window === event.currentTarget.value) ?? PERIODS[0])}>
                {PERIODS.map((option) => (
                  <option key={option.window} value={option.window}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ScopeMetrics api={api} scope={shown} period={period} />
        </>
      )}
    </section>
  );
};
