import type { RollingSettings } from './settings';
import type { DeploymentStrategy } from './strategy';

/**
 * Rolling, the default: new tasks start beside the old ones (never below the desired count, at most double
 * it) and old ones stop as new ones turn healthy; ECS's circuit breaker rolls a failing deployment back to
 * the last completed one. No traffic is split by weight: the load balancer spreads it over every running task.
 * ECS reports no lifecycle stage for it, so a rollout is `scaling_up` until the deployment ends.
 */
export const ROLLING = {
  name: 'rolling',
  summary: 'Rolling update: never below the desired count, at most double, circuit breaker with rollback',
  deployment: {
    engine: 'ROLLING',
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
  },
  holdsFirstShift: false,
  heldShifts: 0,
  phases: [{ name: 'scaling_up', traffic: 'share_of_running_tasks', ecsStages: [] }],
} as const satisfies DeploymentStrategy;

/** Rolling as an app sets it: the alarms it names, if any, fail (and roll back) a deployment too. */
export const rollingStrategy = (settings: RollingSettings): DeploymentStrategy =>
  settings.alarms?.length ? { ...ROLLING, deployment: { ...ROLLING.deployment, alarms: settings.alarms } } : ROLLING;
