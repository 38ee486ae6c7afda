import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_STATES, type CheckState, type Release } from '../../shared/domain/model';
import { aggregateState } from '../../shared/domain/state-aggregation';
import { MAX_CHECKS_PER_RELEASE, addStatusCheck, listStatusChecks, requireStatusCheck, updateStatusCheck } from '../../shared/domain/status-checks';
import { releaseFixture } from '../../shared/fixtures/model';

const at = (second: number) => `2026-11-24T00:00:${String(second).padStart(2, '0')}.000Z`;

describe('status checks on a release', () => {
  it('adds a check and recomputes state from all checks', () => {
    const first = addStatusCheck(releaseFixture(), { context: 'ci/unit', name: 'Unit', state: 'success' }, 'id-1', at(1));
    expect(first.state).toBe('success');
    expect(first.checks['ci/unit']).toEqual({
      id: 'id-1',
      context: 'ci/unit',
      name: 'Unit',
      state: 'success',
      description: null,
      target_url: null,
      image_url: null,
      created_at: at(1),
      updated_at: at(1),
    });
    const second = addStatusCheck(releaseFixture(first), { context: 'ci/lint', name: 'Lint', state: 'failure' }, 'id-2', at(2));
    expect(second.state).toBe('failure');
  });

  it("takes contexts named like Object.prototype's members as new checks, and finds only checks that exist", () => {
    let release: Pick<Release, 'checks' | 'version'> = releaseFixture();
    for (const context of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype']) {
      expect(() => requireStatusCheck(release, context)).toThrow(expect.objectContaining({ code: 'status_not_found' }));
      release = { ...release, ...addStatusCheck(release, { context, name: context, state: 'success' }, context, at(1)) };
      expect(requireStatusCheck(release, context)).toMatchObject({ context, name: context, state: 'success' });
    }
    expect(Object.keys(release.checks)).toEqual(['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype']);
    expect(() => addStatusCheck(release, { context: 'constructor', name: 'again', state: 'failure' }, 'x', at(2))).toThrow(
      expect.objectContaining({ code: 'status_context_exists' }),
    );
  });

  it('refuses a second check of the same context and more than the limit', () => {
    const release = releaseFixture(addStatusCheck(releaseFixture(), { context: 'ci/unit', name: 'U', state: 'pending' }, 'a', at(1)));
    expect(() => addStatusCheck(release, { context: 'ci/unit', name: 'U', state: 'success' }, 'b', at(2))).toThrow(
      expect.objectContaining({ code: 'status_context_exists', kind: 'conflict' }),
    );
    let full: Pick<Release, 'checks' | 'version'> = releaseFixture();
    for (let index = 0; index < MAX_CHECKS_PER_RELEASE; index++) {
      full = { ...full, ...addStatusCheck(full, { context: `ctx-${index}`, name: 'n', state: 'success' }, `${index}`, at(1)) };
    }
    expect(() => addStatusCheck(full, { context: 'one-more', name: 'n', state: 'success' }, 'x', at(2))).toThrow(
      expect.objectContaining({ code: 'too_many_statuses' }),
    );
  });

  it('updates only the given fields of a known context', () => {
    const release = releaseFixture(
      addStatusCheck(releaseFixture(), { context: 'qa/e2e', name: 'E2E', state: 'pending', description: 'running' }, 'a', at(1)),
    );
    const updated = updateStatusCheck(release, 'qa/e2e', { state: 'success', description: undefined }, at(5));
    expect(updated.checks['qa/e2e']).toMatchObject({ name: 'E2E', state: 'success', description: 'running', created_at: at(1), updated_at: at(5) });
    expect(updated.state).toBe('success');
    expect(() => updateStatusCheck(release, 'qa/other', { state: 'success' }, at(5))).toThrow(
      expect.objectContaining({ code: 'status_not_found', kind: 'not_found' }),
    );
  });

  it('lists checks in the order they were first reported', () => {
    let release: Pick<Release, 'checks' | 'version'> = releaseFixture();
    for (const [second, context] of [[3, 'b-ctx'], [1, 'c-ctx'], [2, 'a-ctx']] as const) {
      release = { ...release, ...addStatusCheck(release, { context, name: context, state: 'pending' }, context, at(second)) };
    }
    expect(listStatusChecks(release).map((check) => check.context)).toEqual(['c-ctx', 'a-ctx', 'b-ctx']);
  });

  it('keeps state equal to the aggregate of the checks after any sequence of adds and updates', () => {
    const state = fc.constantFrom<CheckState>(...CHECK_STATES);
    const operation = fc.record({ context: fc.constantFrom('ci/a', 'ci/b', 'ci/c', 'ci/d'), state });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 30 }), (operations) => {
        let release: Pick<Release, 'checks' | 'version' | 'state'> = releaseFixture();
        for (const [index, { context, state: next }] of operations.entries()) {
          const change = release.checks[context]
            ? updateStatusCheck(release, context, { state: next }, at(index % 60))
            : addStatusCheck(release, { context, name: context, state: next }, `${index}`, at(index % 60));
          release = { ...release, ...change };
        }
        expect(release.state).toBe(aggregateState(Object.values(release.checks).map((check) => check.state)));
      }),
    );
  });
});
