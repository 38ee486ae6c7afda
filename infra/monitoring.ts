import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  Alarm,
  ComparisonOperator,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE, METRIC_NAMES } from '../shared/observability/metrics';

const PERIOD = Duration.minutes(5);

/** The context key naming the address alarms mail (`npx cdk deploy -c slipway:alarmEmail=oncall@example.com`). */
export const ALARM_EMAIL_CONTEXT = 'slipway:alarmEmail';

/**
 * The API is slow when its 99th percentile stays above this for three periods in a row (15 minutes). Served
 * requests take tens of milliseconds, a release a few hundred, one under heavy contention up to about two
 * seconds, and a cold start adds a few hundred: a p99 above three seconds for that long is no passing spike.
 */
export const API_P99_LATENCY_ALARM = { thresholdMs: 3_000, periods: 3 } as const;

/** A construct's path below the stack, as a readable alarm id ("HttpApi/ReleasesFunction" -> "HttpApiReleasesFunction"). */
const idOf = (construct: IConstruct) => construct.node.scopes.slice(2).map((scope) => scope.node.id).join('');

/**
 * Alarms on everything that can fail without a user watching: every function's errors and throttles, failed,
 * timed-out or aborted rollouts, anything parked in a dead-letter queue, the table throttling reads or
 * writes, API 5xx responses and a slow API. All of them notify one encrypted SNS topic.
 */
export class SlipwayAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: {
      functions: readonly IFunction[];
      stateMachines: readonly IStateMachine[];
      deadLetterQueues: readonly IQueue[];
      table: ITableV2;
      api: HttpApi;
      alarmEmail?: string | undefined;
    },
  ) {
    super(scope, id);
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the topic gets its
    // own key that lets CloudWatch use it.
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts Slipway alarm notifications',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'Slipway alarms', masterKey: key, enforceSSL: true });
    // The topic policy that enforces TLS replaces SNS's default one, so this account's alarms must be let in.
    const stack = Stack.of(this);
    const anyAlarmHere = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnLike: { 'aws:SourceArn': anyAlarmHere }, StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    else {
      Annotations.of(this).addWarningV2(
        'slipway:noAlarmEmail',
        `Nothing subscribes to the alarm topic (output AlarmTopicArn), so every alarm goes nowhere: set -c ${ALARM_EMAIL_CONTEXT}=<address>, or subscribe to the topic yourself.`,
      );
    }

    for (const fn of props.functions) {
      this.alarmOn(`${idOf(fn)}Errors`, `Lambda ${idOf(fn)} reported errors`, fn.metricErrors({ period: PERIOD }));
      this.alarmOn(`${idOf(fn)}Throttles`, `Lambda ${idOf(fn)} was throttled`, fn.metricThrottles({ period: PERIOD }));
    }
    for (const machine of props.stateMachines) {
      const name = idOf(machine);
      this.alarmOn(`${name}Failed`, `Rollout executions failed (${name})`, machine.metricFailed({ period: PERIOD }));
      this.alarmOn(`${name}TimedOut`, `Rollout executions timed out (${name})`, machine.metricTimedOut({ period: PERIOD }));
      this.alarmOn(`${name}Aborted`, `Rollout executions were aborted (${name})`, machine.metricAborted({ period: PERIOD }));
    }
    for (const queue of props.deadLetterQueues) {
      this.alarmOn(
        `${idOf(queue)}Depth`,
        `Dead-letter queue ${idOf(queue)} holds messages that were never processed`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      );
    }
    // Releases that failed or ended unknown: the service-wide series the rollout's Finish step emits (EMF).
    for (const [id, name, what] of [
      ['ReleasesFailed', METRIC_NAMES.releasesFailed, 'Releases failed: their rollout did not succeed'],
      ['ReleasesUnknown', METRIC_NAMES.releasesUnknown, 'Releases ended unknown: their rollout outcome could not be known'],
    ] as const) {
      const metric = new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: METRICS_SERVICE }, statistic: 'Sum', period: PERIOD });
      this.alarmOn(id, what, metric);
    }
    // On demand, DynamoDB throttles a partition past its own limits or the table past its maximum throughput;
    // the store retries, and requests answer 503 once the retries are spent.
    for (const [id, metricName, what] of [
      ['TableReadThrottles', 'ReadThrottleEvents', 'reads'],
      ['TableWriteThrottles', 'WriteThrottleEvents', 'writes'],
    ] as const) {
      this.alarmOn(id, `DynamoDB throttled ${what} on the Slipway table`, props.table.metric(metricName, { period: PERIOD, statistic: 'Sum' }));
    }
    this.alarmOn('Api5xx', 'The Slipway API answered with 5xx errors', props.api.metricServerError({ period: PERIOD }));
    this.alarmOn(
      'ApiLatencyP99',
      `The Slipway API's p99 latency stayed above ${API_P99_LATENCY_ALARM.thresholdMs} ms`,
      props.api.metricLatency({ period: PERIOD, statistic: 'p99' }),
      { threshold: API_P99_LATENCY_ALARM.thresholdMs, evaluationPeriods: API_P99_LATENCY_ALARM.periods },
    );
  }

  /** Fires when the metric goes above the threshold (zero: anything at all) in as many periods in a row; no data means nothing happened. */
  private alarmOn(id: string, description: string, metric: IMetric, { threshold = 0, evaluationPeriods = 1 } = {}): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: `Slipway: ${description}`,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
