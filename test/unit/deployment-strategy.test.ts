import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STRATEGY,
  phaseOf,
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

const MINUTE = 60_000;
const at = (minutes: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + minutes * MINUTE);
const clock = (minutesInStage: number) => ({ now: at(minutesInStage), stageSince: at(0).toISOString(), minuteMs: MINUTE });
const inStage = (strategy: DeploymentStrategy, stage: Parameters<typeof phaseOf>[1]['lifecycleStage'], minutes = 0) =>
  phaseOf(strategy, { rolloutState: 'IN_PROGRESS', lifecycleStage: stage, runningNew: 3, runningTotal: 6 }, clock(minutes));

describe('the canary strategy', () => {
  const canary = strategyFor({ strategy: 'canary', canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15, alarms: ['web-5xx'] });

  it('asks ECS for a canary with its share, its bake times and its alarms', () => {
    expect(canary.deployment).toMatchObject({
      engine: 'CANARY',
      canary: { percent: 10, bakeMinutes: 5 },
      bakeMinutes: 15,
      alarms: ['web-5xx'],
      circuitBreaker: { enable: true, rollback: true },
    });
  });

  it('holds its share for the canary bake, then shifts all of it and bakes', () => {
    expect(inStage(canary, 'SCALE_UP')).toEqual({ phase: 'scaling_up', traffic_percent: 0, phase_ends_at: null });
    expect(inStage(canary, 'TEST_TRAFFIC_SHIFT')).toEqual({ phase: 'test_traffic', traffic_percent: 0, phase_ends_at: null });
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', 2)).toEqual({ phase: 'canary', traffic_percent: 10, phase_ends_at: at(5).toISOString() });
    expect(inStage(canary, 'PRODUCTION_TRAFFIC_SHIFT', 5)).toEqual({ phase: 'shifting', traffic_percent: 100, phase_ends_at: null });
    expect(inStage(canary, 'BAKE_TIME', 1)).toEqual({ phase: 'baking', traffic_percent: 100, phase_ends_at: at(15).toISOString() });
  });

  it('is rolling back with no traffic once ECS failed it (an alarm, the circuit breaker)', () => {
    expect(phaseOf(canary, { rolloutState: 'FAILED', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', runningNew: 3, runningTotal: 6 }, clock(1))).toEqual({
      phase: 'rolling_back',
      traffic_percent: 0,
      phase_ends_at: null,
    });
  });
});

describe('the linear strategy', () => {
  const linear = strategyFor({ strategy: 'linear', step_percent: 30, step_bake_minutes: 2, bake_minutes: 0 });

  it('asks ECS for linear steps', () => {
    expect(linear.deployment).toMatchObject({ engine: 'LINEAR', linear: { stepPercent: 30, stepBakeMinutes: 2 }, bakeMinutes: 0 });
  });

  it('steps its share of traffic up every step bake, with no bake after the step that reaches 100 %', () => {
    expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', 0)).toEqual({ phase: 'shifting', traffic_percent: 30, phase_ends_at: at(2).toISOString() });
    expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', 3)).toEqual({ phase: 'shifting', traffic_percent: 60, phase_ends_at: at(4).toISOString() });
    expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', 5)).toEqual({ phase: 'shifting', traffic_percent: 90, phase_ends_at: at(6).toISOString() });
    expect(inStage(linear, 'PRODUCTION_TRAFFIC_SHIFT', 7)).toEqual({ phase: 'shifting', traffic_percent: 100, phase_ends_at: null });
  });
});

describe('the blue/green strategy', () => {
  const blueGreen = strategyFor({ strategy: 'blue_green', bake_minutes: 3 });

  it('takes test traffic first, then all production traffic at once, then bakes', () => {
    expect(blueGreen.deployment).toMatchObject({ engine: 'BLUE_GREEN', bakeMinutes: 3 });
    expect(inStage(blueGreen, 'POST_TEST_TRAFFIC_SHIFT')).toMatchObject({ phase: 'test_traffic', traffic_percent: 0 });
    expect(inStage(blueGreen, 'PRODUCTION_TRAFFIC_SHIFT')).toMatchObject({ phase: 'shifting', traffic_percent: 100 });
    expect(inStage(blueGreen, 'BAKE_TIME')).toEqual({ phase: 'baking', traffic_percent: 100, phase_ends_at: at(3).toISOString() });
  });
});

describe('deployment settings, validated as ECS validates them', () => {
  const parse = (input: unknown) => DeploymentSettingsSchema.safeParse(input);

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
    ['a gate (not yet supported)', { strategy: 'canary', gate: { checks: ['ci'] } }],
    ['an empty alarm name', { strategy: 'rolling', alarms: [''] }],
    ['an unknown strategy', { strategy: 'big_bang' }],
  ])('refuses %s', (_, input) => {
    expect(parse(input).success).toBe(false);
  });

  it('takes shares in steps of 0.1 up to 100 %', () => {
    expect(parse({ strategy: 'canary', canary_percent: 0.3 }).success).toBe(true);
    expect(parse({ strategy: 'linear', step_percent: 33.3 }).success).toBe(true);
    expect(parse({ strategy: 'canary', canary_percent: 100 }).success).toBe(true);
  });
});
