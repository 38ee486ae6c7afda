/**
 * The words hooks and their deliveries are told in, apart from the rules in hooks.ts (which need Node's crypto):
 * the dashboard's types come from the same schemas as the API's.
 */
export const HOOK_KINDS = ['webhook', 'grafana', 'sentry', 'slack', 'newrelic', 'bugsnag'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];

export const DELIVERY_OUTCOMES = ['pending', 'retrying', 'delivered', 'gave_up'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/**
 * Why an attempt is made: its turn came (the first attempt or a scheduled retry), someone asked for it again
 * (a redelivery, whatever the outcome so far), or it is a ping, tried once and never again by itself.
 */
export const ATTEMPT_REASONS = ['scheduled', 'redelivery', 'ping'] as const;
export type AttemptReason = (typeof ATTEMPT_REASONS)[number];

/**
 * A delivery keeps its newest attempts, each with at most a KiB of answer and a KiB of error: at most
 * about 20 × 2 KiB beside the event, whatever the receiver sends or however often it is retried.
 */
export const ATTEMPT_LOG_LIMITS = { attempts: 20, textBytes: 1024 } as const;
