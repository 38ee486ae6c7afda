import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/domain/errors';
import { nextVersionRange, parseVersionRange } from '../../shared/domain/version-range';
import { skipsAVersion } from '../../shared/domain/versioning';

const limits = { defaultMax: 100, maxMax: 1000 };

describe('Heroku version ranges', () => {
  it('read bounds, order and max, with Heroku defaults', () => {
    expect(parseVersionRange('version ..', limits)).toEqual({ afterVersion: 0, beforeVersion: undefined, order: 'asc', max: 100 });
    expect(parseVersionRange('version ..; order=desc, max=10', limits)).toEqual({ afterVersion: 0, beforeVersion: undefined, order: 'desc', max: 10 });
    expect(parseVersionRange('version 5..9; max=2', limits)).toEqual({ afterVersion: 4, beforeVersion: 10, order: 'asc', max: 2 });
    expect(parseVersionRange('version ]5..; max=2', limits)).toMatchObject({ afterVersion: 5 });
  });

  it('give the Next-Range that continues where a page ended, which reads back as the rest', () => {
    const ascending = parseVersionRange('version ..; max=10', limits);
    expect(nextVersionRange(ascending, 10)).toBe('version ]10..; order=asc, max=10');
    expect(parseVersionRange(nextVersionRange(ascending, 10), limits)).toMatchObject({ afterVersion: 10, beforeVersion: undefined });
    const descending = parseVersionRange('version 3..; order=desc, max=10', limits);
    expect(nextVersionRange(descending, 96)).toBe('version ]2..95; order=desc, max=10');
    expect(parseVersionRange(nextVersionRange(descending, 96), limits)).toMatchObject({ afterVersion: 2, beforeVersion: 96, order: 'desc' });
  });

  it.each(['id ..', 'version 1-2', 'version ..; order=sideways', 'version ..; max=0', 'version ..; max=1001', 'version ..; max=5, max=6', 'version ..; size=5'])(
    'refuse %j with 400 invalid_range',
    (range) => {
      const refusal = (() => {
        try {
          parseVersionRange(range, limits);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ kind: 'bad_request', code: 'invalid_range' });
    },
  );
});

describe('a page of releases', () => {
  it('skips a version when two neighbours are not consecutive, either way round', () => {
    expect(skipsAVersion([])).toBe(false);
    expect(skipsAVersion([7])).toBe(false);
    expect(skipsAVersion([3, 4, 5])).toBe(false);
    expect(skipsAVersion([5, 4, 3])).toBe(false);
    expect(skipsAVersion([3, 5])).toBe(true);
    expect(skipsAVersion([6, 4, 3])).toBe(true);
  });
});
