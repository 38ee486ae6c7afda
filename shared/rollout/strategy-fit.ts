import { shiftsTraffic, type DeploymentSettings } from '../domain/deployment-strategy';
import { unprocessable } from '../domain/errors';
import { missingForTrafficShifting, type ServiceRef } from '../ecs/ecs-adapter';

/**
 * Refuses (422) a strategy the app's ECS service cannot deploy with, before any release finds out: blue/green,
 * linear and canary shift traffic between two target groups behind a listener rule, which the service must have.
 * Rolling fits any service and costs no ECS call.
 */
export const ensureStrategyFits = async (service: ServiceRef, settings: DeploymentSettings | undefined): Promise<void> => {
  if (!settings || !shiftsTraffic(settings)) return;
  const missing = await missingForTrafficShifting(service);
  if (missing.length === 0) return;
  throw unprocessable(
    'strategy_needs_load_balancer',
    `The ${settings.strategy} strategy needs ECS service '${service.service}' (cluster '${service.cluster}') to have ${missing.join(', ')}. Add ${missing.length > 1 ? 'them' : 'it'} to the service, or keep the rolling strategy.`,
    { strategy: settings.strategy, cluster: service.cluster, service: service.service, missing },
  );
};
