import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError } from '../domain/errors';

export const MAX_BODY_BYTES = 64 * 1024;

/** The JSON body of a request: absent means `{}`; over 64 KiB or not JSON is refused before any work. */
export const jsonBodyOf = (event: APIGatewayProxyEventV2): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new DomainError('payload_too_large', 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, {
      limit_bytes: MAX_BODY_BYTES,
      body_bytes: raw.byteLength,
    });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new DomainError('bad_request', 'invalid_json', 'The request body is not valid JSON.', {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
};

/** Validates input against its zod schema, turning every issue into one 422 the caller can act on. */
export const parseInput = <S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query'): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new DomainError(
    'unprocessable',
    'validation_failed',
    first ? `Invalid ${first.path}: ${first.message}` : `Invalid request ${where}.`,
    { issues },
  );
};
