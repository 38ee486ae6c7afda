import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { builtOnFirstUse } from '../../shared/runtime/built-on-first-use';

describe('a schema built on first use', () => {
  it('is not built until asked for, then built once and kept', () => {
    let builds = 0;
    const Name = builtOnFirstUse(() => {
      builds += 1;
      return z.string().check(z.minLength(3));
    });
    expect(builds).toBe(0);
    const first = Name();
    expect(Name()).toBe(first);
    expect(builds).toBe(1);
    expect(Name().safeParse('ab').success).toBe(false);
  });
});
