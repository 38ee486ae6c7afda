import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { DescribeServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../support/until';
import { DomainError } from '../../shared/domain/errors';
import { DEFAULT_STRATEGY } from '../../shared/domain/deployment-strategy';
import { describeDeployment, ecsDeploymentConfiguration, registerReleaseTaskDefinition } from '../../shared/ecs/ecs-adapter';
import { createEcsClient } from '../../shared/ecs/ecs-client';
import {
  startEcsSimulator,
  type BatchSnapshot,
  type DeploymentStateChangeEvent,
  type EcsSimulator,
  type EcsSimulatorOptions,
  type TaskStateChangeEvent,
} from '../../local/ecs-simulator/server';

type EventName = DeploymentStateChangeEvent['detail']['eventName'];

const opened: EcsSimulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((simulator) => simulator.close()));
});

/** A simulator with fast batches, recording every event and batch so tests can await them. */
const simulate = async (options: EcsSimulatorOptions = {}) => {
  const events: DeploymentStateChangeEvent[] = [];
  const taskEvents: TaskStateChangeEvent[] = [];
  const batches: BatchSnapshot[] = [];
  const waiting: { matches: (event: DeploymentStateChangeEvent) => boolean; resolve: (event: DeploymentStateChangeEvent) => void }[] = [];
  const simulator = await startEcsSimulator({
    batchIntervalMs: 10,
    ...options,
    onBatch: (batch) => batches.push(batch),
    onTaskEvent: (event) => {
      // A service's tasks only: one-off tasks (RunTask) have a test of their own.
      if ('version' in event.detail) taskEvents.push(event as TaskStateChangeEvent);
    },
    onDeploymentEvent: (event) => {
      if (event['detail-type'] !== 'ECS Deployment State Change') return;
      events.push(event);
      for (const waiter of waiting.filter((candidate) => candidate.matches(event))) waiter.resolve(event);
    },
  });
  opened.push(simulator);
  const client = createEcsClient({ endpoint: simulator.endpoint });
  /** Resolves with the event once the deployment reaches it (at once when it already has). */
  const reached = (deploymentId: string, eventName: EventName) => {
    const matches = (event: DeploymentStateChangeEvent) =>
      event.detail.deploymentId === deploymentId && event.detail.eventName === eventName;
    const seen = events.find(matches);
    return seen ? Promise.resolve(seen) : new Promise<DeploymentStateChangeEvent>((resolve) => waiting.push({ matches, resolve }));
  };
  /** The first deployment that followed `deploymentId` and reached `eventName`. */
  const followedBy = (deploymentId: string, eventName: EventName) =>
    new Promise<DeploymentStateChangeEvent>((resolve) => {
      const after = (event: DeploymentStateChangeEvent) =>
        events.findIndex((earlier) => earlier.detail.deploymentId === deploymentId) < events.indexOf(event);
      const matches = (event: DeploymentStateChangeEvent) =>
        event.detail.deploymentId !== deploymentId && event.detail.eventName === eventName && after(event);
      const seen = events.find(matches);
      if (seen) resolve(seen);
      else waiting.push({ matches, resolve });
    });
  return { simulator, client, events, taskEvents, batches, reached, followedBy };
};

const describeService = async (client: ECSClient, cluster: string, service: string) => {
  const { services } = await client.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = services?.[0];
  if (!found) throw new Error(`service ${cluster}/${service} was not described`);
  return found;
};

const runningImages = async (client: ECSClient, cluster: string, service: string) => {
  const { taskArns } = await client.send(new ListTasksCommand({ cluster, serviceName: service }));
  const { tasks } = await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns ?? [] }));
  return (tasks ?? []).map((task) => `${task.lastStatus} ${task.containers?.[0]?.image}`);
};

const deploy = async (client: ECSClient, cluster: string, service: string, image: string, version: number) => {
  const { taskDefinitionArn } = await registerReleaseTaskDefinition(
    { cluster, service, container: null, image, releaseId: `release-${version}`, version, config: null },
    client,
  );
  const deploymentId = await updateService(client, cluster, service, taskDefinitionArn, ecsDeploymentConfiguration(DEFAULT_STRATEGY.deployment));
  return { taskDefinitionArn, deploymentId };
};

