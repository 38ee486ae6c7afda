import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import { idempotencyKeyOf, runOnce } from '../idempotency/idempotency';
import type { RouteKey } from '../api/routes';
import type { HttpRequest } from './http-function';

type CreateOnce<T> = {
  operation: RouteKey;
  /** What the key is scoped to besides its caller and route: the app, or the pipeline. */
  resource: string;
  /** The parsed request; the same key with another request is refused. */
  request: unknown;
  run: (id: string) => Promise<T>;
  resume: (id: string) => Promise<T | undefined>;
  /**
   * Makes the request body its own key (as canonical JSON), kept for good, in place of the Idempotency-Key
   * header: the same payload from the same caller answers what the first made, however often and however long after.
   */
  payload?: unknown;
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A create that honours `Idempotency-Key`: what it made and 201, or, for a retry under the same key,
 * what the first attempt made and 303 (the caller answers with its Location either way).
 */
export const createOnce = async <T>(
  { headers, principal, context }: Pick<HttpRequest, 'headers' | 'principal' | 'context'>,
  create: CreateOnce<T>,
): Promise<{ status: 201 | 303; value: T }> => {
  const outcome = await runOnce({
    key: create.payload === undefined ? idempotencyKeyOf(headers) : `payload:${sha256(canonicalJson(create.payload))}`,
    forever: create.payload !== undefined,
    scope: { caller: principal.keyId, operation: create.operation, resource: create.resource },
    request: create.request,
    context,
    run: create.run,
    resume: create.resume,
  });
  return { status: outcome.replayed ? 303 : 201, value: outcome.value };
};
