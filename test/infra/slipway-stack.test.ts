import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/http-api';
import { API_P99_LATENCY_ALARM } from '../../infra/monitoring';
import { DEFAULT_ROLLOUT_CONCURRENCY, ROLLOUT_CONTEXT } from '../../infra/rollout';
import type { SlipwayStack } from '../../infra/slipway-stack';
import { entryNameOf, TRACE_AWS_CALLS_CONTEXT } from '../../infra/slipway-function';
import { FUNCTION_NAMES, ROUTES, routeKeyOf } from '../../shared/api/routes';
import { TABLE_KEYS } from '../../shared/store/table-design';
import { actionsOf, identityStatements, resourcesOf, synthesizeSlipway } from './synthesize';

let stack: SlipwayStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeSlipway());
});

const logicalIdOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const onlyLogicalId = (type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const ref = (construct: IConstruct) => ({ Ref: logicalIdOf(construct) });
/** The statements of a function's own role policy. */
const statementsOf = (fn: NodejsFunction) => {
  const policy = stack.getLogicalId(fn.role!.node.findChild('DefaultPolicy').node.defaultChild as CfnElement);
  return identityStatements(template)
    .filter((entry) => entry.policy === policy)
    .map((entry) => entry.statement);
};

describe('Lambda functions', () => {
  it('all run nodejs24.x on arm64 with active tracing and their own log group', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(FUNCTION_NAMES.length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
    }
  });

  it('serve every HTTP handler; those that use the table get it and the rollout state machine in their environment', () => {
    expect([...stack.httpApi.functions.keys()].sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const [name, fn] of stack.httpApi.functions) {
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment?.Variables ?? {};
      if (FUNCTION_ACCESS[name].table !== 'none') {
        expect(variables, name).toMatchObject({
          SLIPWAY_TABLE: ref(stack.table),
          ROLLOUT_STATE_MACHINE_ARN: ref(stack.rollout.stateMachine),
        });
      } else {
        expect(variables, name).toEqual({});
      }
    }
  });

  it("trace each AWS SDK call to X-Ray only when the deployment asks (-c slipway:traceAwsCalls=true); the invocations are traced either way", () => {
    // Slipway's functions (those slipwayFunction made), not the CDK's own custom resource handlers.
    const variablesOf = (synthesized: { stack: SlipwayStack; template: Template }) =>
      synthesized.stack.node
        .findAll()
        .filter((construct): construct is NodejsFunction => construct instanceof NodejsFunction && entryNameOf(construct) !== undefined)
        .map((fn) => {
          const logicalId = synthesized.stack.getLogicalId(fn.node.defaultChild as CfnElement);
          return (synthesized.template.toJSON().Resources[logicalId].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
        });
    expect(variablesOf({ stack, template }).filter((variables) => 'SLIPWAY_TRACE_AWS_CALLS' in variables)).toEqual([]);
    const traced = variablesOf(synthesizeSlipway({ [TRACE_AWS_CALLS_CONTEXT]: 'true' }));
    expect(traced.length).toBeGreaterThan(FUNCTION_NAMES.length);
    for (const variables of traced) expect(variables.SLIPWAY_TRACE_AWS_CALLS).toBe('true');
  });
});

describe('the table', () => {
  it('is on-demand, point-in-time recoverable, deletion-protected and retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      }),
    });
  });

  it('has the keys and indexes of the shared table design, all projecting ALL', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!.Properties;
    const keySchema = (hash: string, range: string) => [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ];
    const index = (name: string, hash: string, range: string) => ({
      IndexName: name,
      KeySchema: keySchema(hash, range),
      Projection: { ProjectionType: 'ALL' },
    });
    expect(table.KeySchema).toEqual(keySchema(TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey));
    expect(table.LocalSecondaryIndexes).toEqual(
      TABLE_KEYS.localIndexes.map((lsi) => index(lsi.name, TABLE_KEYS.partitionKey, lsi.sortKey)),
    );
    expect(table.GlobalSecondaryIndexes).toEqual(
      TABLE_KEYS.globalIndexes.map((gsi) => index(gsi.name, gsi.partitionKey, gsi.sortKey)),
    );
    for (const attribute of table.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
  });
});

