import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import type { ErrorResponse } from './error-responses';
import '../config/english-messages';

/** Shapes every resource shares: ids, times, references and the error envelope. */
export const Uuid = z.uuid();
export const Timestamp = builtOnFirstUse(() => z.iso.datetime({ precision: 3 }).check(z.meta({ example: '2026-11-24T19:03:07.123Z' })));
/** Any UUID's shape, whatever its version or variant (zod's `guid`): 8-4-4-4-12 hex digits. */
const UUID_SHAPED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Apps and pipelines are addressed by name or id alike, so a name must never parse as an id. */
export const AppName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9-]{2,62}$/, 'must be 3-63 characters: a lowercase letter, then lowercase letters, digits or dashes'))
  .check(z.refine((value) => !UUID_SHAPED.test(value), { message: 'must not look like a UUID (names and ids share one path segment)' }));
/** What `/apps/{app}` and `/pipelines/{pipeline}` take: an id (UUID) or a name. */
export const IdOrName = z.string().check(
  z.refine((value) => Uuid.safeParse(value).success || AppName.safeParse(value).success, {
    message: 'must be an id (UUID) or a name',
  }),
);
// A component of the document is named by registering the schema itself: a `z.meta` check would travel into
// every schema made from it (a description added at a use, an extension) and name those the same.
export const AppRef = builtOnFirstUse(() => z.object({ id: Uuid, name: AppName }).register(z.globalRegistry, { id: 'AppRef' }));
export const NamedRef = builtOnFirstUse(() => z.object({ name: z.string() }));
/** A status check's key on its release, e.g. `ci/unit` or `qa+smoke`. */
export const StatusContext = z
  .string()
  .check(z.regex(/^[./\\+\-A-Za-z0-9]{3,63}$/, 'must be 3-63 characters of letters, digits and . / \\ + -'))
  .register(z.globalRegistry, { id: 'StatusContext', example: 'ci/unit' });
/** Bounds count UTF-8 bytes, which is what DynamoDB's item limit counts, not characters. */
const utf8 = new TextEncoder();
export const utf8Bytes = (value: string): number => utf8.encode(value).byteLength;
export const boundedBytes = <T extends z.ZodMiniType<string>>(schema: T, maxBytes: number) =>
  schema.check(z.refine((value) => utf8Bytes(value) <= maxBytes, { message: `must be at most ${maxBytes} bytes of UTF-8` }));

export const HttpUrl = builtOnFirstUse(() =>
  boundedBytes(z.string().check(z.maxLength(2048)), 2048).check(
    z.refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      message: 'must be an http(s) URL',
    }),
  ),
);

/** The one error shape of every refusal, with the reason also at the top level for Heroku and Akkeris clients. */
export const errorBodyOf = (code: string, message: string, details: Record<string, unknown> = {}): ErrorResponse => ({
  error: { code, message, details },
  id: code,
  message,
});

/** Short free text (names, descriptions, commit messages) with a ceiling in UTF-8 bytes so one item stays small. */
// A length bound too, so the OpenAPI document shows one: UTF-16 units never outnumber UTF-8 bytes.
export const shortText = (maxBytes: number) => boundedBytes(z.string().check(z.maxLength(maxBytes)), maxBytes);

/**
 * An object whose keys users name (config vars, metadata, hook options): z.record(key, value), except that
 * a `__proto__` key is kept like any other. zod leaves that key out of every record it parses (assigning it
 * to the object it builds would set the prototype), so a var or option named `__proto__` would vanish
 * without a word. Here its key is checked against `key` and its value carried through the record under a
 * symbol (zod keeps symbol keys; JSON and forms cannot send one), where `value` checks it as any other, then
 * put back as an own key, after the others. The OpenAPI document shows the record.
 */
export const userRecord = <K extends z.core.$ZodType<string, string>, V extends z.core.$ZodType>(key: K, value: V) => {
  const carried = Symbol('__proto__');
  return z.pipe(
    z.pipe(
      z.transform((input: unknown, context) => {
        if (typeof input !== 'object' || input === null || !Object.hasOwn(input, '__proto__')) return input;
        const { ['__proto__']: entry, ...others } = input as Record<string, unknown>;
        if (!z.safeParse(key, '__proto__').success) {
          context.issues.push({ code: 'custom', message: 'Invalid key in record', path: ['__proto__'], input });
          return others;
        }
        return { ...others, [carried]: entry };
      }),
      // The carried symbol is no key a client can send (JSON and forms have none): the document allows it none.
      z.record(z.union([key, z.symbol().check(z.meta({ override: { not: {} } }))]), value),
    ),
    z.transform((parsed): Record<z.output<K>, z.output<V>> => {
      if (!Object.hasOwn(parsed, carried)) return parsed as Record<z.output<K>, z.output<V>>;
      const { [carried]: entry, ...others } = parsed as Record<string | symbol, z.output<V>>;
      return Object.fromEntries([...Object.entries(others), ['__proto__', entry]]) as Record<z.output<K>, z.output<V>>;
    }),
  );
};

/** Free JSON (an object) bounded in UTF-8 bytes of its JSON text, so it cannot crowd an item out of DynamoDB. */
export const metadataOf = (maxBytes: number) =>
  userRecord(z.string(), z.unknown())
    .check(z.refine((value) => utf8Bytes(JSON.stringify(value)) <= maxBytes, { message: `must be at most ${maxBytes} bytes of JSON` }))
    .check(
      z.meta({ description: `Free JSON object, at most ${maxBytes} bytes as JSON text. Every key, at any depth, is kept as given (__proto__ and constructor too).` }),
    );

export const CommitId = builtOnFirstUse(() => z.string().check(z.regex(/^[0-9a-f]{7,64}$/, 'must be a hex commit id')));

export const Commit = builtOnFirstUse(() =>
  z
    .strictObject({
      sha: CommitId(),
      author: z._default(z.nullable(shortText(255)), null),
      committed_at: z.pipe(
        z.iso.datetime({ offset: true }),
        z.transform((value: string) => new Date(value).toISOString()),
      ),
      message: z._default(z.nullable(shortText(1024)), null),
    })
    .register(z.globalRegistry, { id: 'Commit' }),
);

/**
 * A time as clients send it: ISO 8601 with or without seconds and fractions, `Z` or an offset (`+02:00`,
 * `+0200`), the year as YYYY or in the expanded ±YYYYYY form; kept as UTC with milliseconds. Years outside
 * 1970-9999 are refused, so every time Slipway stores reads back in the one form it answers with.
 */
export const ClientTime = builtOnFirstUse(() =>
  z
    .pipe(
      z
        .string()
        .check(
          z.maxLength(40),
          z.regex(
            /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/,
            'must be an ISO 8601 time with Z or an offset, e.g. 2026-11-24T19:03:07Z',
          ),
        )
        .check(
          z.refine(
            (value) => {
              const at = Date.parse(value);
              return Number.isFinite(at) && at >= 0 && at < Date.UTC(10_000, 0, 1);
            },
            { message: 'must be a real time between 1970 and 9999' },
          ),
        ),
      z.transform((value: string) => new Date(value).toISOString()),
    )
    .check(
      z.meta({
        description: 'ISO 8601: with or without milliseconds, Z or an offset, YYYY or ±YYYYYY years; answered as UTC with milliseconds.',
        example: '2026-11-24T19:03:07Z',
      }),
    ),
);
