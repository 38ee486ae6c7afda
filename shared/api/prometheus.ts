import type { BadgeFigures, DeliveryMetrics, MetricsReport } from '../domain/delivery-metrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;
type Sample = { labels: Labels; value: number | null };
type Family = { name: string; help: string; samples: Sample[] };

/** Label values escaped as the exposition format requires: backslash, double quote and newline. */
const labelText = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`)
    .join(',')}}`;

const render = (families: Family[]): string =>
  families
    .map((family) => {
      // A figure with nothing to rest on has no sample rather than a made-up value.
      const samples = family.samples.filter((sample) => sample.value !== null);
      return [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`, ...samples.map((s) => `${family.name}${labelText(s.labels)} ${s.value}`)].join('\n');
    })
    .join('\n')
    .concat('\n');

const BAND_VALUE = { elite: 4, high: 3, medium: 2, low: 1 } as const;

const doraFamilies = (scope: Labels, metrics: DeliveryMetrics): Family[] => {
  const keys = ['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore'] as const;
  return [
    { name: 'slipway_deployment_frequency_per_day', help: 'Succeeded changes per day over the window.', samples: [{ labels: scope, value: metrics.deployment_frequency.per_day }] },
    {
      name: 'slipway_lead_time_seconds',
      help: 'Commit time to release succeeded, over the commits of the window.',
      samples: [
        { labels: { ...scope, quantile: '0.5' }, value: metrics.lead_time.p50_seconds },
        { labels: { ...scope, quantile: '0.9' }, value: metrics.lead_time.p90_seconds },
      ],
    },
    { name: 'slipway_change_failure_rate', help: 'Failed or rolled-back changes over changes in the window.', samples: [{ labels: scope, value: metrics.change_failure_rate.rate }] },
    {
      name: 'slipway_time_to_restore_seconds',
      help: 'Failed change finished to the next succeeded release, over the window.',
      samples: [{ labels: { ...scope, quantile: '0.5' }, value: metrics.time_to_restore.p50_seconds }],
    },
    {
      name: 'slipway_dora_band',
      help: 'DORA performance band of each key: 4 elite, 3 high, 2 medium, 1 low.',
      samples: keys.map((key) => {
        const band = metrics[key].band;
        return { labels: { ...scope, key }, value: band === null ? null : BAND_VALUE[band] };
      }),
    },
    {
      name: 'slipway_dora_releases',
      help: 'How many releases each key rests on.',
      samples: keys.map((key) => ({ labels: { ...scope, key }, value: metrics[key].releases })),
    },
  ];
};

const scopeOf = (report: MetricsReport, pipeline: string | undefined): Labels => ({
  ...(pipeline === undefined ? { app: report.apps[0]?.name ?? '' } : { pipeline }),
  window: report.window.label,
});

/** An app's exposition: its delivery metrics and what its badge shows. */
export const appExposition = (report: MetricsReport, figures: BadgeFigures): string => {
  const scope = scopeOf(report, undefined);
  const app = { app: scope.app ?? '' };
  return render([
    ...doraFamilies(scope, report.metrics),
    { name: 'slipway_current_release_version', help: "The app's current release (its version number).", samples: [{ labels: app, value: figures.current?.version ?? null }] },
    {
      name: 'slipway_latest_release_info',
      help: "The app's newest release: 1, labelled with its version label and status.",
      samples: figures.newest
        ? [{ labels: { ...app, version: String(figures.newest.version), label: figures.newest.build_labels?.version ?? '', status: figures.newest.status }, value: 1 }]
        : [],
    },
  ]);
};

export const pipelineExposition = (report: MetricsReport, pipeline: string): string => render(doraFamilies(scopeOf(report, pipeline), report.metrics));
