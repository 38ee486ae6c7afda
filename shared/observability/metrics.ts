import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '../config/config';

/** The CloudWatch namespace of every Slipway metric; alarms (infra/monitoring.ts) read from it. */
export const METRICS_NAMESPACE = 'Slipway';
export const METRICS_SERVICE = 'slipway';

/** Counted per outcome; the alarms watch the service-wide series of `ReleasesFailed` and `ReleasesUnknown`. */
export const METRIC_NAMES = {
  releasesStarted: 'ReleasesStarted',
  releasesSucceeded: 'ReleasesSucceeded',
  releasesFailed: 'ReleasesFailed',
  releasesUnknown: 'ReleasesUnknown',
  rolloutDuration: 'RolloutDuration',
  timeQueued: 'TimeQueued',
  promotions: 'Promotions',
  /** One per attempt of a webhook delivery; failures are attempts that got no 2xx; latency is the attempt's duration. */
  hookDeliveries: 'HookDeliveries',
  hookDeliveryFailures: 'HookDeliveryFailures',
  hookDeliveryLatency: 'HookDeliveryLatency',
} as const;

let metrics: Metrics | undefined;
const emitter = (): Metrics | undefined => {
  // Only Lambda has CloudWatch reading its log for EMF; locally the lines would only be noise.
  if (!config().emitMetrics) return undefined;
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  return metrics;
};

/**
 * Emits one value (CloudWatch EMF, written at once to the log) twice: service-wide, which alarms watch, and
 * per app, which dashboards split by. Shared by every part that counts: releases, promotions, webhook deliveries.
 */
export const recordMetric = (name: string, app: string | null, value = 1, unit: 'Count' | 'Milliseconds' = 'Count'): void => {
  const target = emitter();
  if (!target) return;
  const metricUnit = unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds;
  const overall = target.singleMetric();
  overall.addMetric(name, metricUnit, value);
  if (app === null) return;
  const perApp = target.singleMetric();
  perApp.addDimension('app', app);
  perApp.addMetric(name, metricUnit, value);
};
