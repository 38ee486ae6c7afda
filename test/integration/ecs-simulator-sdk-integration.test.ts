import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import { startEcsSimulator, type EcsSimulator } from '../../local/ecs-simulator/server';
import { ecsSdkTask } from '../../local/ecs-simulator/sdk-integration';
import { createEcsClient } from '../../shared/ecs/ecs-client';

const opened: EcsSimulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((simulator) => simulator.close()));
});

/** What the local Step Functions does for the rollout: one single-attempt client, one handler per ECS state. */
const handlersFor = (endpoint: string) => {
  const client = createEcsClient({ endpoint, maxAttempts: 1 });
  return {
    DescribeService: ecsSdkTask('arn:aws:states:::aws-sdk:ecs:describeServices', client),
    UpdateService: ecsSdkTask('arn:aws:states:::aws-sdk:ecs:updateService', client),
  };
};

const simulator = async (options: Parameters<typeof startEcsSimulator>[0] = {}) => {
  const started = await startEcsSimulator({ batchIntervalMs: 10, ...options });
  opened.push(started);
  return started;
};

/** Describe the service and update it onto its current task definition: both as direct integrations. */
const definition: StateMachineDefinition = {
  StartAt: 'DescribeService',
  States: {
    DescribeService: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ecs:describeServices',
      Parameters: { Cluster: 'local', 'Services.$': 'States.Array($.service)' },
      ResultSelector: { 'TaskDefinition.$': '$.Services[0].TaskDefinition' },
      ResultPath: '$.current',
      Next: 'UpdateService',
    },
    UpdateService: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ecs:updateService',
      Parameters: {
        Cluster: 'local',
        'Service.$': '$.service',
        'TaskDefinition.$': '$.current.TaskDefinition',
        ForceNewDeployment: true,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
      },
      ResultSelector: { 'DeploymentId.$': '$.Service.Deployments[0].Id', 'Status.$': '$.Service.Deployments[0].Status' },
      Retry: [{ ErrorEquals: ['Ecs.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['Ecs.ServiceNotFoundException'], ResultPath: '$.error', Next: 'NotFound' }],
      End: true,
    },
    NotFound: { Type: 'Pass', Parameters: { 'Error.$': '$.error.Error' }, End: true },
  },
};

describe("the rollout's direct ECS integrations, run locally", () => {
  it('take PascalCase parameters, answer PascalCase results and let the Retry ride out throttling', async () => {
    const ecs = await simulator();
    ecs.injectFault({ operation: 'UpdateService', error: 'ThrottlingException', times: 2 });
    const handlers = handlersFor(ecs.endpoint);
    const machine = new StateMachine(definition);
    const execution = machine.run(
      { service: 'web' },
      { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: { UpdateService: 0 } } },
    );
    expect(await execution.result).toEqual({ DeploymentId: expect.stringMatching(/^ecs-svc\/\d+$/), Status: 'PRIMARY' });
  });

  it('name ECS failures Ecs.<ErrorName> so Catch matches them as in AWS', async () => {
    const ecs = await simulator({ autoCreateServices: false });
    await ecs.ensureService('local', 'web');
    ecs.injectFault({ operation: 'UpdateService', error: 'ServiceNotFoundException', times: 1 });
    const machine = new StateMachine(definition);
    const execution = machine.run(
      { service: 'web' },
      { overrides: { taskResourceLocalHandlers: handlersFor(ecs.endpoint) } },
    );
    expect(await execution.result).toEqual({ Error: 'Ecs.ServiceNotFoundException' });
  });

  it('keep user-defined map keys as they are and pass timestamps on as ISO strings', async () => {
    const ecs = await simulator();
    const register = ecsSdkTask('arn:aws:states:::aws-sdk:ecs:registerTaskDefinition', createEcsClient({ endpoint: ecs.endpoint }));
    const output = (await register({
      Family: 'web',
      ContainerDefinitions: [{ Name: 'web', Image: 'web:v2', DockerLabels: { 'com.example.Team': 'pay' } }],
    })) as { TaskDefinition: { ContainerDefinitions: { DockerLabels: unknown }[]; RegisteredAt: string } };
    expect(output.TaskDefinition.ContainerDefinitions[0]?.DockerLabels).toEqual({ 'com.example.Team': 'pay' });
    expect(new Date(output.TaskDefinition.RegisteredAt).toISOString()).toBe(output.TaskDefinition.RegisteredAt);
    expect(() => ecsSdkTask('arn:aws:states:::aws-sdk:ecs:deleteCluster', createEcsClient())).toThrow(/cannot run/);
  });
});
