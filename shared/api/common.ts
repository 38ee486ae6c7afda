import * as z from 'zod';

/** Shapes every resource shares: ids, times, references and the error envelope. */
export const Uuid = z.uuid();
export const Timestamp = z.iso.datetime({ precision: 3 }).meta({ example: '2026-11-24T19:03:07.123Z' });
export const AppName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{2,62}$/, 'must be 3-63 characters: a lowercase letter, then lowercase letters, digits or dashes');
export const AppRef = z.object({ id: Uuid, name: AppName }).meta({ id: 'AppRef' });
/** Bounds count UTF-8 bytes, which is what DynamoDB's item limit counts, not characters. */
export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
export const boundedBytes = <T extends z.ZodType<string>>(schema: T, maxBytes: number) =>
  schema.refine((value) => utf8Bytes(value) <= maxBytes, { message: `must be at most ${maxBytes} bytes of UTF-8` });

export const HttpUrl = boundedBytes(z.string().max(2048), 2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an http(s) URL',
  });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** Short free text (names, descriptions, commit messages) with a ceiling in UTF-8 bytes so one item stays small. */
// `.max` too, so the OpenAPI document shows a length bound: UTF-16 units never outnumber UTF-8 bytes.
export const shortText = (maxBytes: number) => boundedBytes(z.string().max(maxBytes), maxBytes);
