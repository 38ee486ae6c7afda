import * as z from 'zod';
import { AppRef, Timestamp, Uuid } from './common';

/** What the API answers about delivery metrics, apart from the requests (metrics.ts): the functions that parse those construct none of this at a cold start. */

const Band = z.enum(['elite', 'high', 'medium', 'low']);
const RestsOn = z.number().int().meta({ description: 'How many releases the figure rests on.' });

const Keys = {
  deployment_frequency: z.object({ per_day: z.number(), band: Band.nullable(), releases: RestsOn }),
  lead_time: z.object({
    p50_seconds: z.number().nullable(),
    p90_seconds: z.number().nullable(),
    commits: z.number().int(),
    band: Band.nullable(),
    releases: RestsOn,
  }),
  change_failure_rate: z.object({ rate: z.number().nullable(), failures: z.number().int(), band: Band.nullable(), releases: RestsOn }),
  time_to_restore: z.object({ p50_seconds: z.number().nullable(), unrestored: z.number().int(), band: Band.nullable(), releases: RestsOn }),
};

const MetricsBucket = z
  .object({ from: Timestamp, to: Timestamp, ...Keys })
  .meta({ id: 'DeliveryMetricsBucket', description: 'The four keys of the changes created within [from, to), judged against every release of the window.' });

export const MetricsResponse = z
  .object({
    pipeline: z.object({ id: Uuid, name: z.string() }).nullable().meta({ description: 'For a pipeline: the pipeline (its production stage apps are `apps`).' }),
    apps: z.array(AppRef).meta({ description: 'The apps whose releases are counted.' }),
    window: z.object({ label: z.string(), from: Timestamp, to: Timestamp }),
    ...Keys,
    series: z.array(MetricsBucket).optional().meta({ description: 'With `step`: the window in buckets, oldest first.' }),
  })
  .meta({ id: 'DeliveryMetrics' });
export type MetricsResponse = z.infer<typeof MetricsResponse>;
