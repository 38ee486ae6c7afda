import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/domain/canonical-json';
import { releaseWithDeployment } from '../../shared/domain/deployments';
import { recordedOutcomeOf, recordedStatusChange } from '../../shared/domain/external-apps';
import type { Deployment } from '../../shared/domain/model';
import { releaseFixture } from '../../shared/fixtures/model';

const NOW = '2026-11-24T10:00:00.000Z';
const AHEAD = '2026-11-24T10:00:02.000Z';

describe('recorded releases', () => {
  it("take a start a little ahead of Slipway's clock: the finish Slipway sets is never before it", () => {
    expect(recordedOutcomeOf({ status: 'succeeded', started_at: AHEAD }, NOW)).toMatchObject({ started_at: AHEAD, finished_at: AHEAD });
    const pending = releaseFixture({ recorded: true, status: 'pending', started_at: AHEAD });
    expect(recordedStatusChange(pending, { status: 'succeeded' }, NOW)).toEqual({ status: 'succeeded', finished_at: AHEAD });
  });

  it('still refuse a finish the client gives before its start', () => {
    expect(() => recordedOutcomeOf({ status: 'failed', started_at: AHEAD, finished_at: NOW }, NOW)).toThrow(/before started_at/);
  });
});

describe("a version's deployments", () => {
  const deployment = (id: string, host: string, status: Deployment['status'], stage = 'production'): Deployment => ({
    id,
    host,
    stage,
    status,
    started_at: null,
    finished_at: status === 'pending' ? null : NOW,
    code_name: null,
    meta_data: {},
    created_at: NOW,
  });

  it('list each host and stage once, by its latest report, and sum their statuses up', () => {
    const first = releaseWithDeployment(releaseFixture({}), deployment('d1', 'gw-1', 'failed'));
    expect(first?.status).toBe('failed');
    const second = releaseWithDeployment(releaseFixture({ deployments: first?.deployments }), deployment('d2', 'gw-2', 'pending'));
    expect(second).toMatchObject({ status: 'failed', finished_at: NOW });
    const retried = releaseWithDeployment(releaseFixture({ deployments: second?.deployments }), deployment('d3', 'gw-1', 'succeeded'));
    expect(retried?.deployments.map((entry) => entry.id)).toEqual(['d2', 'd3']);
    expect(retried?.status).toBe('pending');
    expect(releaseWithDeployment(releaseFixture({ deployments: retried?.deployments }), deployment('d3', 'gw-1', 'succeeded'))).toBeNull();
  });
});

describe('canonical JSON', () => {
  it('reads the same whatever order the keys were written in, at any depth, arrays in their order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson(JSON.parse('{"__proto__": 1, "a": 2}'))).toBe('{"__proto__":1,"a":2}');
  });
});
