import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { windowEndingNow, windowInSteps, type MetricsWindow as Window } from '../domain/delivery-metrics';

const UNIT_SECONDS = { h: 3600, d: 86_400, w: 604_800 } as const;
const MAX_WINDOW_SECONDS = 366 * 86_400;
const DEFAULT_WINDOW = '30d';

/** `30d`, `12h`, `2w`: a whole number of hours, days or weeks, up to a year. */
const MetricsWindow = builtOnFirstUse(() =>
  z
    .string()
    .check(
      z.regex(/^[1-9][0-9]{0,3}[hdw]$/, 'must be a number of hours, days or weeks, e.g. 30d, 12h, 2w'),
      z.refine((window) => windowSecondsOf(window) <= MAX_WINDOW_SECONDS, { message: 'must be at most a year (366d)' }),
    ),
);

const windowSecondsOf = (window: string): number =>
  Number(window.slice(0, -1)) * UNIT_SECONDS[window.slice(-1) as keyof typeof UNIT_SECONDS];

/** Buckets a series may have: a year by day. */
const MAX_BUCKETS = 366;

export const MetricsQuery = builtOnFirstUse(() =>
  z
    .strictObject({
      window: z._default(MetricsWindow(), DEFAULT_WINDOW).check(z.meta({ description: `The window ending now (default ${DEFAULT_WINDOW}).` })),
      step: z.optional(MetricsWindow()).check(
        z.meta({
          description: `Also answer \`series\`: the window cut into buckets of this length (\`1d\`, \`1h\`, \`1w\`), oldest first. The window must be a whole number of steps, at most ${MAX_BUCKETS} of them. JSON only.`,
        }),
      ),
      format: z
        ._default(z.enum(['json', 'prometheus']), 'json')
        .check(z.meta({ description: 'prometheus: the same figures as a Prometheus text exposition (text/plain; version=0.0.4).' })),
      access_token: z.optional(z.string()),
    })
    .check(
      z.superRefine((query, context) => {
        if (query.step === undefined) return;
        const buckets = windowSecondsOf(query.window) / windowSecondsOf(query.step);
        if (query.format === 'prometheus') context.addIssue({ code: 'custom', path: ['step'], message: 'a series is answered as JSON only: leave out step or format' });
        else if (!Number.isInteger(buckets)) context.addIssue({ code: 'custom', path: ['step'], message: `must divide the window (${query.window}) into whole steps` });
        else if (buckets > MAX_BUCKETS) context.addIssue({ code: 'custom', path: ['step'], message: `would cut the window (${query.window}) into ${buckets} buckets; at most ${MAX_BUCKETS}` });
      }),
    ),
);
export type MetricsQuery = z.infer<ReturnType<typeof MetricsQuery>>;

/** The window a query asks for: ending now, or with `step` in buckets that start on the hour, at midnight UTC or on Monday. */
export const metricsWindowOf = ({ window, step }: Pick<MetricsQuery, 'window' | 'step'>, now = Date.now()): { window: Window; stepSeconds: number | undefined } => {
  const seconds = windowSecondsOf(window);
  if (step === undefined) return { window: windowEndingNow(window, seconds, now), stepSeconds: undefined };
  const stepSeconds = windowSecondsOf(step);
  return { window: windowInSteps(window, seconds, stepSeconds, now), stepSeconds };
};
