import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { metadataOf, userRecord } from '../../shared/api/common';

describe('a record whose keys users name', () => {
  const options = userRecord(z.string().regex(/^[a-z_]+$/), z.string().max(5));

  it('keeps __proto__, constructor and prototype as own keys, checked like any other', () => {
    const parsed = options.parse(JSON.parse('{"a":"1","__proto__":"2","constructor":"3","prototype":"4"}'));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.entries(parsed)).toEqual([['a', '1'], ['constructor', '3'], ['prototype', '4'], ['__proto__', '2']]);
    const tooLong = options.safeParse(JSON.parse('{"__proto__":"too long"}'));
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.path.map((segment) => (typeof segment === 'symbol' ? segment.description : segment))).toEqual(['__proto__']);
  });

  it('refuses __proto__ where the key schema refuses it, and takes what has none', () => {
    const upper = userRecord(z.string().regex(/^[A-Z]+$/), z.string());
    const refused = upper.safeParse(JSON.parse('{"__proto__":"x"}'));
    expect(refused.error?.issues).toEqual([expect.objectContaining({ message: 'Invalid key in record', path: ['__proto__'] })]);
    expect(options.parse({ a: 'x' })).toEqual({ a: 'x' });
    expect(options.safeParse('not an object').success).toBe(false);
  });

  it('counts __proto__ in the byte bound of metadata', () => {
    const small = metadataOf(20);
    expect(small.safeParse(JSON.parse('{"__proto__":"0123456789"}')).success).toBe(false);
    expect(JSON.stringify(small.parse(JSON.parse('{"__proto__":"0"}')))).toBe('{"__proto__":"0"}');
  });
});