/** Points the service at a task definition; the deployment ECS started. */
const updateService = async (
  client: ECSClient,
  cluster: string,
  service: string,
  taskDefinition: string | undefined,
  deploymentConfiguration: DeploymentConfiguration,
): Promise<string> => {
  const updated = await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition, deploymentConfiguration }));
  const primary = updated.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (!primary?.id) throw new Error(`UpdateService on ${service} started no deployment`);
  return primary.id;
};

/** Registers a one-container revision (family = service) and deploys it with a deployment configuration of choice. */
const deployWith = async (
  client: ECSClient,
  service: string,
  container: { name: string; image: string },
  deploymentConfiguration: DeploymentConfiguration,
): Promise<string> => {
  const { taskDefinition } = await client.send(
    new RegisterTaskDefinitionCommand({ family: service, containerDefinitions: [container] }),
  );
  return updateService(client, 'local', service, taskDefinition?.taskDefinitionArn, deploymentConfiguration);
};

describe('the ECS simulator', () => {
  it('creates a service on first reference with running tasks of an initial task definition', async () => {
    const { client } = await simulate({ defaultDesiredCount: 2 });
    const service = await describeService(client, 'local', 'shop');
    expect(service).toMatchObject({
      serviceName: 'shop',
      serviceArn: 'arn:aws:ecs:local:000000000000:service/local/shop',
      desiredCount: 2,
      runningCount: 2,
      taskDefinition: 'arn:aws:ecs:local:000000000000:task-definition/shop:1',
    });
    expect(service.deployments).toMatchObject([{ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 }]);
    expect(service.createdAt).toBeInstanceOf(Date);
    expect(await runningImages(client, 'local', 'shop')).toEqual([
      'RUNNING simulator.local/shop:initial',
      'RUNNING simulator.local/shop:initial',
    ]);
  });

  it('deploys a slow image at the slow pace, and a deployment replacing it at the normal pace', async () => {
    const { client, reached, events } = await simulate({ slowBatchIntervalMs: 60_000 });
    await describeService(client, 'local', 'pace');
    const slow = await deploy(client, 'local', 'pace', 'registry.local/pace:v2-slow', 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await describeService(client, 'local', 'pace')).deployments?.[0]).toMatchObject({ id: slow.deploymentId, rolloutState: 'IN_PROGRESS' });

    const started = Date.now();
    const rescue = await deploy(client, 'local', 'pace', 'registry.local/pace:v1', 3);
    await reached(rescue.deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');
    expect(Date.now() - started).toBeLessThan(5_000);
    const service = await describeService(client, 'local', 'pace');
    expect(service.deployments).toMatchObject([{ id: rescue.deploymentId, rolloutState: 'COMPLETED' }]);
    expect(await runningImages(client, 'local', 'pace')).toEqual(Array.from({ length: 3 }, () => 'RUNNING registry.local/pace:v1'));
    // The replaced slow deployment never completes.
    expect(events.some((event) => event.detail.deploymentId === slow.deploymentId && event.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED')).toBe(false);
  });

  it('rolls a healthy release over in batches within minimumHealthyPercent and maximumPercent', async () => {
    const { client, batches, reached, events } = await simulate();
    await describeService(client, 'local', 'web');
    const { deploymentId, taskDefinitionArn } = await deploy(client, 'local', 'web', 'registry.local/web:v2', 2);
    const completed = await reached(deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');

    expect(completed).toMatchObject({
      version: '0',
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: '000000000000',
      region: 'local',
      resources: ['arn:aws:ecs:local:000000000000:service/local/web'],
      detail: { eventType: 'INFO', deploymentId, reason: `ECS deployment ${deploymentId} completed.` },
    });
    expect(events.map((event) => event.detail.eventName)).toEqual([
      'SERVICE_DEPLOYMENT_IN_PROGRESS',
      'SERVICE_DEPLOYMENT_COMPLETED',
    ]);
    // 200% lets all three new tasks start beside the old ones; the old ones stop only once those are healthy.
    expect(batches.map(({ started, stopped, runningNew, runningOld }) => ({ started, stopped, runningNew, runningOld }))).toEqual([
      { started: 3, stopped: 0, runningNew: 0, runningOld: 3 },
      { started: 0, stopped: 3, runningNew: 3, runningOld: 0 },
    ]);
    const service = await describeService(client, 'local', 'web');
    expect(service.taskDefinition).toBe(taskDefinitionArn);
    expect(service.deployments).toMatchObject([{ id: deploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 3 }]);
    expect(await runningImages(client, 'local', 'web')).toEqual(Array(3).fill('RUNNING registry.local/web:v2'));
    await expect(describeDeployment({ cluster: 'local', service: 'web', deploymentId }, client)).resolves.toEqual({
      rolloutState: 'COMPLETED',
      desired: 3,
      runningNew: 3,
      runningTotal: 3,
      failedTasks: 0,
      reason: `ECS deployment ${deploymentId} completed.`,
    });
  });

  it('paces a narrower maximumPercent over more batches without dropping below the desired count', async () => {
    const { simulator, client, batches, reached } = await simulate();
    await simulator.ensureService('local', 'api', { desiredCount: 4, container: 'app' });
    const deploymentId = await deployWith(client, 'api', { name: 'app', image: 'api:v2' }, {
      minimumHealthyPercent: 100,
      maximumPercent: 150,
    });
    await reached(deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');

    for (const batch of batches) {
      expect(batch.runningNew + batch.runningOld).toBeGreaterThanOrEqual(4);
      expect(batch.runningNew + batch.pendingNew + batch.runningOld).toBeLessThanOrEqual(6);
    }
    expect(batches.map(({ started, stopped }) => [started, stopped])).toEqual([
      [2, 0],
      [2, 2],
      [0, 2],
    ]);
    expect(await runningImages(client, 'local', 'api')).toEqual(Array(4).fill('RUNNING api:v2'));
  });

  it('brings the new tasks of a batch up one by one, each with its own ECS Task State Change events', async () => {
    const { simulator, client, taskEvents, reached } = await simulate({ batchIntervalMs: 240 });
    await simulator.ensureService('local', 'fleet', { desiredCount: 12, container: 'app' });
    const deploymentId = await deployWith(client, 'fleet', { name: 'app', image: 'fleet:v2' }, { minimumHealthyPercent: 100, maximumPercent: 200 });
    await reached(deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');

    const ofNewTasks = taskEvents.filter((event) => event.detail.startedBy === deploymentId);
    const running = ofNewTasks.filter((event) => event.detail.lastStatus === 'RUNNING');
    expect(running).toHaveLength(12);
    // The twelve turned RUNNING one by one over the batch interval, not all at once (a busy event loop may let two
    // share a moment).
    const startedAt = running.map((event) => Date.parse(event.detail.startedAt ?? ''));
    expect(new Set(startedAt).size).toBeGreaterThanOrEqual(6);
    expect(Math.max(...startedAt) - Math.min(...startedAt)).toBeGreaterThanOrEqual(100);
    expect(running[0]).toMatchObject({
      version: '0',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      region: 'local',
      resources: [running[0]?.detail.taskArn],
      detail: {
        clusterArn: 'arn:aws:ecs:local:000000000000:cluster/local',
        group: 'service:fleet',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        launchType: 'FARGATE',
        version: 2,
      },
    });
    // Each new task was reported PENDING first; each old one STOPPED once replaced, under its own deployment's id.
    for (const event of running) {
      const pending = ofNewTasks.find((candidate) => candidate.detail.taskArn === event.detail.taskArn && candidate.detail.lastStatus === 'PENDING');
      expect(pending?.detail.version).toBe(1);
      expect(ofNewTasks.indexOf(pending!)).toBeLessThan(ofNewTasks.indexOf(event));
    }
    const stoppedOld = taskEvents.filter((event) => event.detail.startedBy !== deploymentId && event.detail.lastStatus === 'STOPPED');
    expect(stoppedOld).toHaveLength(12);
    expect(stoppedOld.every((event) => event.detail.desiredStatus === 'STOPPED' && event.detail.group === 'service:fleet')).toBe(true);
  });

  it('trips the circuit breaker on an unhealthy image and rolls back to the last completed revision', async () => {
    const { client, batches, reached, followedBy } = await simulate();
    const good = await deploy(client, 'local', 'pay', 'registry.local/pay:v2', 2);
    await reached(good.deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');
    batches.length = 0;

    const bad = await deploy(client, 'local', 'pay', 'registry.local/pay:v3-unhealthy', 3);
    const failed = await reached(bad.deploymentId, 'SERVICE_DEPLOYMENT_FAILED');
    expect(failed.detail).toMatchObject({ eventType: 'ERROR', reason: 'ECS deployment circuit breaker: tasks failed to start.' });
    const rollback = await followedBy(bad.deploymentId, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    expect(rollback.detail.reason).toBe('ECS deployment circuit breaker: rolling back to task definition pay:2.');
    await reached(rollback.detail.deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');

    // ECS's threshold for 3 desired tasks is its minimum of 3 failed tasks; the old tasks kept serving meanwhile.
    expect(batches.reduce((sum, batch) => sum + batch.failed, 0)).toBe(3);
    for (const batch of batches) expect(batch.runningNew + batch.runningOld).toBeGreaterThanOrEqual(3);
    const service = await describeService(client, 'local', 'pay');
    expect(service.taskDefinition).toBe(good.taskDefinitionArn);
    expect(await runningImages(client, 'local', 'pay')).toEqual(Array(3).fill('RUNNING registry.local/pay:v2'));
    const stopped = await client.send(new ListTasksCommand({ cluster: 'local', serviceName: 'pay', desiredStatus: 'STOPPED' }));
    const { tasks } = await client.send(new DescribeTasksCommand({ cluster: 'local', tasks: stopped.taskArns ?? [] }));
    expect(tasks?.filter((task) => task.stoppedReason === 'Task failed container health checks')).toHaveLength(3);
    await expect(describeDeployment({ cluster: 'local', service: 'pay', deploymentId: bad.deploymentId }, client)).resolves.toMatchObject({
      rolloutState: 'FAILED',
      reason: expect.stringContaining(`(service pay) (deployment ${bad.deploymentId}) deployment failed: tasks failed to start.`),
    });
  });

  it('fails new tasks of a service switched unhealthy over its control route, and recovers when switched back', async () => {
    const { simulator, client, reached, followedBy } = await simulate({ defaultDesiredCount: 1 });
    const response = await fetch(`${simulator.endpoint}/simulator/services/local/cart/health`, {
      method: 'POST',
      body: JSON.stringify({ healthy: false }),
    });
    expect(response.status).toBe(200);

    const bad = await deploy(client, 'local', 'cart', 'registry.local/cart:v2', 2);
    await reached(bad.deploymentId, 'SERVICE_DEPLOYMENT_FAILED');
    const rollback = await followedBy(bad.deploymentId, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    await reached(rollback.detail.deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');
    expect(await runningImages(client, 'local', 'cart')).toEqual(['RUNNING simulator.local/cart:initial']);

    simulator.setServiceHealth('local', 'cart', true);
    const good = await deploy(client, 'local', 'cart', 'registry.local/cart:v2', 3);
    await reached(good.deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');
    expect(await runningImages(client, 'local', 'cart')).toEqual(['RUNNING registry.local/cart:v2']);
  });

  it('leaves a failed deployment in place, old tasks serving, when rollback is off', async () => {
    const { client, reached, events } = await simulate();
    await describeService(client, 'local', 'mail');
    const deploymentId = await deployWith(client, 'mail', { name: 'mail', image: 'mail:v2-unhealthy' }, {
      deploymentCircuitBreaker: { enable: true, rollback: false },
    });
    await reached(deploymentId, 'SERVICE_DEPLOYMENT_FAILED');
    expect(events).toHaveLength(2);
    const after = await describeService(client, 'local', 'mail');
    expect(after.deployments?.map(({ status, rolloutState }) => `${status} ${rolloutState}`)).toEqual([
      'PRIMARY FAILED',
      'ACTIVE COMPLETED',
    ]);
    expect(await runningImages(client, 'local', 'mail')).toEqual(Array(3).fill('RUNNING simulator.local/mail:initial'));
  });

  it('answers injected throttling as ThrottlingException, which the SDK retries', async () => {
    const { simulator, client } = await simulate();
    simulator.injectFault({ operation: 'DescribeServices', error: 'ThrottlingException', times: 2 });
    const once = createEcsClient({ endpoint: simulator.endpoint, maxAttempts: 1 });
    await expect(once.send(new DescribeServicesCommand({ cluster: 'local', services: ['web'] }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    const retried = await client.send(new DescribeServicesCommand({ cluster: 'local', services: ['web'] }));
    expect(retried.$metadata.attempts).toBe(2);
    expect(retried.services).toHaveLength(1);

    const viaRoute = await fetch(`${simulator.endpoint}/simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ operation: 'UpdateService', error: 'ServerException', times: 1 }),
    });
    expect(viaRoute.status).toBe(200);
    await expect(once.send(new UpdateServiceCommand({ cluster: 'local', service: 'web' }))).rejects.toMatchObject({
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('answers as ECS does when services are not created on first reference', async () => {
    const { client } = await simulate({ autoCreateServices: false });
    const described = await client.send(new DescribeServicesCommand({ cluster: 'local', services: ['ghost'] }));
    expect(described).toMatchObject({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:local:000000000000:service/local/ghost', reason: 'MISSING' }],
    });
    await expect(client.send(new UpdateServiceCommand({ cluster: 'local', service: 'ghost' }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
    });
    const refused = await describeDeployment({ cluster: 'local', service: 'ghost', deploymentId: 'ecs-svc/1' }, client).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'ecs_service_not_found' });
  });

  it('refuses malformed ECS requests in the AWS JSON error shape', async () => {
    const { simulator, client } = await simulate();
    await expect(
      client.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [] })),
    ).rejects.toMatchObject({ name: 'ClientException', message: 'Container list cannot be empty.' });
    await expect(
      client.send(new UpdateServiceCommand({ cluster: 'local', service: 'web', desiredCount: 5, taskDefinition: 'nope:9' })),
    ).rejects.toMatchObject({ name: 'ClientException', message: 'Unable to describe task definition.' });
    await expect(
      client.send(new UpdateServiceCommand({ cluster: 'local', service: 'web', deploymentConfiguration: { strategy: 'BIG_BANG' as never } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: "The ECS simulator does not simulate the deployment strategy 'BIG_BANG'." });
    await expect(
      client.send(new UpdateServiceCommand({ cluster: 'local', service: 'web', deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0.05 } } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'canaryConfiguration.canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.' });
    expect(await describeService(client, 'local', 'web')).toMatchObject({
      desiredCount: 3,
      deploymentConfiguration: { strategy: 'ROLLING' },
      deployments: [{ rolloutState: 'COMPLETED' }],
    });

    // Names Object.prototype has are no operations either.
    for (const operation of ['DeleteCluster', 'constructor', 'toString']) {
      const unknown = await fetch(simulator.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`,
        },
        body: '{}',
      });
      expect(unknown.status, operation).toBe(400);
      expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    }
  });
});

describe('the ECS simulator shifting traffic (blue/green, linear, canary)', () => {
  const CANARY: DeploymentConfiguration = {
    strategy: 'CANARY',
    canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
    bakeTimeInMinutes: 1,
    alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
  };
  const release = async (client: ECSClient, service: string, image: string, configuration: DeploymentConfiguration) => {
    const { taskDefinitionArn } = await registerReleaseTaskDefinition(
      { cluster: 'local', service, container: null, image, releaseId: image, version: 2, config: null },
      client,
    );
    const updated = await client.send(new UpdateServiceCommand({ cluster: 'local', service, taskDefinition: taskDefinitionArn, deploymentConfiguration: configuration }));
    return { taskDefinitionArn, deploymentId: updated.service?.deployments?.[0]?.id ?? '', arn: updated.service?.currentServiceDeployment ?? '' };
  };
  const serviceDeployment = async (client: ECSClient, arn: string) =>
    (await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0];

  it('puts services it creates behind a load balancer set up for traffic shifting, and one without on request', async () => {
    const { simulator, client } = await simulate();
    expect((await describeService(client, 'local', 'web')).loadBalancers?.[0]?.advancedConfiguration).toMatchObject({
      alternateTargetGroupArn: expect.stringContaining(':targetgroup/'),
      productionListenerRule: expect.stringContaining(':listener-rule/'),
      roleArn: expect.stringContaining(':role/'),
    });
    await simulator.ensureService('local', 'bare', { loadBalancer: false });
    expect((await describeService(client, 'local', 'bare')).loadBalancers).toEqual([]);
    await expect(release(client, 'bare', 'registry.local/bare:v2', CANARY)).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('requires a load balancer'),
    });
  });

  it('runs a canary: its share of production traffic for its bake in simulated minutes, then all of it, then the old revision stops', async () => {
    const { simulator, client, reached } = await simulate({ minuteMs: 100 });
    const { taskDefinitionArn, deploymentId, arn } = await release(client, 'web', 'registry.local/web:v2', CANARY);
    const canaryStarted = await until('the canary share', async () => {
      const traffic = simulator.trafficOf('local', 'web');
      return traffic?.[1]?.percent === 10 ? Date.now() : undefined;
    });
    expect(simulator.trafficOf('local', 'web')).toEqual([
      { taskDefinitionArn: expect.not.stringMatching(taskDefinitionArn), percent: 90 },
      { taskDefinitionArn, percent: 10 },
    ]);
    expect(await serviceDeployment(client, arn)).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' });
    await reached(deploymentId, 'SERVICE_DEPLOYMENT_COMPLETED');
    // 5 simulated minutes of canary and 1 of bake, each 100 ms.
    expect(Date.now() - canaryStarted).toBeGreaterThanOrEqual(500);
    expect(simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn, percent: 100 }]);
    expect(await serviceDeployment(client, arn)).toMatchObject({ status: 'SUCCESSFUL' });
    expect(new Set(await runningImages(client, 'local', 'web'))).toEqual(new Set(['RUNNING registry.local/web:v2']));
  });

  it('rolls a canary back when an alarm it watches goes off: no traffic on the new revision, the old one serving', async () => {
    const { simulator, client, reached } = await simulate({ minuteMs: 1000 });
    const { deploymentId, arn } = await release(client, 'web', 'registry.local/web:v2', CANARY);
    await until('the canary share', async () => (simulator.trafficOf('local', 'web')?.[1]?.percent === 10 ? true : undefined));
    simulator.setAlarm('web-5xx', 'ALARM');
    const failed = await reached(deploymentId, 'SERVICE_DEPLOYMENT_FAILED');
    expect(failed.detail.reason).toContain('web-5xx');
    expect(simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn: expect.stringContaining(':1'), percent: 100 }]);
    expect(await serviceDeployment(client, arn)).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      alarms: { status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] },
      rollback: { reason: expect.stringContaining('web-5xx') },
    });
    expect(new Set(await runningImages(client, 'local', 'web'))).toEqual(new Set(['RUNNING simulator.local/web:initial']));
  });

  it('steps a linear deployment up, and stops one on StopServiceDeployment', async () => {
    const { simulator, client, reached } = await simulate({ minuteMs: 1000 });
    const { deploymentId, arn } = await release(client, 'web', 'registry.local/web:v2', {
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 60 },
      bakeTimeInMinutes: 0,
    });
    await until('the first step', async () => (simulator.trafficOf('local', 'web')?.[1]?.percent === 50 ? true : undefined));
    await client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    await reached(deploymentId, 'SERVICE_DEPLOYMENT_FAILED');
    expect(simulator.trafficOf('local', 'web')).toEqual([{ taskDefinitionArn: expect.stringContaining(':1'), percent: 100 }]);
    expect(await serviceDeployment(client, arn)).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL' });
    await expect(client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }))).rejects.toMatchObject({ name: 'ConflictException' });
  });
});
