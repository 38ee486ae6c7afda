import {
  ClusterNotFoundException,
  ConflictException,
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLLING } from '../../shared/domain/deployment-strategy/rolling';
import { DomainError } from '../../shared/domain/errors';
import { strategyFor } from '../../shared/domain/deployment-strategy';
import {
  continueServiceDeployment,
  describeDeployment,
  ecsDeploymentConfiguration,
  registerReleaseTaskDefinition,
} from '../../shared/ecs/ecs-adapter';
import { createEcsClient, useEcsClient } from '../../shared/ecs/ecs-client';

const ecs = mockClient(ECSClient);
const ref = { cluster: 'prod', service: 'web' };
const currentArn = 'arn:aws:ecs:eu-west-1:1:task-definition/web:6';

const service = (overrides: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 4,
  runningCount: 5,
  taskDefinition: currentArn,
  deployments: [],
  events: [],
  ...overrides,
});

const deployment = (overrides: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/1',
  status: 'PRIMARY',
  desiredCount: 4,
  runningCount: 1,
  pendingCount: 2,
  failedTasks: 0,
  rolloutState: 'IN_PROGRESS',
  ...overrides,
});

const rejection = async (promise: Promise<unknown>): Promise<DomainError> => {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof DomainError) return error;
  throw new Error(`expected a DomainError, got ${String(error)}`);
};

beforeEach(() => {
  ecs.reset();
  useEcsClient(createEcsClient({ endpoint: 'http://127.0.0.1:1' }));
});

describe('registering a release task definition', () => {
  const release = { ...ref, container: null, image: 'registry/web:v7', releaseId: 'rel-7', version: 7, config: null };

  it("copies the service's current revision, with its tags, onto the release image", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()], failures: [] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { family: 'web', taskRoleArn: 'role', containerDefinitions: [{ name: 'web', image: 'registry/web:v6' }] },
      tags: [{ key: 'team', value: 'payments' }],
    });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: `${currentArn.slice(0, -1)}7` } });

    await expect(registerReleaseTaskDefinition(release)).resolves.toEqual({ taskDefinitionArn: `${currentArn.slice(0, -1)}7`, engine: 'ROLLING' });

    expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({ cluster: 'prod', services: ['web'] });
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: currentArn,
      include: ['TAGS'],
    });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      family: 'web',
      taskRoleArn: 'role',
      tags: [{ key: 'team', value: 'payments' }],
      containerDefinitions: [
        {
          name: 'web',
          image: 'registry/web:v7',
          environment: [
            { name: 'SLIPWAY_RELEASE_ID', value: 'rel-7' },
            { name: 'SLIPWAY_RELEASE_VERSION', value: '7' },
          ],
        },
      ],
    });
  });

  it('refuses a service ECS reports missing or inactive, registering nothing', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] })
      .resolvesOnce({ services: [service({ status: 'INACTIVE' })], failures: [] });
    for (const expectedReason of ['MISSING', 'INACTIVE']) {
      const error = await rejection(registerReleaseTaskDefinition(release));
      expect(error).toMatchObject({ kind: 'not_found', code: 'ecs_service_not_found', details: { ...ref, reason: expectedReason } });
      expect(error.message).toBe("ECS service 'web' was not found in cluster 'prod'.");
    }
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });
});

describe("a strategy's deployment configuration, as ECS takes it", () => {
  it('for rolling: never below the desired count, at most double, a failing deployment rolled back', () => {
    expect(ecsDeploymentConfiguration(ROLLING.deployment)).toEqual({
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
  });

  it("names the engine, its traffic steps and its bake time in ECS's terms", () => {
    const circuitBreaker = { enable: true, rollback: true };
    const common = { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker, bakeMinutes: 15 };
    expect(ecsDeploymentConfiguration({ ...common, engine: 'CANARY', canary: { percent: 10, bakeMinutes: 5 } })).toEqual({
      strategy: 'CANARY',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: circuitBreaker,
      bakeTimeInMinutes: 15,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      // No alarms: ECS is told to watch none, so alarms an app dropped are no longer watched.
      alarms: { alarmNames: [], enable: false, rollback: false },
      // No holds: ECS is told of no lifecycle hooks, so a gate or bake an app dropped no longer pauses it.
      lifecycleHooks: [],
    });
    expect(ecsDeploymentConfiguration({ ...common, engine: 'LINEAR', linear: { stepPercent: 25, stepBakeMinutes: 3 } })).toMatchObject({
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 3 },
    });
  });

  it('has ECS watch the alarms a strategy names, rolling back when one goes off', () => {
    const circuitBreaker = { enable: true, rollback: true };
    expect(
      ecsDeploymentConfiguration({ engine: 'ROLLING', minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker, alarms: ['web-5xx'] }),
    ).toMatchObject({ alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } });
    expect(ecsDeploymentConfiguration(ROLLING.deployment)).not.toHaveProperty('alarms');
  });
});

