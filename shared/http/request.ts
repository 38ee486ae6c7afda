import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { DomainError } from '../domain/errors';
import { parseForm } from './form';
import { HttpError } from './http-error';

const MAX_BODY_BYTES = 64 * 1024;

type BodyDecoder = (text: string) => unknown;

/** The media types a body may have; forms are for scripts (see form.ts). */
const DECODERS: Record<string, BodyDecoder> = {
  'application/json': (text) => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new DomainError('bad_request', 'invalid_json', 'The request body is not valid JSON.', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  },
  'application/x-www-form-urlencoded': parseForm,
};

const mediaTypeOf = (event: APIGatewayProxyEventV2): string => {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
};

/**
 * The body of a request: absent means `{}`; over 64 KiB, of another media type, or not decodable as its
 * own is refused before any work.
 */
export const bodyOf = (event: APIGatewayProxyEventV2): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new DomainError('payload_too_large', 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, {
      limit_bytes: MAX_BODY_BYTES,
      body_bytes: raw.byteLength,
    });
  }
  const mediaType = mediaTypeOf(event);
  const decode = Object.hasOwn(DECODERS, mediaType) ? DECODERS[mediaType] : undefined;
  if (!decode) {
    throw new HttpError(
      'unsupported_media_type',
      'unsupported_media_type',
      `Send the body as application/json or application/x-www-form-urlencoded, not ${mediaType || 'without a Content-Type'}.`,
      { content_type: mediaType, supported: Object.keys(DECODERS) },
    );
  }
  return decode(raw.toString('utf8'));
};

/**
 * The API key a request presents: `Authorization: Bearer <key>`, the key alone as `Authorization: <key>` (as
 * ReleaseBits clients send it), or `?access_token=<key>` for links and scripts.
 */
export const bearerTokenOf = (
  headers: Readonly<Record<string, string | undefined>>,
  query: Readonly<Record<string, string | undefined>>,
): string | undefined => headers.authorization?.match(/^(?:Bearer\s+)?(\S+)$/i)?.[1] ?? query.access_token;

/** Validates input against its zod schema, turning every issue into one 422 the caller can act on. */
export const parseInput = <S extends z.core.$ZodType>(schema: S, input: unknown, where: 'body' | 'query'): z.output<S> => {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    // A symbol in a path (what userRecord carries `__proto__` under) reads as its description.
    path: [where, ...issue.path.map((segment) => (typeof segment === 'symbol' ? (segment.description ?? '') : String(segment)))].join('.'),
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
