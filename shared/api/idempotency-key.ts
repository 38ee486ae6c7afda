import * as z from 'zod/mini';

/**
 * The `Idempotency-Key` contract on its own, free of the store, so the OpenAPI document can describe it
 * without bundling the persistence layer.
 */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export const IdempotencyKey = z
  .string()
  .check(z.minLength(1), z.maxLength(255), z.regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable ASCII characters without spaces'));
