import type { CanarySettings } from './settings';
import { FULLY_SHIFTED, shiftingConfiguration, shiftingPhases } from './shifting';
import type { DeploymentStrategy } from './strategy';

/**
 * Canary: ECS shifts `canary_percent` of production traffic to the new revision, holds it there for
 * `canary_bake_minutes` (and the gate, if any), then shifts the rest at once and bakes `bake_minutes` before
 * stopping the old one.
 */
export const canaryStrategy = (settings: CanarySettings): DeploymentStrategy => ({
  name: 'canary',
  summary: `Canary: ${settings.canary_percent} % of production traffic for ${settings.canary_bake_minutes} min, then all of it, baked ${settings.bake_minutes} min`,
  deployment: shiftingConfiguration('CANARY', settings, settings.canary_bake_minutes, {
    canary: { percent: settings.canary_percent, bakeMinutes: 0 },
  }),
  holdsFirstShift: false,
  heldShifts: 1,
  phases: shiftingPhases([{ name: 'canary', traffic: { percent: settings.canary_percent }, ecsStages: ['PRODUCTION_TRAFFIC_SHIFT'] }, FULLY_SHIFTED]),
});
