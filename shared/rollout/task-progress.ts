import { nextProgressRead, serviceOfTask } from '../domain/task-progress';
import { pause } from '../runtime/pause';
import { findDeploymentWatch, findServiceWatch, planProgressRead } from '../store/rollout-store';
import type { TaskStateChange } from './contract';
import { recordDeploymentProgress } from './steps';

/** Planning races lost in a row before an event gives way: each loss means another event planned a read. */
const MAX_PLANNING_ROUNDS = 3;

export type TaskEventOutcome = 'ignored' | 'covered' | 'recorded' | 'cut-short';

/**
 * EventBridge's "ECS Task State Change" for a task of a service a rollout watches: the event only says that the
 * deployment moved; how far is read from ECS (DescribeServices, as every other report), so a duplicate, late
 * or lost event cannot skew the counts. Reads are paced per service: an event that a read already planned will
 * see is covered; otherwise the event plans the next one (at most one a second, see nextProgressRead) by a
 * conditional write, waits for it, and records what ECS reports then. Tasks of no watched service, of a
 * rollout that ended, or outside a service (RunTask's one-off tasks) are ignored.
 */
export const onTaskStateChange = async (event: TaskStateChange): Promise<TaskEventOutcome> => {
  const service = serviceOfTask(event.detail);
  if (!service) return 'ignored';
  const changedAt = Date.parse(event.detail.updatedAt ?? event.time);
  for (let round = 0; round < MAX_PLANNING_ROUNDS; round++) {
    const seen = await findServiceWatch(service.cluster, service.service);
    if (!seen) return 'ignored';
    const readAt = nextProgressRead(changedAt, seen.progressReadAt, Date.now());
    if (readAt === null) return 'covered';
    const watch = await findDeploymentWatch(seen.deploymentId);
    if (!watch) return 'ignored';
    if (!(await planProgressRead(service.cluster, service.service, seen, readAt))) continue;
    if (!(await pause(readAt - Date.now()))) return 'cut-short';
    await recordDeploymentProgress(watch);
    return 'recorded';
  }
  return 'covered';
};
