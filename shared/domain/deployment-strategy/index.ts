import { blueGreenStrategy } from './blue-green';
import { canaryStrategy } from './canary';
import { linearStrategy } from './linear';
import { ROLLING, rollingStrategy } from './rolling';
import { DEFAULT_DEPLOYMENT, type DeploymentSettings, type StrategyName } from './settings';
import type { DeploymentStrategy } from './strategy';
import { longestHoldMinutes } from './holds';

export * from './holds';
export * from './settings';
export * from './strategy';

/** The strategies an app may roll out with, by name; a new strategy is a module beside rolling.ts, listed here. */
const STRATEGIES: { [name in StrategyName]: (settings: Extract<DeploymentSettings, { strategy: name }>) => DeploymentStrategy } = {
  rolling: rollingStrategy,
  canary: canaryStrategy,
  linear: linearStrategy,
  blue_green: blueGreenStrategy,
};

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as [StrategyName, ...StrategyName[]];

/** How a release rolls out unless its app says otherwise. */
export const DEFAULT_STRATEGY = ROLLING;

/** The strategy an app's settings describe. */
export const strategyFor = (settings: DeploymentSettings): DeploymentStrategy =>
  (STRATEGIES[settings.strategy] as (settings: DeploymentSettings) => DeploymentStrategy)(settings);

/** The settings an app rolls out with: its own, or the default for an app that never chose. */
export const deploymentOf = (app: { deployment?: DeploymentSettings | null | undefined }): DeploymentSettings =>
  app.deployment ?? DEFAULT_DEPLOYMENT;

/** The longest an app's bakes and gates may hold one of its rollouts, in ECS minutes. */
export const holdMinutesOf = (settings: DeploymentSettings): number => {
  const strategy = strategyFor(settings);
  return longestHoldMinutes(strategy.deployment.holds ?? [], strategy.heldShifts);
};

/** Whether ECS shifts traffic between target groups for it: the service needs a load balancer set up for that. */
export const shiftsTraffic = (settings: DeploymentSettings): boolean => strategyFor(settings).deployment.engine !== 'ROLLING';
