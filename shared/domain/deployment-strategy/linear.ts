import type { LinearSettings } from './settings';
import { FULLY_SHIFTED, shiftingConfiguration, shiftingPhases } from './shifting';
import type { DeploymentStrategy, Phase } from './strategy';

/**
 * Linear: ECS shifts production traffic in equal steps of `step_percent`, each held `step_bake_minutes`
 * (and the gate, if any) before the next, then bakes `bake_minutes` before stopping the old revision.
 */
export const linearStrategy = (settings: LinearSettings): DeploymentStrategy => {
  const steps = Math.ceil(100 / settings.step_percent - 1e-9);
  const partial: Phase[] = Array.from({ length: steps - 1 }, (_, index) => ({
    name: 'shifting',
    traffic: { percent: Math.round((index + 1) * settings.step_percent * 10) / 10 },
    ecsStages: ['PRODUCTION_TRAFFIC_SHIFT'],
  }));
  return {
    name: 'linear',
    summary: `Linear: ${settings.step_percent} % of production traffic every ${settings.step_bake_minutes} min, baked ${settings.bake_minutes} min`,
    deployment: shiftingConfiguration('LINEAR', settings, settings.step_bake_minutes, {
      linear: { stepPercent: settings.step_percent, stepBakeMinutes: 0 },
    }),
    holdsFirstShift: false,
    // Every shift after the first waits for its step's bake and the gate.
    heldShifts: steps - 1,
    phases: shiftingPhases([...partial, FULLY_SHIFTED]),
  };
};
