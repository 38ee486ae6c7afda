import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import qs from 'qs';
import type { z } from 'zod';
import { DomainError } from '../domain/errors';
import { HttpError } from './http-error';

export const MAX_BODY_BYTES = 64 * 1024;

/** How nested a form field may be (`a[b][c]`) and how many fields a form may have. */
const FORM_LIMITS = { depth: 5, parameterLimit: 200 } as const;

type BodyDecoder = (text: string) => unknown;

/**
 * The media types a body may have. Forms are for scripts: bracket keys nest (`meta_data[foo]=bar`), repeated
 * `[]` keys make arrays, and `true`/`false` are booleans, since a form has no other way to send one.
 */
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
  'application/x-www-form-urlencoded': (text) =>
    qs.parse(text, { ...FORM_LIMITS, decoder: (value, decode, charset, kind) => formValue(decode(value, decode, charset), kind) }),
};

const formValue = (decoded: unknown, kind: 'key' | 'value'): unknown =>
  kind === 'value' && (decoded === 'true' || decoded === 'false') ? decoded === 'true' : decoded;

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