describe('the HTTP API', () => {
  it('has exactly one route per entry of the route table, integrated with that route’s function', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    // Plus $default, which answers Slipway's JSON 404 for anything else.
    expect(Object.keys(routes)).toHaveLength(ROUTES.length + 1);
    for (const route of ROUTES) {
      const matching = Object.values(routes).filter((resource) => resource.Properties.RouteKey === routeKeyOf(route));
      expect(matching, routeKeyOf(route)).toHaveLength(1);
      const integrationId = matching[0]!.Properties.Target['Fn::Join'][1][1].Ref as string;
      expect(integrations[integrationId]!.Properties.IntegrationUri).toEqual({
        'Fn::GetAtt': [logicalIdOf(stack.httpApi.functions.get(route.fn)!), 'Arn'],
      });
    }
  });

  it('sends requests no route matches to a public JSON 404', () => {
    const fallback = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (resource) => resource.Properties.RouteKey === '$default',
    );
    expect(fallback).toHaveLength(1);
    expect(fallback[0]!.Properties.AuthorizerId).toBeUndefined();
    const integrationId = fallback[0]!.Properties.Target['Fn::Join'][1][1].Ref as string;
    expect(template.findResources('AWS::ApiGatewayV2::Integration')[integrationId]!.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.httpApi.functions.get('openapi')!), 'Arn'],
    });
  });

  it('serves the dashboard on the same origin: GET / and its assets, public, from a function without table access', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    const dashboard = stack.httpApi.functions.get('dashboard')!;
    for (const routeKey of ['GET /', 'GET /assets/{asset}']) {
      const [route] = routes.filter((resource) => resource.Properties.RouteKey === routeKey);
      expect(route?.Properties.AuthorizerId, routeKey).toBeUndefined();
      const integrationId = route!.Properties.Target['Fn::Join'][1][1].Ref as string;
      expect(template.findResources('AWS::ApiGatewayV2::Integration')[integrationId]!.Properties.IntegrationUri).toEqual({
        'Fn::GetAtt': [logicalIdOf(dashboard), 'Arn'],
      });
    }
    expect(FUNCTION_ACCESS.dashboard).toEqual({ table: 'none', rollouts: 'none' });
  });

  it('runs no API Gateway authorizer: each function authenticates its own requests, one invocation each', () => {
    expect(template.findResources('AWS::ApiGatewayV2::Authorizer')).toEqual({});
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      expect(route.Properties.AuthorizerId, route.Properties.RouteKey).toBeUndefined();
    }
  });

  it('throttles and access-logs the stage without ever logging the query string', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    const format = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties.AccessLogSettings
      .Format as string;
    expect(format).not.toMatch(/querystring|\$context\.path|\$request/i);
  });
});

describe('the rollout', () => {
  it('is one Standard state machine logging ALL with X-Ray tracing', () => {
    onlyLogicalId('AWS::StepFunctions::StateMachine');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
    const { StateMachineType } = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!.Properties;
    expect(StateMachineType ?? 'STANDARD').toBe('STANDARD');
  });

  it('hears ECS deployment state changes through an EventBridge rule with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change', 'ECS Hook State Change'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
  });

  it('runs the queue reconciler every 5 minutes, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack.rollout.queueReconciler), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROLLOUT_STATE_MACHINE_ARN: ref(stack.rollout.stateMachine) }) },
      Description: Match.stringLikeRegexp('never started'),
    });
  });

  it('may be started only by the functions that record releases', () => {
    const machine = logicalIdOf(stack.rollout.stateMachine);
    for (const [name, fn] of stack.httpApi.functions) {
      const starts = statementsOf(fn).some(
        (statement) => actionsOf(statement).includes('states:StartExecution') && JSON.stringify(statement.Resource).includes(machine),
      );
      expect(starts, name).toBe(FUNCTION_ACCESS[name].rollouts !== 'none');
    }
  });
});

describe('rollout functions', () => {
  const rolloutFunctions = () => [
    ...Object.values(stack.rollout.steps),
    stack.rollout.deploymentEvents,
    stack.rollout.taskEvents,
    stack.rollout.releasePhase.phaseEvents,
    stack.rollout.queueReconciler,
  ];
  const reserved = (synthesized: Template, fn: NodejsFunction): unknown =>
    synthesized.toJSON().Resources[logicalIdOf(fn)].Properties.ReservedConcurrentExecutions;

  it('each keep concurrency of their own, so a burst of API traffic cannot starve a rescue; the API functions keep none', () => {
    for (const fn of rolloutFunctions()) expect(reserved(template, fn), fn.node.path).toBe(DEFAULT_ROLLOUT_CONCURRENCY);
    for (const fn of stack.httpApi.functions.values()) expect(reserved(template, fn), fn.node.path).toBeUndefined();
  });

  it('keep the concurrency given as context, or none with 0, and refuse anything but a whole number', () => {
    const withFour = synthesizeSlipway({ [ROLLOUT_CONTEXT.concurrency]: '4' });
    const withNone = synthesizeSlipway({ [ROLLOUT_CONTEXT.concurrency]: '0' });
    for (const step of ['lock', 'finish'] as const) {
      expect(reserved(withFour.template, withFour.stack.rollout.steps[step])).toBe(4);
      expect(reserved(withNone.template, withNone.stack.rollout.steps[step])).toBeUndefined();
    }
    expect(() => synthesizeSlipway({ [ROLLOUT_CONTEXT.concurrency]: 'lots' })).toThrow(/whole number/);
  });
});

