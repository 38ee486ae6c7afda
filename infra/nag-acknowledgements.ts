import { Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IConstruct } from 'constructs';
import { ROLLOUT_CONTEXT, type Rollout } from './rollout';

/** Acknowledges one exact finding on a construct and everything below it. */
const acknowledge = (scope: IConstruct | undefined, id: string, reason: string) => {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
};

/** How cdk-nag names a wildcard resource built with Stack.formatArn in this account and region. */
const arnFinding = (service: string, resource: string) =>
  `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}]`;

/** The clusters the rollout is scoped to (`-c slipway:clusters=a,b`), or every cluster of the account. */
const rolloutClusters = (stack: Stack): string[] => {
  const value: unknown = stack.node.tryGetContext(ROLLOUT_CONTEXT.clusters);
  const clusters = [value ?? []].flat().join(',').split(',').map((cluster) => cluster.trim()).filter(Boolean);
  return clusters.length > 0 ? clusters : ['*'];
};

/**
 * Every cdk-nag (AwsSolutions) finding Slipway accepts, each with the reason it is acceptable. Anything not
 * acknowledged here or next to its cause fails `npm run synth` and test/infra/nag.test.ts.
 */
export const acknowledgeNagFindings = (
  stack: Stack,
  rollout: Rollout,
  readsServices: readonly IConstruct[] = [],
  movesQueues: readonly IConstruct[] = [],
): void => {
  for (const fn of stack.node.findAll().filter((construct) => construct instanceof NodejsFunction)) {
    acknowledge(
      fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions, and so does states:SendTaskSuccess for the functions that resume parked ' +
        'rollout steps. test/infra/slipway-stack.test.ts lists every action allowed on "*".',
    );
  }

  const machineRole = rollout.stateMachine.role;
  acknowledge(
    machineRole,
    'AwsSolutions-IAM5[Resource::*]',
    'Logging ALL to CloudWatch Logs needs the log-delivery actions (logs:CreateLogDelivery and the like) and ' +
      'tracing needs the X-Ray writes; neither supports resource-level permissions.',
  );
  for (const step of Object.values(rollout.steps)) {
    const logicalId = stack.getLogicalId(step.node.defaultChild as CfnElement);
    acknowledge(
      machineRole,
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      "The LambdaInvoke grant covers the versions and aliases of this step's own function, and no other.",
    );
  }

  const serviceReason =
    'ECS services are addressed as cluster/service, and the services Slipway deploys are registered at run ' +
    'time as apps. UpdateService is further limited to services tagged slipway:managed=true; the others ' +
    '(rollout steps, and the apps and releases API functions: how many tasks run a release, whether a strategy fits) ' +
    'only describe services. Set -c slipway:clusters=a,b to narrow the clusters.';
  for (const cluster of rolloutClusters(stack)) {
    acknowledge(rollout, arnFinding('ecs', `service/${cluster}/*`), serviceReason);
    // The HTTP functions that read what a service runs (FUNCTION_ACCESS readsServices).
    for (const reader of readsServices) acknowledge(reader, arnFinding('ecs', `service/${cluster}/*`), serviceReason);
    // A rollback stops the deployment of a release it supersedes, from whichever function moves the queue.
    for (const scope of [rollout, ...movesQueues]) {
      acknowledge(
        scope,
        arnFinding('ecs', `service-deployment/${cluster}/*`),
        'Service deployments are created by ECS at each UpdateService, under cluster/service/id, so their ids are ' +
          'unknown in advance; only DescribeServiceDeployments (read), ContinueServiceDeployment (answering the PAUSE ' +
          'hooks of bakes and gates) and StopServiceDeployment (a rollback stopping the deployment of a release it ' +
          'supersedes, an abort) are granted on them, for the same clusters as the services.',
      );
    }
  }
  acknowledge(
    rollout.steps.deploy.role,
    arnFinding('ecs', 'task-definition/*'),
    'ecs:TagResource is allowed only while registering a task definition (condition ecs:CreateAction), so ' +
      'the new revision keeps the tags of the one it copies; revision ARNs are not known in advance.',
  );
  // A release phase's one-off tasks: run from the revisions the Deploy step registers, in the same clusters.
  for (const cluster of rolloutClusters(stack)) {
    for (const scope of [rollout, ...movesQueues]) {
      acknowledge(
        scope,
        arnFinding('ecs', `task/${cluster}/*`),
        "A release phase's one-off task gets its id from ECS at RunTask, under cluster/id: DescribeTasks (the step) and " +
          'StopTask (its timeout, or a rollback superseding its release) are granted on the tasks of the same clusters as the services.',
      );
    }
  }
  acknowledge(
    rollout.steps['release-phase'].role,
    arnFinding('ecs', 'task-definition/*'),
    'ecs:RunTask runs the revision the Deploy step registered for the release (its ARN unknown in advance), only in ' +
      'the clusters named in -c slipway:clusters (condition ecs:cluster); ecs:DescribeTaskDefinition supports no resource.',
  );
  acknowledge(
    rollout.steps.deploy.role,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
    "A copied revision passes on the service's task and execution roles, unknown until apps register; " +
      'iam:PassRole is limited to ecs-tasks.amazonaws.com, and -c slipway:taskRoleArns=... names the roles.',
  );
  // On the rollout's own steps and on the HTTP functions that record rollbacks, which move the queue too.
  const machine = stack.getLogicalId(rollout.stateMachine.node.defaultChild as CfnElement);
  acknowledge(
    stack,
    arnFinding('states', `execution:<${machine}.Name>:*`),
    'Executions are named after releases, unknown in advance, so DescribeExecution is granted on the ' +
      'executions of the rollout state machine only.',
  );
};
