import { parse } from 'qs-esm';

/**
 * How nested a field may be (deeper brackets stay one literal key) and how many fields count. qs's own
 * defaults do the rest: `[n]` up to 20 is an array index, and names that would reach an object's
 * prototype are dropped.
 */
const FORM_LIMITS = { depth: 5, parameterLimit: 200 } as const;

/**
 * `application/x-www-form-urlencoded` bodies, for scripts: bracket keys nest (`meta_data[foo]=bar`), `[]`
 * and small `[n]` indexes make arrays, a repeated plain key collects its values, and `true`/`false` are
 * booleans, since a form has no other way to send one. Parsed by qs-esm, qs without the polyfill
 * dependencies that made qs ~50 KB of every function's bundle (6 KB).
 */
export const parseForm = (text: string): Record<string, unknown> =>
  parse(text, {
    ...FORM_LIMITS,
    decoder: (encoded, decode, kind) => {
      const decoded = decode(encoded);
      return kind === 'value' && (decoded === 'true' || decoded === 'false') ? decoded === 'true' : decoded;
    },
  });
