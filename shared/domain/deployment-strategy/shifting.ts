import type { DeploymentConfiguration, Phase } from './strategy';

/**
 * What blue/green, linear and canary share: ECS starts the new revision in full beside the old one, may
 * send it test traffic, shifts production traffic over (each strategy its own way: the middle phases),
 * bakes with both revisions running and then stops the old one. Only these phases differ between them.
 */

const CIRCUIT_BREAKER = { enable: true, rollback: true } as const;

export const shiftingConfiguration = (
  engine: DeploymentConfiguration['engine'],
  settings: { bake_minutes: number; alarms?: string[] | undefined },
  steps: Pick<DeploymentConfiguration, 'canary' | 'linear'>,
): DeploymentConfiguration => ({
  engine,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: CIRCUIT_BREAKER,
  bakeMinutes: settings.bake_minutes,
  ...steps,
  ...(settings.alarms?.length ? { alarms: settings.alarms } : {}),
});

/** The phases around the shift: the new revision scales up (no traffic), takes test traffic, then the bake. */
export const shiftingPhases = (shift: readonly Phase[], bakeMinutes: number): [Phase, ...Phase[]] => [
  { name: 'scaling_up', traffic: { percent: 0 }, bakeMinutes: null, ecsStages: ['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP'] },
  { name: 'test_traffic', traffic: { percent: 0 }, bakeMinutes: null, ecsStages: ['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT'] },
  ...shift,
  { name: 'baking', traffic: { percent: 100 }, bakeMinutes, ecsStages: ['BAKE_TIME'] },
  { name: 'baking', traffic: { percent: 100 }, bakeMinutes: null, ecsStages: ['CLEAN_UP'] },
];

/** The last step of every shift: all production traffic on the new revision. */
export const FULLY_SHIFTED: Phase = {
  name: 'shifting',
  traffic: { percent: 100 },
  bakeMinutes: null,
  ecsStages: ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'],
};
