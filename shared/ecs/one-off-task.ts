import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskRequest,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { awslogsStreamOf, startedByOf, type LogStream, type OneOffTaskState } from '../domain/release-phase';
import { getEcsClient } from './ecs-client';
import type { ServiceRef } from './ecs-adapter';
import { targetContainerName } from './task-definition-revision';

/**
 * One-off tasks of a release's own task definition revision (its release phase): started with RunTask where and as
 * the service runs its tasks, looked up again with DescribeTasks, stopped with StopTask.
 */

export type ReleasePhaseTask = ServiceRef & {
  releaseId: string;
  taskDefinitionArn: string;
  /** The app's container; null lets the task definition's shape decide, as for the deployment. */
  container: string | null;
  command: string[];
};

/** Where and how the service runs its tasks: a one-off task of its app runs the same way (subnets, security groups, capacity). */
const placementOf = (service: Service): Partial<RunTaskRequest> => ({
  ...(service.capacityProviderStrategy?.length
    ? { capacityProviderStrategy: service.capacityProviderStrategy }
    : service.launchType
      ? { launchType: service.launchType }
      : {}),
  ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
  ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
});

/**
 * Starts the release phase's task, or finds the one already started: RunTask's clientToken is the release id, so a
 * step retried after a crash gets the task its first try started instead of a second one. Returns where its
 * container logs, when Slipway can read it there.
 */
export const runReleasePhaseTask = async (
  input: ReleasePhaseTask,
  client: ECSClient = getEcsClient(),
): Promise<{ taskArn: string; log: LogStream | null }> => {
  const [{ services }, { taskDefinition }] = await Promise.all([
    client.send(new DescribeServicesCommand({ cluster: input.cluster, services: [input.service] })),
    client.send(new DescribeTaskDefinitionCommand({ taskDefinition: input.taskDefinitionArn })),
  ]);
  const service = services?.[0];
  if (!service) throw new Error(`ECS service ${input.service} of cluster ${input.cluster} was not found`);
  const containers = taskDefinition?.containerDefinitions ?? [];
  const container = targetContainerName(containers, input.container);
  const { tasks, failures } = await client.send(
    new RunTaskCommand({
      cluster: input.cluster,
      taskDefinition: input.taskDefinitionArn,
      count: 1,
      startedBy: startedByOf(input.releaseId),
      clientToken: input.releaseId,
      overrides: { containerOverrides: [{ name: container, command: input.command }] },
      ...placementOf(service),
    }),
  );
  const taskArn = tasks?.[0]?.taskArn;
  if (!taskArn) {
    const reasons = (failures ?? []).map((failure) => [failure.reason, failure.detail].filter(Boolean).join(': ')).join('; ');
    throw new Error(`RunTask started no release phase task${reasons ? `: ${reasons}` : ''}`);
  }
  const logConfiguration = containers.find((candidate) => candidate.name === container)?.logConfiguration;
  return { taskArn, log: awslogsStreamOf(logConfiguration, container, taskArn) };
};

/** The task's state as the release phase reads it: its essential container's exit code decides. */
export const taskStateOf = (task: Pick<Task, 'lastStatus' | 'stoppedReason' | 'containers' | 'overrides'>): OneOffTaskState => {
  const overridden = task.overrides?.containerOverrides?.find((override) => override.command)?.name;
  const container = task.containers?.find((candidate) => candidate.name === overridden) ?? task.containers?.[0];
  return {
    lastStatus: task.lastStatus ?? 'PENDING',
    exitCode: container?.exitCode ?? null,
    stoppedReason: task.stoppedReason ?? container?.reason ?? null,
  };
};

/** The one-off task as ECS knows it now; null once ECS no longer does (it forgets stopped tasks after about an hour). */
export const describeOneOffTask = async (
  ref: { cluster: string; taskArn: string },
  client: ECSClient = getEcsClient(),
): Promise<OneOffTaskState | null> => {
  const { tasks } = await client.send(new DescribeTasksCommand({ cluster: ref.cluster, tasks: [ref.taskArn] }));
  const task = tasks?.[0];
  return task ? taskStateOf(task) : null;
};

/** Stops a one-off task (the release phase timed out, or a rollback overtook its release). */
export const stopOneOffTask = async (ref: { cluster: string; taskArn: string; reason: string }, client: ECSClient = getEcsClient()): Promise<void> => {
  await client.send(new StopTaskCommand({ cluster: ref.cluster, task: ref.taskArn, reason: ref.reason.slice(0, 255) }));
};
