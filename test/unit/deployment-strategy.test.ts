import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STRATEGY,
  phaseOf,
  STRATEGY_NAMES,
  strategyNamed,
  type DeploymentStrategy,
} from '../../shared/domain/deployment-strategy';

const rolling = strategyNamed('rolling');

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
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 0, runningTotal: 3 })).toEqual({ phase: 'scaling_up', traffic_percent: 0 });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 3, runningTotal: 6 })).toEqual({ phase: 'scaling_up', traffic_percent: 50 });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 2, runningTotal: 3 })).toEqual({ phase: 'scaling_up', traffic_percent: 67 });
    expect(phaseOf(rolling, { rolloutState: 'IN_PROGRESS', runningNew: 0, runningTotal: 0 })).toEqual({ phase: 'scaling_up', traffic_percent: 0 });
  });

  it('is completed with all traffic once ECS completed the deployment', () => {
    expect(phaseOf(rolling, { rolloutState: 'COMPLETED', runningNew: 3, runningTotal: 3 })).toEqual({ phase: 'completed', traffic_percent: 100 });
  });

  it('is rolling back, with no traffic, once the circuit breaker failed the deployment', () => {
    expect(phaseOf(rolling, { rolloutState: 'FAILED', runningNew: 0, runningTotal: 3 })).toEqual({ phase: 'rolling_back', traffic_percent: 0 });
  });
});

describe('a strategy that shifts traffic in stages', () => {
  // Shaped like a canary: what a later strategy module describes, here only to read ECS's stages through it.
  const staged: DeploymentStrategy = {
    name: 'staged',
    summary: 'Canary-shaped: 10 % for 5 minutes, then all of it, baked 15 minutes',
    deployment: {
      engine: 'CANARY',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      bakeMinutes: 15,
      canary: { percent: 10, bakeMinutes: 5 },
    },
    phases: [
      { name: 'scaling_up', traffic: { percent: 0 }, bakeMinutes: null, ecsStages: ['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP'] },
      { name: 'canary', traffic: { percent: 10 }, bakeMinutes: 5, ecsStages: ['PRODUCTION_TRAFFIC_SHIFT'] },
      { name: 'baking', traffic: { percent: 100 }, bakeMinutes: 15, ecsStages: ['POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP'] },
    ],
  };
  const at = (lifecycleStage: Parameters<typeof phaseOf>[1]['lifecycleStage']) =>
    phaseOf(staged, { rolloutState: 'IN_PROGRESS', lifecycleStage, runningNew: 3, runningTotal: 6 });

  it('reads each phase and its share of traffic off the stage ECS reports', () => {
    expect(at('SCALE_UP')).toEqual({ phase: 'scaling_up', traffic_percent: 0 });
    expect(at('PRODUCTION_TRAFFIC_SHIFT')).toEqual({ phase: 'canary', traffic_percent: 10 });
    expect(at('BAKE_TIME')).toEqual({ phase: 'baking', traffic_percent: 100 });
  });

  it('stands in its first phase while ECS reports no stage', () => {
    expect(at(null)).toEqual({ phase: 'scaling_up', traffic_percent: 0 });
  });
});
