import { parse } from 'qs-esm';

/**
 * How nested a field may be (deeper brackets stay one literal key) and how many fields count. qs's own
 * defaults do the rest: `[n]` up to 20 is an array index. `plainObjects` builds objects without a
 * prototype, so a name Object.prototype has (`constructor`, `toString`) is a field like any other instead
 * of being dropped, and none can reach a prototype.
 */
const FORM_LIMITS = { depth: 5, parameterLimit: 200, plainObjects: true } as const;

/**
 * qs drops a `__proto__` name even into an object without a prototype, so such a name is escaped before qs
 * splits the field name (at its start or right after a `[`, as is a name that starts with the escape, so
 * the mapping is one to one) and unescaped in what it built.
 */
const ESCAPE = '\u241b';
const escapedName = (name: string): string => name.replace(/(^|\[)(?=__proto__(?:[[\]]|$)|\u241b)/g, `$1${ESCAPE}`);
const unescapedName = (name: string): string => name.replace(/(^|\[)\u241b/g, '$1');

/** What qs built, with names unescaped, as plain objects (own keys only, `__proto__` included) like JSON.parse makes. */
const unescaped = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(unescaped);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [unescapedName(name), unescaped(item)]));
};

/**
 * `application/x-www-form-urlencoded` bodies, for scripts: bracket keys nest (`meta_data[foo]=bar`), `[]`
 * and small `[n]` indexes make arrays, a repeated plain key collects its values, and `true`/`false` are
 * booleans, since a form has no other way to send one. Every name is kept as given, `__proto__` and
 * `constructor` too. Parsed by qs-esm, qs without the polyfill dependencies that made qs ~50 KB of every
 * function's bundle (6 KB).
 */
export const parseForm = (text: string): Record<string, unknown> =>
  unescaped(
    parse(text, {
      ...FORM_LIMITS,
      decoder: (encoded, decode, kind) => {
        const decoded = decode(encoded);
        if (kind === 'key') return escapedName(decoded);
        return decoded === 'true' || decoded === 'false' ? decoded === 'true' : decoded;
      },
    }),
  ) as Record<string, unknown>;
