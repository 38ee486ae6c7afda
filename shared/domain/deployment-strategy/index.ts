import { ROLLING } from './rolling';
import type { DeploymentStrategy } from './strategy';

export * from './strategy';

/** The strategies an app may roll out with, by name; a new strategy is a module beside rolling.ts, listed here. */
const STRATEGIES = { rolling: ROLLING } as const satisfies Record<string, DeploymentStrategy>;

export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as [StrategyName, ...StrategyName[]];

/** How a release rolls out unless its app says otherwise. */
export const DEFAULT_STRATEGY = STRATEGIES.rolling;

export const strategyNamed = (name: StrategyName): DeploymentStrategy => STRATEGIES[name];
