import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STRATEGY,
  holdMinutesOf,
  phaseOf,
  reviewHolds,
  STRATEGY_NAMES,
  strategyFor,
  type DeploymentStrategy,
} from '../../shared/domain/deployment-strategy';
import { DeploymentSettingsSchema } from '../../shared/api/apps';

const rolling = strategyFor({ strategy: 'rolling' });

describe('the rolling strategy', () => {
  it('is the default', () => {
    expect(DEFAULT_STRATEGY.name).toBe('rolling');
    expect(STRATEGY_NAMES).toContain('rolling');
  });

  it('asks ECS to roll tasks over within 100-200 % of the desired count, rolling back what fails', () => {
    expect(rolling.deployment).toEqual({
      engine: 'ROLLING',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });
  });

  it('is scaling up while ECS deploys, with the new tasks’ share of the running ones as its traffic', () => {
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 0, runningTotal: 3 })).toEqual({ phase: 'scaling_up', traffic_percent: 0, phase_ends_at: null });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 3, runningTotal: 6 })).toEqual({ phase: 'scaling_up', traffic_percent: 50, phase_ends_at: null });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 2, runningTotal: 3 })).toEqual({ phase: 'scaling_up', traffic_percent: 67, phase_ends_at: null });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 0, runningTotal: 0 })).toEqual({ phase: 'scaling_up', traffic_percent: 0, phase_ends_at: null });
  });

  it('is completed with all traffic once ECS completed the deployment', () => {
    expect(phaseOf(rolling, { rolloutState: 'COMPLETED', runningNew: 3, runningTotal: 3 })).toEqual({ phase: 'completed', traffic_percent: 100, phase_ends_at: null });
  });

  it('is rolling back, with no traffic, once the circuit breaker failed the deployment', () => {
    expect(phaseOf(rolling, { rolloutState: 'FAILED', runningNew: 0, runningTotal: 3 })).toEqual({ phase: 'rolling_back', traffic_percent: 0, phase_ends_at: null });
  });
});

type Report = Parameters<typeof phaseOf>[1];
const UNTIL = '2030-01-01T00:05:00.000Z';
const inStage = (strategy: DeploymentStrategy, stage: Report['lifecycleStage'], extra: Partial<Report> = {}) =>
  phaseOf(strategy, { rolloutState: 'IN_PROGRESS', lifecycleStage: stage, runningNew: 3, runningTotal: 6, ...extra });
const held = (purpose: 'step_bake' | 'gate' | 'final_bake', hookId: string = purpose) => ({ hookId, purpose, expiresAt: UNTIL });

describe('the canary strategy', () => {
  const canary = strategyFor({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15, alarms: ['web-5xx'] });

  it('asks ECS for a canary with its share and its alarms, its bakes held by PAUSE hooks that ECS continues when they are up', () => {
    expect(canary.deployment).toMatchObject({
      engine: 'CANARY',
      canary: { percent: 10, bakeMinutes: 0 },
      bakeMinutes: 0,
      alarms: ['web-5xx'],
      circuitBreaker: { enable: true, rollback: true },
      holds: [
        { purpose: 'step_bake', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: 5, onTimeout: 'CONTINUE' },
        { purpose: 'final_bake', stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: 15, onTimeout: 'CONTINUE' },
      ],
    });
  });

  it('adds a gate hold that rolls back when it times out, after the bake', () => {
    const gated = strategyFor({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 0, gate: { checks: ['ci/smoke'], approval: true, timeout_minutes: 30 } });
    expect(gated.deployment.holds).toEqual([
      { purpose: 'step_bake', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: 5, onTimeout: 'CONTINUE' },
      { purpose: 'gate', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: 35, onTimeout: 'ROLLBACK' },
    ]);
  });

  it('holds its share for the canary bake, then awaits the gate, shifts all of it and bakes', () => {
    expect(inStage(canary, 'SCALE_UP')).toEqual({ phase: 'scaling_up', traffic_percent: 0, phase_ends_at: null });
    expect(inStage(canary, 'TEST_TRAFFIC_SHIFT')).toEqual({ phase: 'test_traffic', traffic_percent: 0, phase_ends_at: null });
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 10, holds: [held('step_bake'), held('gate')] })).toEqual({
      phase: 'canary',
      traffic_percent: 10,
      phase_ends_at: UNTIL,
    });
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 10, holds: [held('gate')] })).toEqual({
      phase: 'awaiting_approval',
      traffic_percent: 10,
      phase_ends_at: UNTIL,
    });
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 100 })).toEqual({ phase: 'shifting', traffic_percent: 100, phase_ends_at: null });
    expect(inStage(canary, 'POST_PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 100, holds: [held('final_bake')] })).toEqual({
      phase: 'baking',
      traffic_percent: 100,
      phase_ends_at: UNTIL,
    });
  });

  it('is rolling back with no traffic once ECS failed it (an alarm, the circuit breaker, a gate)', () => {
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', { rolloutState: 'FAILED', productionPercent: 10 })).toEqual({
      phase: 'rolling_back',
      traffic_percent: 0,
      phase_ends_at: null,
    });
  });
});

