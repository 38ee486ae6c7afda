import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAP_KEY_ESCAPE, escapeMapKeys, unescapeMapKeys } from '../../shared/store/map-keys';

/** Keys the marshaller cannot carry, keys that look escaped already, and any others. */
const key = fc.oneof(
  fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', MAP_KEY_ESCAPE, `${MAP_KEY_ESCAPE}constructor`, `${MAP_KEY_ESCAPE}${MAP_KEY_ESCAPE}x`),
  fc.string({ maxLength: 6 }),
);

const { value: jsonValue } = fc.letrec<{ value: unknown; map: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), tie('map')),
  // Built from entries, so `__proto__` is an own key, as JSON.parse makes it.
  map: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
}));

const ownKeysAtAnyDepth = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(ownKeysAtAnyDepth)
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([name, item]) => [name, ...ownKeysAtAnyDepth(item)])
      : [];

describe('map keys as stored', () => {
  it('escapes constructor and __proto__ at any depth, and unescapes to exactly what was given', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const stored = escapeMapKeys(value);
        expect(ownKeysAtAnyDepth(stored)).not.toContain('constructor');
        expect(ownKeysAtAnyDepth(stored)).not.toContain('__proto__');
        expect(JSON.stringify(unescapeMapKeys(stored))).toBe(JSON.stringify(value));
      }),
    );
  });

  it('stores them under the escape, keeps the prototype plain, and copies nothing that needs no escape', () => {
    const given = JSON.parse('{"__proto__":{"constructor":"c"},"list":[{"prototype":1}]}');
    const stored = escapeMapKeys(given);
    expect(JSON.stringify(stored)).toBe(`{"${MAP_KEY_ESCAPE}__proto__":{"${MAP_KEY_ESCAPE}constructor":"c"},"list":[{"prototype":1}]}`);
    expect(stored.list).toBe(given.list);
    const read = unescapeMapKeys(stored);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'list']);
    const plain = { pk: 'APP#1', checks: { 'ci/unit': { state: 'success' } }, commits: [{ sha: 'abc' }] };
    expect(escapeMapKeys(plain)).toBe(plain);
    expect(unescapeMapKeys(plain)).toBe(plain);
  });
});
