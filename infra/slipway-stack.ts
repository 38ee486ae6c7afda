import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_ACCESS, SlipwayHttpApi } from './http-api';
import { SlipwayEvents } from './events';
import { Hooks } from './hooks';
import { SlipwayAlarms } from './monitoring';
import { Rollout } from './rollout';
import { slipwayTable } from './slipway-table';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { FUNCTION_NAMES } from '../shared/api/routes';

export type SlipwayStackProps = StackProps & {
  /** Where alarm notifications go; without it, subscribe to the AlarmTopicArn output yourself. */
  alarmEmail?: string | undefined;
};

/** The whole of Slipway in one stack: table, API, rollout state machine and the alarms that watch them. */
export class SlipwayStack extends Stack {
  readonly table: TableV2;
  readonly httpApi: SlipwayHttpApi;
  readonly rollout: Rollout;
  readonly hooks: Hooks;
  readonly alarms: SlipwayAlarms;
  readonly events: SlipwayEvents;

  constructor(scope: Construct, id: string, props: SlipwayStackProps = {}) {
    super(scope, id, props);
    this.table = slipwayTable(this, 'Table');
    this.rollout = new Rollout(this, 'Rollout', { table: this.table });
    this.httpApi = new SlipwayHttpApi(this, 'HttpApi', {
      table: this.table,
      rollout: this.rollout,
    });

    // Whatever writes releases, builds, promotions or couplings relays their events.
    this.events = new SlipwayEvents(this, 'Events');
    const hooksApi = this.httpApi.functions.get('hooks');
    if (!hooksApi) throw new Error('The hooks API function is missing from the route table.');
    this.hooks = new Hooks(this, 'Hooks', { table: this.table, hooksApi, eventBus: this.events.bus });

    // Found rather than listed so a function or queue added later cannot go unwatched. Every queue in
    // this stack but the webhook delivery queue is a dead-letter queue.
    const all = this.node.findAll();
    const writers = [...this.httpApi.functions].filter(([name]) => FUNCTION_ACCESS[name].table === 'all-but-api-keys').map(([, fn]) => fn);
    for (const fn of [...writers, ...Object.values(this.rollout.steps), this.rollout.deploymentEvents, this.rollout.taskEvents, this.rollout.releasePhase.phaseEvents, this.rollout.queueReconciler]) {
      this.events.publishFrom(fn);
    }
    this.alarms = new SlipwayAlarms(this, 'Alarms', {
      functions: all.filter((construct) => construct instanceof NodejsFunction),
      stateMachines: [this.rollout.stateMachine],
      deadLetterQueues: all.filter((construct): construct is Queue => construct instanceof Queue && construct !== this.hooks.queue),
      table: this.table,
      api: this.httpApi.api,
      alarmEmail: props.alarmEmail,
    });

    acknowledgeNagFindings(
      this,
      this.rollout,
      FUNCTION_NAMES.filter((name) => FUNCTION_ACCESS[name].readsServices || FUNCTION_ACCESS[name].answersHolds).flatMap((name) => this.httpApi.functions.get(name)?.role ?? []),
      FUNCTION_NAMES.filter((name) => FUNCTION_ACCESS[name].rollouts === 'moves-queue').flatMap((name) => this.httpApi.functions.get(name)?.role ?? []),
    );

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url, description: 'Base URL of the Slipway API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'Set as SLIPWAY_TABLE for `npm run keys`' });
    new CfnOutput(this, 'RolloutStateMachineArn', { value: this.rollout.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName, description: 'Subscribe with a rule on source "slipway"' });
  }
}
