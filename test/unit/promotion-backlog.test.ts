import { describe, expect, it } from 'vitest';
import { notYetPromoted } from '../../web/src/promotion-backlog';

const succeeded = (...versions: number[]) => versions.map((version) => ({ version, slug: { id: `build-${version}` } }));
const versionsOf = (backlog: { releases: { version: number }[]; more: boolean }) => ({ versions: backlog.releases.map((release) => release.version), more: backlog.more });

describe('releases not yet promoted', () => {
  it('are the succeeded releases newer than the one whose build runs downstream', () => {
    expect(versionsOf(notYetPromoted({ releases: succeeded(9, 7, 6, 4), more: true }, new Set(['build-6'])))).toEqual({ versions: [9, 7], more: false });
  });

  it('are none when downstream runs the newest', () => {
    expect(versionsOf(notYetPromoted({ releases: succeeded(9, 7), more: true }, new Set(['build-9', 'other'])))).toEqual({ versions: [], more: false });
  });

  it('are the whole page, and say more may follow, when nothing on the page runs downstream', () => {
    expect(versionsOf(notYetPromoted({ releases: succeeded(9, 7), more: true }, new Set(['build-1'])))).toEqual({ versions: [9, 7], more: true });
    expect(versionsOf(notYetPromoted({ releases: succeeded(2, 1), more: false }, new Set()))).toEqual({ versions: [2, 1], more: false });
  });
});