describe('events', () => {
  it('go to a Slipway event bus whose archive keeps every slipway event for a year', () => {
    const bus = onlyLogicalId('AWS::Events::EventBus');
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
      EventPattern: { source: ['slipway'] },
      RetentionDays: 365,
    });
  });

  it('are archived without an empty KmsKeyIdentifier, which CloudFormation refuses in some regions', () => {
    const archive = Object.values(template.findResources('AWS::Events::Archive'))[0]!;
    expect(archive.Properties).not.toHaveProperty('KmsKeyIdentifier');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"KmsKeyIdentifier":""/);
  });

  it('may be published by every function that writes the table, and it knows the bus', () => {
    const bus = onlyLogicalId('AWS::Events::EventBus');
    for (const fn of [stack.httpApi.functions.get('releases')!, stack.httpApi.functions.get('statuses')!, stack.rollout.steps.finish, stack.rollout.queueReconciler]) {
      expect(statementsOf(fn)).toContainEqual(
        expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } }),
      );
      expect(
        (template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]!.Properties.Environment.Variables as Record<string, unknown>)
          .SLIPWAY_EVENT_BUS,
      ).toEqual({ Ref: bus });
    }
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
  const alarmOn = (metricName: string, dimension: unknown) =>
    alarms().filter(
      (alarm) => alarm.MetricName === metricName && JSON.stringify(alarm.Dimensions ?? []).includes(JSON.stringify(dimension)),
    );

  it('watch every function for errors and throttles', () => {
    for (const id of Object.keys(template.findResources('AWS::Lambda::Function'))) {
      expect(alarmOn('Errors', { Ref: id }), id).toHaveLength(1);
      expect(alarmOn('Throttles', { Ref: id }), id).toHaveLength(1);
    }
  });

  it('watch the rollout for failed, timed-out and aborted executions', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      expect(alarmOn(metric, ref(stack.rollout.stateMachine)), metric).toHaveLength(1);
    }
  });

  it('fire as soon as any dead-letter queue holds a message', () => {
    // The webhook delivery queue is the one work queue; its own dead-letter queue is among those alarmed.
    const queues = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) => id !== logicalIdOf(stack.hooks.queue));
    expect(queues).toContain(logicalIdOf(stack.hooks.deadLetterQueue));
    for (const id of queues) {
      expect(alarmOn('ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [id, 'QueueName'] }), id).toMatchObject([
        { Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' },
      ]);
    }
  });

  it('fire on any failed or unknown release, from the Slipway metrics the Finish step emits', () => {
    for (const metric of ['ReleasesFailed', 'ReleasesUnknown']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Slipway',
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: 'slipway' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('watch the API for 5xx answers', () => {
    expect(alarmOn('5xx', { Ref: logicalIdOf(stack.httpApi.api) })).toHaveLength(1);
  });

  it('all notify one KMS-encrypted topic that CloudWatch may publish to', () => {
    const topicId = onlyLogicalId('AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  it('watch the table for throttled reads and writes', () => {
    for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(alarmOn(metric, { Name: 'TableName', Value: ref(stack.table) }), metric).toMatchObject([
        { Namespace: 'AWS/DynamoDB', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' },
      ]);
    }
  });

  it('watch the API for a p99 latency that stays high', () => {
    expect(alarmOn('Latency', { Name: 'ApiId', Value: ref(stack.httpApi.api) })).toMatchObject([
      {
        Namespace: 'AWS/ApiGateway',
        ExtendedStatistic: 'p99',
        Threshold: API_P99_LATENCY_ALARM.thresholdMs,
        EvaluationPeriods: API_P99_LATENCY_ALARM.periods,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    ]);
  });

  it('mail the address given as context', () => {
    const { template: withEmail } = synthesizeSlipway({ 'slipway:alarmEmail': 'oncall@example.com' });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('warn at synth that they go nowhere while no address is given, and not once one is', () => {
    const warning = Match.stringLikeRegexp('slipway:noAlarmEmail');
    Annotations.fromStack(stack).hasWarning('*', warning);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { stack: withEmail } = synthesizeSlipway({ 'slipway:alarmEmail': 'oncall@example.com' });
    Annotations.fromStack(withEmail).hasNoWarning('*', warning);
  });
});

/**
 * The only actions allowed on "*", all without resource-level permissions in IAM: X-Ray writes and sampling
 * (tracing), CloudWatch Logs vended-log delivery (the state machine's logging), the task definition
 * calls the rollout copies a service's revision with, and resuming a parked rollout step by its task token.
 */
const RESOURCELESS_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'states:SendTaskSuccess',
];

describe('IAM', () => {
  const allowed = () => identityStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
  const granting = (prefix: string) =>
    allowed().filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith(prefix)));

  it('grants on "*" only actions that IAM cannot scope to a resource', () => {
    const onAnything = allowed().filter(({ statement }) => resourcesOf(statement).includes('*'));
    expect(onAnything.length).toBeGreaterThan(0);
    for (const { policy, statement } of onAnything) {
      for (const action of actionsOf(statement)) expect(RESOURCELESS_ACTIONS, `${policy}: ${action}`).toContain(action);
    }
  });

  it('reaches DynamoDB only through the table and its named indexes', () => {
    const table = logicalIdOf(stack.table);
    const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };
    const indexNames = [...TABLE_KEYS.localIndexes, ...TABLE_KEYS.globalIndexes].map((index) => index.name);
    const allowedResources = [tableArn, ...indexNames.map((name) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] }))];
    const statements = granting('dynamodb:');
    expect(statements.length).toBeGreaterThan(0);
    for (const { policy, statement } of statements) {
      for (const resource of resourcesOf(statement)) expect(allowedResources, policy).toContainEqual(resource);
      expect(actionsOf(statement).filter((action) => /[*]|Scan|Table$|Tables$/.test(action)), policy).toEqual([]);
    }
  });

  it('lets functions that need no table not touch it', () => {
    const tableActions = (fn: NodejsFunction) =>
      statementsOf(fn).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
    for (const [name, fn] of stack.httpApi.functions) {
      if (FUNCTION_ACCESS[name].table === 'none') expect(tableActions(fn), name).toEqual([]);
    }
  });

  it('scopes every other ECS permission to ECS resource ARNs, and updates only services tagged as managed', () => {
    const statements = granting('ecs:').filter(({ statement }) => !resourcesOf(statement).includes('*'));
    expect(statements.length).toBeGreaterThan(0);
    for (const { policy, statement } of statements) {
      for (const resource of resourcesOf(statement)) {
        expect(JSON.stringify(resource), policy).toMatch(/:(cluster|service|service-deployment|task-definition|task|container-instance)\//);
      }
      if (actionsOf(statement).includes('ecs:UpdateService')) {
        expect(JSON.stringify(statement.Condition ?? {}), policy).toContain('aws:ResourceTag/');
      }
    }
  });

  it('lets the rollout read service deployments (blue/green, linear, canary stages) and the apps API read services, and nothing more of ECS to the apps API', () => {
    const apps = granting('ecs:').filter(({ policy }) => policy.includes('AppsFunction'));
    expect(apps.flatMap(({ statement }) => actionsOf(statement))).toEqual(['ecs:DescribeServices']);
    const stages = granting('ecs:DescribeServiceDeployments');
    expect(stages.length).toBeGreaterThan(0);
    for (const { statement } of stages) expect(JSON.stringify(resourcesOf(statement))).toContain(':service-deployment/');
  });

  it('passes roles only to ECS tasks', () => {
    for (const { policy, statement } of granting('iam:PassRole')) {
      expect(JSON.stringify(statement.Condition ?? {}), policy).toContain('"iam:PassedToService":"ecs-tasks.amazonaws.com"');
    }
  });
});

describe('webhook delivery', () => {
  it('runs on an SQS queue fed by an EventBridge rule on source slipway, with a dead-letter queue that is alarmed', () => {
    const queue = logicalIdOf(stack.hooks.queue);
    const dlq = logicalIdOf(stack.hooks.deadLetterQueue);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['slipway'] },
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } })]),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: ref(stack.hooks.delivery),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => JSON.stringify(alarm.Properties.Dimensions ?? []).includes(dlq) && alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(alarms).toHaveLength(1);
  });

  it('seals hook secrets with a rotated KMS key only the hooks API and the delivery function may use', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const hooksApi = stack.httpApi.functions.get('hooks');
    expect(hooksApi).toBeDefined();
    for (const fn of [stack.hooks.delivery, hooksApi as NodejsFunction]) {
      expect(JSON.stringify(statementsOf(fn))).toContain('kms:Decrypt');
    }
    expect(JSON.stringify(statementsOf(stack.httpApi.functions.get('releases') as NodejsFunction))).not.toContain('kms:');
  });
});
