/**
 * The part of EventBridge's event pattern matching that Slipway's rules use (infra/rollout.ts): a list of
 * allowed values per field, each an exact string or a `{ prefix }`, for `source`, `detail-type` and top-level
 * fields of `detail`. The local runtime routes the ECS simulator's events through the same patterns.
 */

type ValuePattern = readonly (string | { readonly prefix: string })[];

export type EventRulePattern = {
  readonly source: readonly string[];
  readonly detailType: readonly string[];
  readonly detail?: Readonly<Record<string, ValuePattern>>;
};

export type PatternedEvent = { source: string; 'detail-type': string; detail: object };

const matchesValue = (allowed: ValuePattern, value: unknown): boolean =>
  typeof value === 'string' && allowed.some((candidate) => (typeof candidate === 'string' ? candidate === value : value.startsWith(candidate.prefix)));

export const matchesPattern = (pattern: EventRulePattern, event: PatternedEvent): boolean =>
  matchesValue(pattern.source, event.source) &&
  matchesValue(pattern.detailType, event['detail-type']) &&
  Object.entries(pattern.detail ?? {}).every(([field, allowed]) => matchesValue(allowed, (event.detail as Record<string, unknown>)[field]));
