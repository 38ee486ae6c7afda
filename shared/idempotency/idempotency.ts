import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { conflict, DomainError, UnconfirmedChange, unprocessable } from '../domain/errors';
import { isLeaseLiveNow, leaseForThisProcess } from '../runtime/lease-holder';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyRecord,
  forgetIdempotencyKey,
  lapseIdempotencyLease,
  takeOverIdempotencyKey,
  type IdempotencyRecord,
} from '../store/idempotency-store';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_WINDOW_SECONDS, IdempotencyKey } from '../api/idempotency-key';

/** Who asks and for what: the same key from another caller, route or app is a different key. */
type IdempotencyScope = { caller: string; operation: string; resource: string };

/** `replayed`: an earlier attempt under the key made (or began) the resource; answer 303 to it. */
export type IdempotentOutcome<T> = { replayed: boolean; value: T };

/** How soon a caller refused for a key in flight should look again: keyed creates take well under a second. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/** A record deleted (its window over) between our claim and our read is claimed afresh; twice is plenty. */
const MAX_CLAIMS = 3;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The header's value, or undefined when the caller sent none; a malformed key is refused with 422. */
export const idempotencyKeyOf = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const raw = headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw);
  if (!parsed.success) {
    throw unprocessable('invalid_idempotency_key', `Invalid Idempotency-Key: ${parsed.error.issues[0]?.message ?? 'malformed'}.`, {
      header: 'Idempotency-Key',
    });
  }
  return parsed.data;
};

type Options<T> = {
  key: string | undefined;
  /**
   * Kept for good instead of the key's 24 h window: for a key derived from the request itself (a client that
   * retries by sending the same payload again, however long after), so a retry never makes a second resource.
   */
  forever?: boolean;
  scope: IdempotencyScope;
  /** The parsed request; the same key with another request is refused. */
  request: unknown;
  context: Context;
  /** Makes the resource with this id. Idempotent by id: run again, it finds what an earlier run wrote. */
  run: (id: string) => Promise<T>;
  /**
   * Finds what an earlier, cut-short attempt under the key wrote and carries it to its end; undefined if
   * it wrote nothing, and `run` then makes it.
   */
  resume: (id: string) => Promise<T | undefined>;
};

/**
 * Runs a create at most once per (scope, key) within 24 h, across crashes. A record claimed before
 * anything else is written fixes the id of what the request makes; an attempt that dies leaves it in
 * progress, and once its lease has lapsed (its Lambda's time is up, or the local server restarted) the
 * next retry takes the lease over and carries the same resource to its end. Without a key it just runs.
 */
export const runOnce = async <T>(options: Options<T>): Promise<IdempotentOutcome<T>> => {
  const { key, scope, request, context, run } = options;
  if (key === undefined) return { replayed: false, value: await run(randomUUID()) };

  const scopeHash = sha256(JSON.stringify([scope.caller, scope.operation, scope.resource, key]));
  const requestHash = sha256(JSON.stringify(request));
  for (let claim = 1; claim <= MAX_CLAIMS; claim++) {
    const now = Date.now();
    const fresh: IdempotencyRecord = {
      scope_hash: scopeHash,
      request_hash: requestHash,
      resource_id: randomUUID(),
      status: 'in_progress',
      lease: leaseForThisProcess(context.getRemainingTimeInMillis()),
      ...(options.forever ? {} : { expiration: Math.floor(now / 1000) + IDEMPOTENCY_WINDOW_SECONDS }),
    };
    if (await claimIdempotencyKey(fresh, Math.floor(now / 1000))) {
      return { replayed: false, value: await runHolding(fresh, () => run(fresh.resource_id)) };
    }
    const existing = await findIdempotencyRecord(scopeHash);
    if (!existing) continue;
    if (existing.request_hash !== requestHash) throw mismatch(key);
    if (existing.status === 'completed') return { replayed: true, value: await resumed(options, existing) };
    const lease = leaseForThisProcess(context.getRemainingTimeInMillis());
    if (isLeaseLiveNow(existing.lease) || !(await takeOverIdempotencyKey(existing, lease))) throw inFlight(key);
    const held = { ...existing, lease };
    return {
      replayed: true,
      value: await runHolding(held, async () => (await options.resume(held.resource_id)) ?? run(held.resource_id)),
    };
  }
  throw inFlight(key);
};

/** What a completed key made; it exists, as the key was only marked completed once it did. */
const resumed = async <T>(options: Options<T>, record: IdempotencyRecord): Promise<T> => {
  const value = await options.resume(record.resource_id);
  if (value === undefined) throw new Error(`Idempotency-Key record names ${record.resource_id}, which does not exist`);
  return value;
};

/**
 * Runs `work` under the key's lease and settles the record. A refusal (a domain error: nothing was
 * written) frees the key, so a corrected request may use it; any other failure (an unconfirmed change
 * among them) may come after writes, so the record stays and its lease lapses at once: the client's retry
 * carries on with the same id.
 */
const runHolding = async <T>(record: IdempotencyRecord, work: () => Promise<T>): Promise<T> => {
  let value: T;
  try {
    value = await work();
  } catch (error) {
    await (isRefusal(error) ? forgetIdempotencyKey(record) : lapseIdempotencyLease(record));
    throw error;
  }
  await completeIdempotencyKey(record);
  return value;
};

const isRefusal = (error: unknown): boolean => error instanceof DomainError && !(error instanceof UnconfirmedChange);

const mismatch = (key: string) =>
  unprocessable(
    'idempotency_key_mismatch',
    'This Idempotency-Key was already used with a different request; use a new key for a new request.',
    { idempotency_key: key },
  );

const inFlight = (key: string) =>
  conflict(
    'idempotency_key_in_flight',
    'A request with this Idempotency-Key is still in progress; retry shortly.',
    { idempotency_key: key },
    { retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS },
  );
