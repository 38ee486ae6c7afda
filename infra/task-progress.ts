import { Duration, type Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TASK_EVENT_PATTERN } from '../shared/rollout/contract';
import { slipwayFunction } from './slipway-function';
import { grantTableData } from './slipway-table';

export type TaskProgressProps = {
  stack: Stack;
  table: ITableV2;
  /** The clusters rollouts may deploy to (`slipway:clusters`); none named: every cluster of the account and region. */
  clusters: string[];
  deadLetterQueue: IQueue;
  reservedConcurrentExecutions: number | undefined;
};

/**
 * Live rollout progress: the EventBridge rule for ECS's task state changes of the services rollouts may deploy to
 * (scoped to the same clusters as the deployment rule), and the function it invokes (functions/ecs-task-events.ts),
 * which reads a watched deployment's progress at most once a second per service. AWS service events on the
 * default bus cost nothing; a stale progress event is worth nothing, so it is retried briefly, not for hours.
 * The caller grants it DescribeServices and DescribeServiceDeployments with the rollout's other readers.
 */
export const addTaskProgress = (scope: Construct, props: TaskProgressProps): NodejsFunction => {
  const handler = slipwayFunction(scope, 'TaskEvents', {
    entry: 'functions/ecs-task-events.ts',
    environment: { SLIPWAY_TABLE: props.table.tableName },
    description: "Rollout progress: reads a deploying service's counts as ECS changes its tasks",
    timeout: Duration.seconds(30),
    deadLetterQueue: props.deadLetterQueue,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
  });
  grantTableData(handler, props.table, 'read-write');
  const clusterArns = props.clusters.map((cluster) => props.stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: cluster }));
  new Rule(scope, 'EcsTaskStateChange', {
    description: 'ECS task state changes of services show a rolling-out release its progress',
    eventPattern: {
      source: [...TASK_EVENT_PATTERN.source],
      detailType: [...TASK_EVENT_PATTERN.detailType],
      detail: {
        group: [...TASK_EVENT_PATTERN.detail.group],
        lastStatus: [...TASK_EVENT_PATTERN.detail.lastStatus],
        ...(clusterArns.length > 0 ? { clusterArn: clusterArns } : {}),
      },
    },
    targets: [new LambdaFunction(handler, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.minutes(10) })],
  });
  return handler;
};