describe('describing a deployment', () => {
  const progressOfDeployment1 = () => describeDeployment({ ...ref, deploymentId: 'ecs-svc/1' });

  it('reports the progress of a deployment in flight', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [service({ deployments: [deployment({ rolloutStateReason: 'ECS deployment ecs-svc/1 in progress.' })] })],
    });
    await expect(progressOfDeployment1()).resolves.toEqual({
      rolloutState: 'IN_PROGRESS',
      desired: 4,
      runningNew: 1,
      runningTotal: 5,
      failedTasks: 0,
      reason: 'ECS deployment ecs-svc/1 in progress.',
    });
  });

  it('reports completed and failed deployments with their reason', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [service({ deployments: [deployment({ rolloutState: 'COMPLETED', runningCount: 4, pendingCount: 0 })] })],
      })
      .resolvesOnce({
      services: [
        service({
          deployments: [
            deployment({ id: 'ecs-svc/2' }),
            deployment({
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              desiredCount: 0,
              failedTasks: 3,
              runningCount: 0,
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
        }),
      ],
    });
    await expect(progressOfDeployment1()).resolves.toMatchObject({ rolloutState: 'COMPLETED', runningNew: 4, reason: null });
    await expect(progressOfDeployment1()).resolves.toEqual({
      rolloutState: 'FAILED',
      desired: 4,
      runningNew: 0,
      runningTotal: 5,
      failedTasks: 3,
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
  });

  it('reads a deployment the circuit breaker rolled back and ECS dropped as FAILED', async () => {
    const events = [
      { message: '(service web) has reached a steady state.' },
      { message: '(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.' },
    ];
    const rolledBack = [deployment({ id: 'ecs-svc/2' })];
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service({ deployments: rolledBack, events })] })
      .resolvesOnce({ services: [service({ deployments: rolledBack })] });
    await expect(progressOfDeployment1()).resolves.toEqual({
      rolloutState: 'FAILED',
      desired: 4,
      runningNew: 0,
      runningTotal: 5,
      failedTasks: 0,
      reason:
        'The ECS deployment circuit breaker rolled back deployment ecs-svc/1: ' +
        '(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.',
    });
    await expect(progressOfDeployment1()).resolves.toMatchObject({
      rolloutState: 'FAILED',
      reason: 'The ECS deployment circuit breaker rolled back deployment ecs-svc/1; it is no longer on the service.',
    });
  });

  it('refuses an unknown service or cluster clearly', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] })
      .rejectsOnce(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    expect(await rejection(progressOfDeployment1())).toMatchObject({ code: 'ecs_service_not_found', details: ref });
    expect(await rejection(progressOfDeployment1())).toMatchObject({
      kind: 'not_found',
      code: 'ecs_cluster_not_found',
      message: "ECS cluster 'prod' was not found.",
    });
  });

  it('lets ECS errors such as throttling reach the caller, which retries them', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecs.on(DescribeServicesCommand).rejects(throttled);
    await expect(progressOfDeployment1()).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('holds: bakes and the gate as PAUSE lifecycle hooks', () => {
  const gated = strategyFor({
    strategy: 'canary',
    canary_percent: 10,
    canary_bake_minutes: 5,
    bake_minutes: 15,
    gate: { checks: ['ci/smoke'], approval: true, timeout_minutes: 60 },
  });

  it("asks ECS for a PAUSE hook per hold, ECS's own bakes at zero", () => {
    expect(ecsDeploymentConfiguration(gated.deployment)).toMatchObject({
      strategy: 'CANARY',
      bakeTimeInMinutes: 0,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 0 },
      lifecycleHooks: [
        { targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 5, action: 'CONTINUE' } },
        { targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 65, action: 'ROLLBACK' } },
        { targetType: 'PAUSE', lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 15, action: 'CONTINUE' } },
      ],
    });
  });

  it('reads the hooks awaiting action and the production weight off DescribeServiceDeployments', async () => {
    const arn = 'arn:aws:ecs:eu-west-1:1:service-deployment/prod/web/abc';
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ deployments: [deployment({})], currentServiceDeployment: arn })] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'IN_PROGRESS',
          lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
          targetServiceRevision: { requestedProductionTrafficWeight: 10 },
          lifecycleHookDetails: [
            { hookId: 'bake', targetType: 'PAUSE', status: 'SUCCEEDED', timeoutAction: 'CONTINUE', expiresAt: new Date('2030-01-01T00:05:00Z') },
            { hookId: 'gate', targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK', expiresAt: new Date('2030-01-01T01:05:00Z') },
          ],
        },
      ],
    });
    expect(await describeDeployment({ ...ref, deploymentId: 'ecs-svc/1', shiftsTraffic: true })).toMatchObject({
      productionPercent: 10,
      holds: [{ hookId: 'gate', purpose: 'gate', expiresAt: '2030-01-01T01:05:00.000Z' }],
    });
  });

  it('answers a hook, and takes a hook that no longer awaits action for no answer', async () => {
    ecs.on(ContinueServiceDeploymentCommand).resolvesOnce({}).rejectsOnce(new ConflictException({ message: 'not awaiting', $metadata: {} }));
    expect(await continueServiceDeployment('arn:sd', 'gate', 'CONTINUE')).toBe(true);
    expect(await continueServiceDeployment('arn:sd', 'gate', 'ROLLBACK')).toBe(false);
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([
      { serviceDeploymentArn: 'arn:sd', hookId: 'gate', action: 'CONTINUE' },
      { serviceDeploymentArn: 'arn:sd', hookId: 'gate', action: 'ROLLBACK' },
    ]);
  });
});
