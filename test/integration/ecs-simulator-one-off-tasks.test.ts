import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEcsSimulator, type EcsSimulator, type OneOffTaskStateChangeEvent } from '../../local/ecs-simulator/server';
import { createEcsClient } from '../../shared/ecs/ecs-client';
import { runReleasePhaseTask } from '../../shared/ecs/one-off-task';
import { readLogLines } from '../../shared/ecs/task-logs';
import { configure } from '../../shared/config/config';
import { until } from '../support/until';

/**
 * The ECS simulator's one-off tasks through the real SDK clients and Slipway's adapters: RunTask (idempotent by client
 * token), DescribeTasks, StopTask, their "ECS Task State Change" events, and the CloudWatch Logs their awslogs driver
 * writes; and a restart that keeps them, as ECS keeps running tasks whatever happens to Slipway.
 */
const opened: EcsSimulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((simulator) => simulator.close()));
  configure({ logsEndpoint: undefined });
});
let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const simulate = async (oneOffTaskFile?: string) => {
  const events: OneOffTaskStateChangeEvent[] = [];
  const simulator = await startEcsSimulator({ batchIntervalMs: 10, onTaskEvent: (event) => void (event.detail.group.startsWith('service:') || events.push(event as OneOffTaskStateChangeEvent)), ...(oneOffTaskFile ? { oneOffTaskFile } : {}) });
  opened.push(simulator);
  configure({ logsEndpoint: simulator.endpoint });
  return { simulator, events, ecs: createEcsClient({ endpoint: simulator.endpoint }) };
};

const revisionOf = async (ecs: ReturnType<typeof createEcsClient>, service: string) =>
  (await ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }))).services?.[0]?.taskDefinition ?? '';

const task = (service: string, taskDefinitionArn: string, releaseId: string) => ({
  cluster: 'local',
  service,
  releaseId,
  taskDefinitionArn,
  container: null,
  command: ['npm', 'run', 'migrate'],
});

describe('one-off tasks in the ECS simulator', () => {
  it('starts one task per client token, runs it to exit 0 with its events, and serves its lines as CloudWatch Logs', async () => {
    const { ecs, events } = await simulate();
    const revision = await revisionOf(ecs, 'one-off');
    const first = await runReleasePhaseTask(task('one-off', revision, 'release-1'), ecs);
    const again = await runReleasePhaseTask(task('one-off', revision, 'release-1'), ecs);
    expect(again.taskArn).toBe(first.taskArn);
    expect(first.log).toEqual({ group: '/ecs/one-off', stream: `ecs/one-off/${first.taskArn.split('/').pop()}`, region: 'local' });

    const stopped = await until('the task to stop', async () => events.find((event) => event.detail.lastStatus === 'STOPPED'));
    // In order and each once; a timer the loaded machine runs late may find the task a status further on.
    const statuses = events.map((event) => event.detail.lastStatus);
    const order = ['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED'];
    expect(statuses.at(-1)).toBe('STOPPED');
    expect(statuses.map((status) => order.indexOf(status))).toEqual([...new Set(statuses.map((status) => order.indexOf(status)))].sort());
    expect(stopped.detail).toMatchObject({ taskArn: first.taskArn, startedBy: 'slipway/release-phase/release-1', containers: [{ exitCode: 0 }] });
    const lines = await readLogLines(first.log!);
    expect(lines.lines.map((line) => line.text)).toEqual(['Running npm run migrate in simulator.local/one-off:initial', 'Step 1 of 2 done', 'Step 2 of 2 done', 'Done']);

    const logs = new CloudWatchLogsClient({ endpoint: opened[0]!.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const missing = logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/one-off', logStreamName: 'ecs/one-off/nothing' }));
    await expect(missing).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    logs.destroy();
  });

  it('stops a task on StopTask with the reason given, and keeps tasks across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-one-off-'));
    const file = join(dataDir, 'tasks.json');
    const first = await simulate(file);
    // Stopped at once, well before its script would end.
    const { taskArn } = await runReleasePhaseTask(task('stopped-one', await revisionOf(first.ecs, 'stopped-one'), 'release-2'), first.ecs);
    await first.ecs.send(new StopTaskCommand({ cluster: 'local', task: taskArn, reason: 'by the test' }));
    await first.simulator.close();
    opened.splice(0);

    const second = await simulate(file);
    const { tasks } = await second.ecs.send(new DescribeTasksCommand({ cluster: 'local', tasks: [taskArn] }));
    expect(tasks?.[0]).toMatchObject({ taskArn, lastStatus: 'STOPPED', stoppedReason: 'by the test', stopCode: 'UserInitiated' });
  });
});
