import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/api/cursor';
import { DomainError } from '../../shared/domain/errors';
import { aggregateState } from '../../shared/domain/state-aggregation';
import { parseReleaseReference, versionSortKey } from '../../shared/domain/versioning';

describe('release versions', () => {
  it('sort as strings in numeric order', () => {
    const keys = [10, 9, 100, 1].map(versionSortKey);
    expect([...keys].sort()).toEqual([1, 9, 10, 100].map(versionSortKey));
    expect(() => versionSortKey(1e10)).toThrow(RangeError);
  });

  it('are told apart from ids in a release reference', () => {
    expect(parseReleaseReference('12')).toEqual({ version: 12 });
    expect(parseReleaseReference('0')).toEqual({ id: '0' });
    expect(parseReleaseReference('5b2f0c1e-0000-4000-8000-000000000000')).toEqual({
      id: '5b2f0c1e-0000-4000-8000-000000000000',
    });
  });
});

describe('cursors', () => {
  it('round-trip the last version of a page', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe(1234);
  });

  it.each(['', 'nonsense', Buffer.from('{"v":-1}').toString('base64url'), Buffer.from('[1]').toString('base64url')])(
    'refuse %j with invalid_cursor',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(DomainError);
    },
  );
});

describe('aggregateState', () => {
  it('is pending with no checks', () => {
    expect(aggregateState([])).toBe('pending');
  });

  it.each([
    [['success', 'success'], 'success'],
    [['success', 'pending'], 'pending'],
    [['pending', 'failure', 'success'], 'failure'],
    [['failure', 'error', 'pending'], 'error'],
  ] as const)('%j -> %s', (checks, expected) => {
    expect(aggregateState(checks)).toBe(expected);
    expect(aggregateState([...checks].reverse())).toBe(expected);
  });
});
