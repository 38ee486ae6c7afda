import type { SimulatedStrategy } from '../model';

/** ECS's linear: stepPercent more production traffic every stepBakeTimeInMinutes (defaults 10 %, 6 min), no hold at 100 %. */
export const linear: SimulatedStrategy = {
  engine: 'LINEAR',
  shifts: ({ linearConfiguration }) => {
    const step = linearConfiguration?.stepPercent ?? 10;
    const hold = linearConfiguration?.stepBakeTimeInMinutes ?? 6;
    const count = Math.ceil(100 / step - 1e-9);
    return Array.from({ length: count }, (_, index) =>
      index === count - 1 ? { percent: 100, holdMinutes: 0 } : { percent: Math.round((index + 1) * step * 10) / 10, holdMinutes: hold },
    );
  },
};
