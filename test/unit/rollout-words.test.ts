import { describe, expect, it } from 'vitest';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { rolloutStage } from '../../shared/api/rollout-words';

type Rollout = NonNullable<ReleaseResponse['rollout']>;

const NOW = Date.parse('2026-12-07T12:40:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
/** Times as their minute offset from NOW, so each expectation says which deadline it shows. */
const offset = (timestamp: string) => `+${(Date.parse(timestamp) - NOW) / 60_000}m`;

const rollout = (fields: Partial<Rollout>): Rollout => ({
  desired: 3,
  running_new: 3,
  failed_tasks: 0,
  strategy: 'canary',
  phase: 'canary',
  traffic_percent: 10,
  phase_ends_at: null,
  gate: null,
  approved_by: null,
  promoted_by: null,
  aborted_by: null,
  ...fields,
});
const stage = (fields: Partial<Rollout>) => rolloutStage(rollout(fields), offset, NOW);

describe('how a rollout that shifts traffic reads', () => {
  it('says its phase, its share, when the bake ends and what the gate waits for until when', () => {
    const gate = { waiting_for: ['ci/smoke', 'approval'], since: at(-1), until: at(62) };
    expect(stage({ phase_ends_at: at(2), gate })).toBe('canary 10% until +2m · waiting for ci/smoke, approval until +62m');
  });

  it('at the gate, says the end it shares with the gate once', () => {
    const gate = { waiting_for: ['approval'], since: at(-3), until: at(60) };
    expect(stage({ phase: 'awaiting_approval', phase_ends_at: at(60), gate })).toBe('at the gate 10% · waiting for approval until +60m');
  });

  it('leaves out a deadline already passed: ECS has moved on, Slipway has not read it yet', () => {
    const gate = { waiting_for: ['ci/smoke'], since: at(-6), until: at(55) };
    expect(stage({ phase_ends_at: at(-1), gate })).toBe('canary 10% · waiting for ci/smoke until +55m');
    expect(stage({ strategy: 'linear', phase: 'shifting', traffic_percent: 50, phase_ends_at: at(-1) })).toBe('shifting 50%');
  });

  it('says nothing of a rolling release or of one ECS has not reported on yet', () => {
    expect(stage({ strategy: 'rolling', phase: 'scaling_up' })).toBeNull();
    expect(stage({ phase: null })).toBeNull();
    expect(rolloutStage(null, offset, NOW)).toBeNull();
  });
});
