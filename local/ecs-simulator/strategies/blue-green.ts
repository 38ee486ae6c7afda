import type { SimulatedStrategy } from '../model';

/** ECS's blue/green: all production traffic moves to the new (green) revision at once. */
export const blueGreen: SimulatedStrategy = {
  engine: 'BLUE_GREEN',
  shifts: () => [{ percent: 100, holdMinutes: 0 }],
};
