import { ROLLING } from '../../../shared/domain/deployment-strategy/rolling';
import { isLive, type SimulatedStrategy, type SimTask } from '../model';

/**
 * ECS's rolling update, one batch at a time: old tasks stop only as far as the healthy running count stays
 * at or above minimumHealthyPercent of the desired count; then new tasks start as far as the total stays at
 * or below maximumPercent.
 */
export const rolling: SimulatedStrategy = {
  engine: ROLLING.deployment.engine,
  replace: (service, primary) => {
    const desired = service.desiredCount;
    const minimumHealthy = Math.ceil((desired * service.configuration.minimumHealthyPercent) / 100);
    const maximumTotal = Math.floor((desired * service.configuration.maximumPercent) / 100);
    const running = service.tasks.filter((task) => task.lastStatus === 'RUNNING');
    const isNew = (task: SimTask) => task.deploymentId === primary.id;
    const runningNew = running.filter(isNew);
    // The old tasks first, then new ones beyond the desired count.
    const stop = [...running.filter((task) => !isNew(task)), ...runningNew.slice(0, Math.max(0, runningNew.length - desired))].slice(
      0,
      Math.max(0, running.length - minimumHealthy),
    );
    const stopping = new Set(stop);
    const live = service.tasks.filter((task) => isLive(task) && !stopping.has(task));
    const liveNew = live.filter(isNew).length;
    return { stop, start: Math.max(0, Math.min(desired - liveNew, maximumTotal - live.length)) };
  },
};
