import { describe, expect, it } from 'vitest';
import { buildCreationEvents, releaseChangeEvents, releaseCreationEvents } from '../../shared/domain/events';
import type { CheckState, Release } from '../../shared/domain/model';
import { releaseFixture, statusCheckFixture } from '../../shared/fixtures/model';

const check = (context: string, state: CheckState, updatedAt: string) => statusCheckFixture(context, state, { updated_at: updatedAt });

const release = releaseFixture();

describe('the events a change announces', () => {
  it('a rollback, by hand or automatic, is created and a rollback; other triggers are only created', () => {
    expect(releaseCreationEvents({ trigger: 'rollback' }).map((event) => event.type)).toEqual(['release.created', 'release.rollback']);
    expect(releaseCreationEvents({ trigger: 'auto_rollback' }).map((event) => event.type)).toEqual(['release.created', 'release.rollback']);
    expect(releaseCreationEvents({ trigger: 'promotion' }).map((event) => event.type)).toEqual(['release.created']);
  });

  it('a build registered settled announces its outcome too', () => {
    expect(buildCreationEvents({ status: 'succeeded' }).map((event) => event.type)).toEqual(['build.created', 'build.succeeded']);
    expect(buildCreationEvents({ status: 'pending' }).map((event) => event.type)).toEqual(['build.created']);
  });

  it("a first check whose context is named like an Object.prototype member is posted, not changed", () => {
    const posted = releaseChangeEvents(release, { checks: { constructor: check('constructor', 'success', '2026-11-24T00:00:01.000Z') } });
    expect(posted).toEqual([{ type: 'status.posted', context: 'constructor' }]);
  });

  it('leaving the queue starts the rollout; each final status is its own event; progress alone announces nothing', () => {
    expect(releaseChangeEvents(release, { status: 'pending' })).toEqual([{ type: 'release.rollout_started' }]);
    const pending = { ...release, status: 'pending' } as Release;
    expect(releaseChangeEvents(pending, { status: 'failed' })).toEqual([{ type: 'release.failed' }]);
    expect(releaseChangeEvents(pending, { status: 'unknown' })).toEqual([{ type: 'release.unknown' }]);
    expect(releaseChangeEvents(pending, { status: 'succeeded', state: 'pending' })).toEqual([{ type: 'release.succeeded' }]);
    expect(releaseChangeEvents(pending, {})).toEqual([]);
    expect(releaseChangeEvents(pending, { status: 'pending' })).toEqual([]);
  });

  it('a new context is posted, a changed one changed, and a new aggregate state is announced once', () => {
    const before = { ...release, checks: { 'ci/unit': check('ci/unit', 'pending', '2026-11-30T05:00:00.000Z') } } as Release;
    const checks = {
      'ci/unit': check('ci/unit', 'success', '2026-11-30T05:01:00.000Z'),
      'qa/e2e': check('qa/e2e', 'success', '2026-11-30T05:01:00.000Z'),
    };
    expect(releaseChangeEvents(before, { checks, state: 'success' })).toEqual([
      { type: 'status.changed', context: 'ci/unit' },
      { type: 'status.posted', context: 'qa/e2e' },
      { type: 'release.state_changed' },
    ]);
  });
});
