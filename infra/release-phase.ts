import { Annotations, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RELEASE_PHASE_TASK_DETAIL, RELEASE_PHASE_TASK_EVENT_PATTERN } from '../shared/rollout/release-phase';
import { slipwayFunction } from './slipway-function';
import { grantTableData } from './slipway-table';

export type ReleasePhaseProps = {
  table: ITableV2;
  /** The rollout's ReleasePhase step: it starts, reads and stops the one-off task. */
  step: NodejsFunction;
  /** The clusters named in context (none: any cluster of the account and region). */
  clusters: readonly string[];
  /** The task and execution roles a task definition may name (`slipway:taskRoleArns`). */
  taskRoles: readonly string[];
  /** The log groups the release phase's output may be read from (`slipway:releasePhaseLogGroups`). */
  logGroups: readonly string[];
  deadLetterQueue: Queue;
  reservedConcurrentExecutions: number | undefined;
  /** DescribeServices on the managed services, as the rollout grants it. */
  readServices: PolicyStatement | undefined;
};

/**
 * What a release phase needs beside its state: the handler of its tasks' "ECS Task State Change" events (only
 * stopped tasks Slipway started as release phases, of the named clusters, reach it), the ReleasePhase step's ECS
 * rights (RunTask of task definitions in the named clusters only; PassRole still limited to the named roles) and
 * the right to read the tasks' output from the named log groups.
 */
export class ReleasePhaseInfra extends Construct {
  readonly phaseEvents: NodejsFunction;
  /** StopTask on the clusters' tasks: the step's timeout, and whoever supersedes a release during its release phase. */
  readonly stopTasks: PolicyStatement;
  private readonly readOutput: PolicyStatement | undefined;
  private readonly logGroups: readonly string[];

  constructor(scope: Construct, id: string, props: ReleasePhaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.phaseEvents = slipwayFunction(this, 'PhaseEvents', {
      entry: 'functions/release-phase-events.ts',
      environment: { SLIPWAY_TABLE: props.table.tableName },
      description: 'Resumes the rollout waiting on a release phase task that stopped',
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
    grantTableData(this.phaseEvents, props.table, 'read-write');

    const clusterArns = props.clusters.map((cluster) => stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: cluster }));
    new Rule(this, 'TaskStopped', {
      description: 'Stopped release phase tasks resume the rollout waiting on them',
      eventPattern: {
        source: [...RELEASE_PHASE_TASK_EVENT_PATTERN.source],
        detailType: [...RELEASE_PHASE_TASK_EVENT_PATTERN.detailType],
        detail: {
          lastStatus: [RELEASE_PHASE_TASK_DETAIL.lastStatus],
          startedBy: Match.prefix(RELEASE_PHASE_TASK_DETAIL.startedByPrefix),
          ...(clusterArns.length > 0 ? { clusterArn: clusterArns } : {}),
        },
      },
      targets: [new LambdaFunction(this.phaseEvents, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });

    const clusterNames = props.clusters.length > 0 ? props.clusters : ['*'];
    const tasks = clusterNames.map((cluster) => stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster}/*` }));
    const inClusters = clusterArns.length > 0 ? { ArnEquals: { 'ecs:cluster': clusterArns } } : undefined;
    this.stopTasks = new PolicyStatement({ actions: ['ecs:StopTask'], resources: tasks });
    const statements = [
      this.stopTasks,
      ...(props.readServices ? [props.readServices] : []),
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: '*' })],
        ...(inClusters ? { conditions: inClusters } : {}),
      }),
      new PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: tasks }),
      ...(props.taskRoles.length > 0
        ? [
            new PolicyStatement({
              actions: ['iam:PassRole'],
              resources: [...props.taskRoles],
              conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            }),
          ]
        : []),
    ];
    // DescribeTaskDefinition supports no resource-level permissions: the Deploy step holds it on "*" already.
    statements.push(new PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
    for (const statement of statements) props.step.addToRolePolicy(statement);

    this.logGroups = props.logGroups;
    this.readOutput =
      props.logGroups.length > 0
        ? new PolicyStatement({
            actions: ['logs:GetLogEvents', 'logs:FilterLogEvents'],
            resources: props.logGroups.map((group) =>
              stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${group}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ),
          })
        : undefined;
    if (!this.readOutput) {
      Annotations.of(this).addWarningV2(
        'slipway:noReleasePhaseLogGroups',
        'Set -c slipway:releasePhaseLogGroups=<log group,...> to the awslogs groups of the services Slipway deploys; until then a release phase\'s output cannot be read (its output endpoint answers 404).',
      );
    }
  }

  /** May read a release phase's output (GET /apps/{app}/releases/{release}/release-phase/output). */
  grantReadOutput(fn: NodejsFunction): void {
    if (!this.readOutput || !fn.role) return;
    fn.addToRolePolicy(this.readOutput);
    for (const group of this.logGroups) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${group}:*]`,
        reason: 'A release phase task writes a stream of its own (prefix/container/task id, unknown in advance) in a log group the operator named; only GetLogEvents and FilterLogEvents are granted on it.',
      });
    }
  }
}
