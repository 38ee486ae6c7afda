import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EventBus, type CfnArchive } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../shared/domain/events';

/** How long the archive keeps events for replay. */
const EVENT_ARCHIVE_RETENTION = Duration.days(365);

/**
 * The Slipway event bus: every event Slipway publishes (source `slipway`, detail-type = event type, detail =
 * the envelope), so any AWS consumer subscribes with a rule; an archive keeps them for replay.
 */
export class SlipwayEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Slipway lifecycle events (see docs/events.md)' });
    const archive = this.bus.archive('Archive', {
      description: 'Every Slipway event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: EVENT_ARCHIVE_RETENTION,
    });
    // Without a key the construct still writes KmsKeyIdentifier "" (aws/aws-cdk#37847), which CloudFormation
    // refuses in some regions; left out, the archive is encrypted with an AWS-owned key.
    (archive.node.defaultChild as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  /** Any function that commits a change may relay its events: it publishes to this bus. */
  publishFrom(fn: IFunction & { addEnvironment: (key: string, value: string) => unknown }): void {
    this.bus.grantPutEventsTo(fn);
    fn.addEnvironment('SLIPWAY_EVENT_BUS', this.bus.eventBusName);
  }
}
