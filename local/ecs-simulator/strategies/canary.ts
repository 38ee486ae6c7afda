import type { SimulatedStrategy } from '../model';

/** ECS's canary: canaryPercent of production traffic for canaryBakeTimeInMinutes (ECS's defaults: 5 %, 10 min), then all of it. */
export const canary: SimulatedStrategy = {
  engine: 'CANARY',
  shifts: ({ canaryConfiguration }) => [
    { percent: canaryConfiguration?.canaryPercent ?? 5, holdMinutes: canaryConfiguration?.canaryBakeTimeInMinutes ?? 10 },
    { percent: 100, holdMinutes: 0 },
  ],
};
