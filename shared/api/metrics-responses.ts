import * as z from 'zod/mini';
import { AppRef, Timestamp, Uuid } from './common';

/** What the API answers about delivery metrics, apart from the requests (metrics.ts): the functions that parse those construct none of this at a cold start. */

const Band = z.enum(['elite', 'high', 'medium', 'low']);
const RestsOn = z.int().check(z.meta({ description: 'How many releases the figure rests on.' }));

const Keys = {
  deployment_frequency: z.object({ per_day: z.number(), band: z.nullable(Band), releases: RestsOn }),
  lead_time: z.object({
    p50_seconds: z.nullable(z.number()),
    p90_seconds: z.nullable(z.number()),
    commits: z.int(),
    band: z.nullable(Band),
    releases: RestsOn,
  }),
  change_failure_rate: z.object({ rate: z.nullable(z.number()), failures: z.int(), band: z.nullable(Band), releases: RestsOn }),
  time_to_restore: z.object({ p50_seconds: z.nullable(z.number()), unrestored: z.int(), band: z.nullable(Band), releases: RestsOn }),
};

const MetricsBucket = z
  .object({ from: Timestamp(), to: Timestamp(), ...Keys })
  .register(z.globalRegistry, { id: 'DeliveryMetricsBucket', description: 'The four keys of the changes created within [from, to), judged against every release of the window.' });

export const MetricsResponse = z
  .object({
    pipeline: z.nullable(z.object({ id: Uuid, name: z.string() })).check(z.meta({ description: 'For a pipeline: the pipeline (its production stage apps are `apps`).' })),
    apps: z.array(AppRef()).check(z.meta({ description: 'The apps whose releases are counted.' })),
    window: z.object({ label: z.string(), from: Timestamp(), to: Timestamp() }),
    ...Keys,
    series: z.optional(z.array(MetricsBucket)).check(z.meta({ description: 'With `step`: the window in buckets, oldest first.' })),
  })
  .register(z.globalRegistry, { id: 'DeliveryMetrics' });
export type MetricsResponse = z.infer<typeof MetricsResponse>;
