import { holdsFor, type GateSettings } from './holds';
import type { DeploymentConfiguration, Phase } from './strategy';

/**
 * What blue/green, linear and canary share: ECS starts the new revision in full beside the old one, may
 * send it test traffic, shifts production traffic over (each strategy its own way: the middle phases),
 * bakes with both revisions running and then stops the old one. Only these phases differ between them.
 */

const CIRCUIT_BREAKER = { enable: true, rollback: true } as const;

/** The engine's settings with every bake held by a PAUSE hook (holds.ts), so ECS's own bake times are zero. */
export const shiftingConfiguration = (
  engine: DeploymentConfiguration['engine'],
  settings: { bake_minutes: number; alarms?: string[] | undefined; gate?: GateSettings | undefined },
  stepBakeMinutes: number,
  steps: Pick<DeploymentConfiguration, 'canary' | 'linear'>,
): DeploymentConfiguration => {
  const holds = holdsFor(stepBakeMinutes, settings.bake_minutes, settings.gate);
  return {
    engine,
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: CIRCUIT_BREAKER,
    bakeMinutes: 0,
    ...steps,
    ...(settings.alarms?.length ? { alarms: settings.alarms } : {}),
    ...(holds.length > 0 ? { holds } : {}),
  };
};

/** The phases around the shift: the new revision scales up (no traffic), takes test traffic, then the bake. */
export const shiftingPhases = (shift: readonly Phase[]): [Phase, ...Phase[]] => [
  { name: 'scaling_up', traffic: { percent: 0 }, ecsStages: ['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP'] },
  { name: 'test_traffic', traffic: { percent: 0 }, ecsStages: ['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT'] },
  ...shift,
  { name: 'baking', traffic: { percent: 100 }, ecsStages: ['BAKE_TIME', 'CLEAN_UP'] },
];

/** The last step of every shift: all production traffic on the new revision. */
export const FULLY_SHIFTED: Phase = {
  name: 'shifting',
  traffic: { percent: 100 },
  ecsStages: ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'],
};
