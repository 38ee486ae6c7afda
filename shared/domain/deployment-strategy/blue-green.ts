import type { BlueGreenSettings } from './settings';
import { FULLY_SHIFTED, shiftingConfiguration, shiftingPhases } from './shifting';
import type { DeploymentStrategy } from './strategy';

/**
 * Blue/green: the new (green) revision starts in full beside the old (blue) one and may take test traffic;
 * then ECS moves all production traffic at once (once the gate, if any, lets it) and bakes `bake_minutes`
 * before stopping blue.
 */
export const blueGreenStrategy = (settings: BlueGreenSettings): DeploymentStrategy => ({
  name: 'blue_green',
  summary: `Blue/green: all production traffic at once once the new revision runs, baked ${settings.bake_minutes} min`,
  deployment: shiftingConfiguration('BLUE_GREEN', settings, 0, {}),
  holdsFirstShift: true,
  heldShifts: 1,
  phases: shiftingPhases([FULLY_SHIFTED]),
});
