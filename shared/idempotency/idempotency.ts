import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { conflict, unprocessable } from '../domain/errors';
import { getStore, type Store } from '../store/client';
import { TTL_ATTRIBUTE } from '../store/table-design';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_WINDOW_SECONDS, IdempotencyKey } from './contract';

/**
 * `Idempotency-Key` support on top of Powertools Idempotency, stored in the Slipway table:
 *
 *   pk IDEMPOTENCY   sk slipway#{sha256 of scope}   status, expiration (TTL, epoch s), in_progress_expiration,
 *                                                    validation (sha256 of the request), data ({id} of the result)
 *
 * Powertools gives exactly the API's semantics: a completed key replays its stored result, a key whose
 * first request is still running is refused, a different request under the same key fails validation,
 * and a run that throws deletes its record, so a refused (4xx) attempt never poisons the key: a
 * corrected retry under the same key is simply a new request. A crashed run frees its key once the
 * Lambda's remaining time at the start has passed.
 */
export const IDEMPOTENCY_PARTITION = 'IDEMPOTENCY';

/** Who asks and for what: the same key from another caller, route or app is a different key. */
export type IdempotencyScope = { caller: string; operation: string; resource: string };

export type IdempotentOutcome<T> = { replayed: false; value: T } | { replayed: true; id: string };

type Payload = { scope: IdempotencyScope & { key: string }; request: unknown };
type Stored = { id: string };

const layers = new WeakMap<Store, DynamoDBPersistenceLayer>();

const persistenceFor = (store: Store): DynamoDBPersistenceLayer => {
  let layer = layers.get(store);
  if (!layer) {
    layer = new DynamoDBPersistenceLayer({
      tableName: store.tableName,
      // The document client shares the DynamoDB client's config and middleware, and sends the plain
      // DynamoDB commands Powertools issues unchanged, so both use one connection pool and endpoint.
      awsSdkV3Client: store.client as unknown as DynamoDBClient,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: IDEMPOTENCY_PARTITION,
      // The table's TTL attribute, so DynamoDB deletes records once their window is over.
      expiryAttr: TTL_ATTRIBUTE,
    });
    layers.set(store, layer);
  }
  return layer;
};

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

/**
 * Runs `run` at most once per (scope, key) within 24 h. Without a key it just runs. A replay returns the
 * id of what the first run created, for the caller to redirect to.
 */
export const runOnce = async <T extends Stored>(options: {
  key: string | undefined;
  scope: IdempotencyScope;
  request: unknown;
  context: Context;
  run: () => Promise<T>;
}): Promise<IdempotentOutcome<T>> => {
  const { key, scope, request, context, run } = options;
  if (key === undefined) return { replayed: false, value: await run() };

  let fresh: T | undefined;
  const once = makeIdempotent(
    async (_payload: Payload): Promise<Stored> => {
      fresh = await run();
      return { id: fresh.id };
    },
    {
      persistenceStore: persistenceFor(getStore()),
      keyPrefix: 'slipway',
      // A config per call: its Lambda context bounds how long this run may hold the key in flight.
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'scope',
        payloadValidationJmesPath: 'request',
        throwOnNoIdempotencyKey: true,
        expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
        hashFunction: 'sha256',
        lambdaContext: context,
      }),
    },
  );
  try {
    const stored = await once({ scope: { ...scope, key }, request });
    return fresh ? { replayed: false, value: fresh } : { replayed: true, id: stored.id };
  } catch (error) {
    throw refusalFor(error, key);
  }
};

const refusalFor = (error: unknown, key: string): unknown => {
  if (error instanceof IdempotencyValidationError) {
    return unprocessable(
      'idempotency_key_mismatch',
      'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      { idempotency_key: key },
    );
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return conflict('idempotency_key_in_flight', 'A request with this Idempotency-Key is still in progress; retry shortly.', {
      idempotency_key: key,
    });
  }
  // Surface the store's own fault (throttling, timeouts) so the HTTP layer can answer 503 rather than 500.
  if (error instanceof IdempotencyPersistenceLayerError && error.cause instanceof Error) return error.cause;
  return error;
};
