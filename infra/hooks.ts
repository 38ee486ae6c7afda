import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../shared/domain/events';
import { slipwayFunction } from './slipway-function';
import { grantTableData } from './slipway-table';

const DELIVERY_TIMEOUT = Duration.seconds(60);

/**
 * Webhook delivery in AWS: an EventBridge rule on source `slipway` feeds the delivery queue; the delivery
 * Lambda attempts each hook's delivery and re-enqueues retries on the same queue (delayed at most 15 minutes
 * a hop, hopping until due, for up to 24 h). A message that keeps failing lands in the dead-letter queue,
 * which the stack's alarms watch. Hook secrets are sealed with this construct's KMS key.
 */
export class Hooks extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly key: Key;
  readonly delivery: NodejsFunction;

  constructor(scope: Construct, id: string, props: { table: ITableV2; eventBus?: IEventBus; hooksApi: NodejsFunction }) {
    super(scope, id);
    this.key = new Key(this, 'SecretsKey', { enableKeyRotation: true, description: 'Slipway: seals webhook secrets' });
    this.deadLetterQueue = new Queue(this, 'DeliveryDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'DeliveryQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS integration advises.
      visibilityTimeout: Duration.seconds(DELIVERY_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    const environment = { SLIPWAY_TABLE: props.table.tableName, HOOK_QUEUE_URL: this.queue.queueUrl, HOOK_KMS_KEY_ID: this.key.keyArn };
    this.delivery = slipwayFunction(this, 'Delivery', {
      entry: 'functions/hook-delivery.ts',
      environment,
      description: 'Delivers Slipway events to webhooks and integrations',
      timeout: DELIVERY_TIMEOUT,
    });
    this.delivery.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    grantTableData(this.delivery, props.table, 'read-write');
    this.queue.grantSendMessages(this.delivery);
    this.key.grantDecrypt(this.delivery);

    for (const [name, value] of Object.entries(environment)) props.hooksApi.addEnvironment(name, value);
    this.key.grant(props.hooksApi, 'kms:Encrypt', 'kms:Decrypt');
    this.queue.grantSendMessages(props.hooksApi);

    new Rule(this, 'SlipwayEvents', {
      description: 'Every Slipway event goes to the webhook delivery queue',
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }
}
