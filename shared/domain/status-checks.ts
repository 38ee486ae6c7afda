import { DomainError, conflict, unprocessable } from './errors';
import type { CheckState, Release, StatusCheck } from './model';
import { ownEntry } from './own-entries';
import { aggregateState } from './state-aggregation';

/**
 * Checks live in one DynamoDB item with their release (at most 400 KB). A status is at most ~5.5 KB of
 * UTF-8 (its fields are bounded in bytes), and the checks of a release together at most
 * MAX_CHECKS_BYTES, which leaves the item well over 100 KB of room for the release itself and for the
 * rollout's final writes, which must never be refused for size.
 */
export const MAX_CHECKS_PER_RELEASE = 50;
const MAX_CHECKS_BYTES = 256 * 1024;

/** An upper bound of what the checks weigh in the item: their JSON in UTF-8 counts more than DynamoDB does. */
const checksBytes = (checks: Record<string, StatusCheck>): number => Buffer.byteLength(JSON.stringify(checks), 'utf8');

const withinBytes = (checks: Record<string, StatusCheck>, release: Pick<Release, 'version'>): Record<string, StatusCheck> => {
  const bytes = checksBytes(checks);
  if (bytes > MAX_CHECKS_BYTES) {
    throw new DomainError(
      'payload_too_large',
      'statuses_too_large',
      `The statuses of release v${release.version} would take ${bytes} bytes; a release holds at most ${MAX_CHECKS_BYTES}.`,
      { limit_bytes: MAX_CHECKS_BYTES, bytes },
    );
  }
  return checks;
};

export type NewStatusCheck = {
  context: string;
  name: string;
  state: CheckState;
  description?: string | undefined;
  target_url?: string | undefined;
  image_url?: string | undefined;
};

export type StatusCheckPatch = Partial<Omit<NewStatusCheck, 'context'>>;

/** The part of a release that a status write replaces; `state` always travels with the checks it came from. */
export type ChecksChange = { checks: Record<string, StatusCheck>; state: CheckState };

const withChecks = (checks: Record<string, StatusCheck>): ChecksChange => ({
  checks,
  state: aggregateState(Object.values(checks).map((check) => check.state)),
});

export const addStatusCheck = (release: Pick<Release, 'checks' | 'version'>, input: NewStatusCheck, id: string, at: string): ChecksChange => {
  if (ownEntry(release.checks, input.context)) {
    throw conflict('status_context_exists', `Release v${release.version} already has a status for ${input.context}; PATCH it instead.`, {
      context: input.context,
    });
  }
  if (Object.keys(release.checks).length >= MAX_CHECKS_PER_RELEASE) {
    throw unprocessable('too_many_statuses', `A release holds at most ${MAX_CHECKS_PER_RELEASE} status contexts.`, {
      limit: MAX_CHECKS_PER_RELEASE,
    });
  }
  const check: StatusCheck = {
    id,
    context: input.context,
    name: input.name,
    state: input.state,
    description: input.description ?? null,
    target_url: input.target_url ?? null,
    image_url: input.image_url ?? null,
    created_at: at,
    updated_at: at,
  };
  return withChecks(withinBytes({ ...release.checks, [input.context]: check }, release));
};

export const updateStatusCheck = (
  release: Pick<Release, 'checks' | 'version'>,
  context: string,
  patch: StatusCheckPatch,
  at: string,
): ChecksChange => {
  const existing = requireStatusCheck(release, context);
  const updated: StatusCheck = {
    ...existing,
    ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
    updated_at: at,
  };
  return withChecks(withinBytes({ ...release.checks, [context]: updated }, release));
};

export const requireStatusCheck = (release: Pick<Release, 'checks' | 'version'>, context: string): StatusCheck => {
  const check = ownEntry(release.checks, context);
  if (!check) {
    throw new DomainError('not_found', 'status_not_found', `Release v${release.version} has no status for ${context}.`, { context });
  }
  return check;
};

/** Oldest first, so a listing reads as the order checks were reported in. */
export const listStatusChecks = (release: Pick<Release, 'checks'>): StatusCheck[] =>
  Object.values(release.checks).sort(
    (a, b) => a.created_at.localeCompare(b.created_at) || a.context.localeCompare(b.context),
  );