describe('the linear strategy', () => {
  const linear = strategyFor({ strategy: 'linear', step_percent: 30, step_bake_minutes: 2, bake_minutes: 0 });

  it('asks ECS for linear steps, each step baked by a hold', () => {
    expect(linear.deployment).toMatchObject({ engine: 'LINEAR', linear: { stepPercent: 30, stepBakeMinutes: 0 }, bakeMinutes: 0 });
    expect(linear.deployment.holds).toEqual([{ purpose: 'step_bake', stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', timeoutMinutes: 2, onTimeout: 'CONTINUE' }]);
  });

  it('shows the share ECS has shifted, each step until its bake is up', () => {
    for (const percent of [30, 60, 90]) {
      expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: percent, holds: [held('step_bake')] })).toEqual({
        phase: 'shifting',
        traffic_percent: percent,
        phase_ends_at: UNTIL,
      });
    }
    expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 100 })).toEqual({ phase: 'shifting', traffic_percent: 100, phase_ends_at: null });
  });
});

describe('the blue/green strategy', () => {
  const blueGreen = strategyFor({ strategy: 'blue_green', bake_minutes: 3 });

  it('takes test traffic first, then all production traffic at once, then bakes', () => {
    expect(blueGreen.deployment).toMatchObject({ engine: 'BLUE_GREEN', bakeMinutes: 0 });
    expect(inStage(blueGreen, 'POST_TEST_TRAFFIC_SHIFT')).toMatchObject({ phase: 'test_traffic', traffic_percent: 0 });
    expect(inStage(blueGreen, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 0, holds: [held('gate')] })).toMatchObject({ phase: 'awaiting_approval', traffic_percent: 0 });
    expect(inStage(blueGreen, 'PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 100 })).toMatchObject({ phase: 'shifting', traffic_percent: 100 });
    expect(inStage(blueGreen, 'POST_PRODUCTION_TRAFFIC_SHIFT', { productionPercent: 100, holds: [held('final_bake')] })).toEqual({
      phase: 'baking',
      traffic_percent: 100,
      phase_ends_at: UNTIL,
    });
  });
});

describe('the holds of a release (its bakes and its gate)', () => {
  const gate = { checks: ['ci/smoke'], approval: true, timeout_minutes: 60 };
  const review = (overrides: Partial<Parameters<typeof reviewHolds>[0]> = {}) =>
    reviewHolds({
      gate,
      trafficMoved: true,
      holdsFirstShift: false,
      awaiting: [held('step_bake', 'bake-hook'), held('gate', 'gate-hook')],
      checks: {},
      actions: {},
      inProgress: true,
      ...overrides,
    });
  const by = { actor: 'ops@example.com', at: '2030-01-01T00:00:00.000Z' };

  it('waits for the missing checks and the approval, leaving the bake to ECS', () => {
    expect(review()).toEqual({ continue: [], rollback: null, waitingFor: ['ci/smoke', 'approval'] });
    expect(review({ checks: { 'ci/smoke': 'success' } })).toEqual({ continue: [], rollback: null, waitingFor: ['approval'] });
  });

  it('lets the gate go once every check succeeded and an operator approved', () => {
    expect(review({ checks: { 'ci/smoke': 'success' }, actions: { approved_by: by } })).toEqual({ continue: ['gate-hook'], rollback: null, waitingFor: [] });
  });

  it('rolls back at once on a failed or errored check, held or not', () => {
    expect(review({ checks: { 'ci/smoke': 'failure' } }).rollback).toEqual({ hookId: 'bake-hook', reason: 'Status check ci/smoke is failure: the gate rolled the release back.' });
    expect(review({ checks: { 'ci/smoke': 'error' }, awaiting: [] }).rollback).toEqual({ hookId: null, reason: 'Status check ci/smoke is error: the gate rolled the release back.' });
  });

  it('lets everything go on a promotion, and rolls back on an abort, naming who', () => {
    expect(review({ actions: { promoted_by: by } })).toEqual({ continue: ['bake-hook', 'gate-hook'], rollback: null, waitingFor: [] });
    expect(review({ actions: { aborted_by: by, promoted_by: by } }).rollback).toEqual({ hookId: 'bake-hook', reason: 'Aborted by ops@example.com.' });
  });

  it('holds nothing before a canary or linear deployment first moves production traffic, but gates blue/green there', () => {
    expect(review({ trafficMoved: false })).toEqual({ continue: ['bake-hook', 'gate-hook'], rollback: null, waitingFor: [] });
    expect(review({ trafficMoved: false, holdsFirstShift: true, awaiting: [held('gate', 'gate-hook')] }).continue).toEqual([]);
  });

  it('does nothing once the deployment ended', () => {
    expect(review({ inProgress: false, actions: { aborted_by: by } })).toEqual({ continue: [], rollback: null, waitingFor: [] });
  });
});

describe("the longest a rollout's holds may wait", () => {
  const gate = { checks: ['ci'], approval: false, timeout_minutes: 60 };
  it('counts each held shift at its longest hold (bake and gate side by side), then the final bake', () => {
    expect(holdMinutesOf({ strategy: 'rolling' })).toBe(0);
    expect(holdMinutesOf({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15 })).toBe(20);
    expect(holdMinutesOf({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15, gate })).toBe(80);
    // 4 shifts of 25 %: the last three each wait for their step's bake and the gate.
    expect(holdMinutesOf({ strategy: 'linear', step_percent: 25, step_bake_minutes: 2, bake_minutes: 0, gate })).toBe(3 * 62);
    expect(holdMinutesOf({ strategy: 'blue_green', bake_minutes: 10, gate })).toBe(70);
  });
});

describe('deployment settings, validated as ECS validates them', () => {
  const parse = (input: unknown) => DeploymentSettingsSchema().safeParse(input);

  it('lists every strategy', () => {
    expect(STRATEGY_NAMES).toEqual(['rolling', 'canary', 'linear', 'blue_green']);
  });

  it("fills in ECS's defaults", () => {
    expect(parse({ strategy: 'canary' }).data).toEqual({ strategy: 'canary', canary_percent: 5, canary_bake_minutes: 10, bake_minutes: 0 });
    expect(parse({ strategy: 'linear' }).data).toEqual({ strategy: 'linear', step_percent: 10, step_bake_minutes: 6, bake_minutes: 0 });
    expect(parse({ strategy: 'rolling' }).data).toEqual({ strategy: 'rolling' });
  });

  it.each([
    ['a canary share below 0.1 %', { strategy: 'canary', canary_percent: 0 }],
    ['a canary share over 100 %', { strategy: 'canary', canary_percent: 100.1 }],
    ['a canary share not in steps of 0.1', { strategy: 'canary', canary_percent: 10.05 }],
    ['a linear step below 3 %', { strategy: 'linear', step_percent: 2.9 }],
    ['a bake over 24 hours', { strategy: 'blue_green', bake_minutes: 1441 }],
    ['a bake in fractions of a minute', { strategy: 'canary', canary_bake_minutes: 1.5 }],
    ['a setting another strategy has', { strategy: 'blue_green', canary_percent: 10 }],
    ['a bake on rolling, which keeps no two revisions', { strategy: 'rolling', bake_minutes: 5 }],
    ['a gate on rolling, which shifts no traffic to hold', { strategy: 'rolling', gate: { checks: ['ci'] } }],
    ['a gate that waits for nothing', { strategy: 'canary', gate: { checks: [] } }],
    ['holds that could keep a rollout waiting more than a day', { strategy: 'linear', step_percent: 10, step_bake_minutes: 60, gate: { checks: ['ci'], timeout_minutes: 120 } }],
    ['a gate whose wait and bake pass ECS\'s 1440-minute hook limit', { strategy: 'canary', canary_bake_minutes: 500, gate: { checks: ['ci'], timeout_minutes: 1000 } }],
    ['an empty alarm name', { strategy: 'rolling', alarms: [''] }],
    ['an unknown strategy', { strategy: 'big_bang' }],
  ])('refuses %s', (_, input) => {
    expect(parse(input).success).toBe(false);
  });

  it('takes a gate with its defaults filled in', () => {
    expect(parse({ strategy: 'blue_green', gate: { approval: true } }).data).toEqual({
      strategy: 'blue_green',
      bake_minutes: 0,
      gate: { checks: [], approval: true, timeout_minutes: 60 },
    });
  });

  it('takes shares in steps of 0.1 up to 100 %', () => {
    expect(parse({ strategy: 'canary', canary_percent: 0.3 }).success).toBe(true);
    expect(parse({ strategy: 'linear', step_percent: 33.3 }).success).toBe(true);
    expect(parse({ strategy: 'canary', canary_percent: 100 }).success).toBe(true);
  });
});
