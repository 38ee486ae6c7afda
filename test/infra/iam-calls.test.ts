import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IConstruct } from 'constructs';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_CALLS, STATE_MACHINE_CALLS, type AwsCall, type CallTarget } from '../../infra/aws-calls';
import { ROLLOUT_CONTEXT } from '../../infra/rollout';
import { entryNameOf, slipwayFunction } from '../../infra/slipway-function';
import type { SlipwayStack } from '../../infra/slipway-stack';
import { SECRET_PATH_PREFIX } from '../../shared/secrets/secret-store';
import { ACCOUNT, REGION, evaluate, resolveTemplate, type ResolvedTemplate } from './iam-simulation';
import { synthesizeSlipway } from './synthesize';

/**
 * Every AWS call each function and the rollout state machine make (infra/aws-calls.ts) is allowed by the
 * policies of the role that makes it, as an IAM policy evaluator (@cloud-copilot/iam-simulate, with the
 * actions' resource types from the Service Authorization Reference) finds them in the synthesized template.
 * Nothing checks IAM locally, so this is where a missing grant shows before it fails in AWS.
 */

const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/web-task`;
const RELEASE_PHASE_LOG_GROUP = '/ecs/web';
const arnIn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

type Checked = { stack: SlipwayStack; template: Template; resolved: ResolvedTemplate; withTaskRoles: boolean };

const check = (context: Record<string, unknown>, withTaskRoles: boolean): Checked => {
  const { stack, template } = synthesizeSlipway(context);
  return { stack, template, resolved: resolveTemplate(template), withTaskRoles };
};

const functionsOf = (scope: IConstruct): NodejsFunction[] =>
  scope.node.findAll().filter((construct): construct is NodejsFunction => construct instanceof NodejsFunction);

const listOf = (fn: NodejsFunction): readonly AwsCall[] | undefined => {
  const entry = entryNameOf(fn);
  return entry !== undefined && Object.hasOwn(FUNCTION_CALLS, entry) ? FUNCTION_CALLS[entry as keyof typeof FUNCTION_CALLS] : undefined;
};

/** The ARN each call target has in this deployment, for the function making the call. */
const arnOf = ({ stack, resolved }: Checked, target: CallTarget, fn: NodejsFunction | undefined): string => {
  const deployed = (token: string) => {
    const value = resolved.resolve(stack.resolve(token));
    if (typeof value !== 'string') throw new Error(`${token} resolved to ${JSON.stringify(value)}`);
    return value;
  };
  const own = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`${target} asked of ${fn ? entryNameOf(fn) : 'the state machine'}, which has no ${what}`);
    return value;
  };
  if (target.startsWith('index:')) return `${deployed(stack.table.tableArn)}/index/${target.slice('index:'.length)}`;
  if (target.startsWith('rollout-step:')) {
    const step = target.slice('rollout-step:'.length) as keyof SlipwayStack['rollout']['steps'];
    return deployed(stack.rollout.steps[step].functionArn);
  }
  const machine = stack.rollout.stateMachine;
  const targets: Record<Exclude<CallTarget, `index:${string}` | `rollout-step:${string}`>, () => string> = {
    any: () => '*',
    table: () => deployed(stack.table.tableArn),
    'state-machine': () => deployed(machine.stateMachineArn),
    'rollout-execution': () => arnIn('states', `execution:${deployed(machine.stateMachineName)}:0b8f1f8e-7a64-4d5c-9a53-2f4e6c1d8b90`),
    'event-bus': () => deployed(stack.events.bus.eventBusArn),
    'hook-key': () => deployed(stack.hooks.key.keyArn),
    'hook-queue': () => deployed(stack.hooks.queue.queueArn),
    'secret-parameter': () => arnIn('ssm', `parameter${SECRET_PATH_PREFIX}3f2b6c1e/5d0c2a7e/DATABASE_URL`),
    'ecs-service': () => arnIn('ecs', 'service/prod/web'),
    'ecs-service-deployment': () => arnIn('ecs', 'service-deployment/prod/web/r9i43YFjvgF_xlg7m2eJ1r'),
    'task-definition': () => arnIn('ecs', 'task-definition/web:42'),
    'task-role': () => TASK_ROLE,
    'ecs-task': () => arnIn('ecs', 'task/prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0'),
    'release-phase-log-stream': () => arnIn('logs', `log-group:${RELEASE_PHASE_LOG_GROUP}:log-stream:ecs/web/0f1e2d3c4b5a69788796a5b4c3d2e1f0`),
    'own-log-group': () => arnIn('logs', `log-group:${deployed(own('log group', fn?.logGroup).logGroupName)}:log-stream:2025/01/01/[$LATEST]0f1e2d3c`),
    'own-dead-letter-queue': () => deployed(own('dead-letter queue', fn?.deadLetterQueue).queueArn),
  };
  return targets[target as keyof typeof targets]();
};

const logicalIdOf = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

type Identity = { roleId: string; fn?: NodejsFunction };

/** The calls IAM would not allow, each with IAM's answer; `policies` replaces the role's own when given. */
const deniedCalls = async (checked: Checked, identity: Identity, calls: readonly AwsCall[], policies = checked.resolved.rolePolicies(identity.roleId)) => {
  const verdicts = await Promise.all(
    calls
      // The second configuration names the task roles and the release phase's log groups alike.
      .filter((call) => checked.withTaskRoles || (!call.onlyWithTaskRoles && !call.onlyWithLogGroups))
      .map(async (call) => {
        const resource = arnOf(checked, call.on, identity.fn);
        const verdict = await evaluate({
          principal: checked.resolved.roleArn(identity.roleId),
          action: call.action,
          resource,
          context: call.context,
          identityPolicies: policies,
          resourcePolicy: checked.resolved.resourcePolicyOf(resource),
        });
        return `${call.action} on ${call.on}: ${verdict}`;
      }),
  );
  return verdicts.filter((verdict) => !verdict.endsWith(': Allowed'));
};

const functionIdentity = (checked: Checked, fn: NodejsFunction): Identity => ({ roleId: logicalIdOf(checked.stack, fn.role!), fn });

const configurations = [
  ['as deployed without context', check({}, false)],
  [
    'with named clusters and task roles',
    check(
      { [ROLLOUT_CONTEXT.clusters]: 'prod,staging', [ROLLOUT_CONTEXT.taskRoles]: TASK_ROLE, [ROLLOUT_CONTEXT.releasePhaseLogGroups]: RELEASE_PHASE_LOG_GROUP },
      true,
    ),
  ],
] as const;

describe.each(configurations)('IAM, %s,', (_, checked) => {
  const functions = functionsOf(checked.stack);

  it('has a list of AWS calls for every function it deploys, and none for a function it does not', () => {
    expect(functions.length).toBe(Object.keys(FUNCTION_CALLS).length);
    expect(functions.filter((fn) => listOf(fn) === undefined).map((fn) => fn.node.path)).toEqual([]);
    expect(new Set(functions.map(entryNameOf))).toEqual(new Set(Object.keys(FUNCTION_CALLS)));
  });

  it.each(functions.map((fn) => [entryNameOf(fn) ?? fn.node.path, fn] as const))('allows every call the %s function makes', async (_entry, fn) => {
    expect(await deniedCalls(checked, functionIdentity(checked, fn), listOf(fn) ?? [])).toEqual([]);
  });

  it('allows every call the rollout state machine makes', async () => {
    const roleId = logicalIdOf(checked.stack, checked.stack.rollout.stateMachine.role);
    expect(await deniedCalls(checked, { roleId }, STATE_MACHINE_CALLS)).toEqual([]);
  });
});

describe('the IAM check', () => {
  const [, checked] = configurations[0];
  const fnOf = (entry: string) => functionsOf(checked.stack).find((fn) => entryNameOf(fn) === entry)!;
  const actionsOf = (statement: Record<string, unknown>): string[] => [statement.Action ?? []].flat() as string[];

  it('finds what a role without its Step Functions rights is denied: the statuses function could not start the rollback it records', async () => {
    const statuses = functionIdentity(checked, fnOf('statuses'));
    const withoutStates = checked.resolved.rolePolicies(statuses.roleId).map((policy) => ({
      ...policy,
      Statement: policy.Statement.filter((statement) => !actionsOf(statement).some((action) => action.startsWith('states:'))),
    }));
    expect(await deniedCalls(checked, statuses, FUNCTION_CALLS.statuses, withoutStates)).toEqual([
      'states:StartExecution on state-machine: ImplicitlyDenied',
      'states:DescribeExecution on rollout-execution: ImplicitlyDenied',
      'states:SendTaskSuccess on any: ImplicitlyDenied',
    ]);
  });

  it('finds states:SendTaskSuccess denied when it is granted on the state machine: IAM defines no resource type for it', async () => {
    const lock = functionIdentity(checked, fnOf('rollout-lock'));
    const machine = arnOf(checked, 'state-machine', undefined);
    const scopedToMachine = checked.resolved.rolePolicies(lock.roleId).map((policy) => ({
      ...policy,
      Statement: policy.Statement.map((statement) =>
        actionsOf(statement).includes('states:SendTaskSuccess') ? { ...statement, Resource: machine } : statement,
      ),
    }));
    expect(await deniedCalls(checked, lock, FUNCTION_CALLS['rollout-lock'], scopedToMachine)).toEqual([
      'states:SendTaskSuccess on any: ImplicitlyDenied',
    ]);
  });

  it('finds a request IAM denies by its condition keys: an API key’s item written by a function other than the key routes', async () => {
    const apps = functionIdentity(checked, fnOf('apps'));
    const writeKey = { action: 'dynamodb:PutItem', on: 'table', context: { 'dynamodb:LeadingKeys': ['APIKEY#9b74c989'] } } as const;
    expect(await deniedCalls(checked, apps, [writeKey])).toEqual(['dynamodb:PutItem on table: ExplicitlyDenied']);
  });

  it('keeps a release phase to the named clusters, roles and log groups', async () => {
    const [, scoped] = configurations[1];
    const step = functionIdentity(scoped, functionsOf(scoped.stack).find((fn) => entryNameOf(fn) === 'rollout-release-phase')!);
    const releases = functionIdentity(scoped, functionsOf(scoped.stack).find((fn) => entryNameOf(fn) === 'releases')!);
    const elsewhere = [{ action: 'ecs:RunTask', on: 'task-definition', context: { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:123456789012:cluster/other' } }] as const;
    expect(await deniedCalls(scoped, step, elsewhere)).toEqual(['ecs:RunTask on task-definition: ImplicitlyDenied']);
    // Until the task roles are named, the step may pass none (a task definition that names one then fails to run).
    const passRole = [{ action: 'iam:PassRole', on: 'task-role', context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }] as const;
    expect(await deniedCalls(checked, functionIdentity(checked, fnOf('rollout-release-phase')), passRole)).toEqual(['iam:PassRole on task-role: ImplicitlyDenied']);
    // Without log groups named, the releases function may read no release phase output at all.
    const readOutput = [{ action: 'logs:GetLogEvents', on: 'release-phase-log-stream' }] as const;
    expect(await deniedCalls(scoped, releases, readOutput)).toEqual([]);
    expect(await deniedCalls(checked, functionIdentity(checked, fnOf('releases')), readOutput)).toEqual([
      'logs:GetLogEvents on release-phase-log-stream: ImplicitlyDenied',
    ]);
  });

  it('finds a function deployed without a list of its calls', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Unlisted');
    // Any module will do: nothing is bundled. bench/run.ts is no function, so no list names it.
    const unlisted = slipwayFunction(stack, 'Unlisted', { entry: 'bench/run.ts' });
    expect(entryNameOf(unlisted)).toBe('run');
    expect(listOf(unlisted)).toBeUndefined();
  });
});

/** lib-dynamodb's document commands, by the DynamoDB action each sends. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  Query: 'Query',
  Scan: 'Scan',
};
const SERVICE_OF_PACKAGE: Readonly<Record<string, string>> = {
  'lib-dynamodb': 'dynamodb',
  'client-dynamodb': 'dynamodb',
  'client-sfn': 'states',
  'client-ecs': 'ecs',
  'client-eventbridge': 'events',
  'client-cloudwatch-logs': 'logs',
  'client-kms': 'kms',
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
};
/** Sent by the local runtime alone: listUnfinishedDeliveries resumes local webhook retries after a restart. */
const LOCAL_ONLY = new Set(['dynamodb:Scan']);

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  );

/** The IAM action of each AWS SDK command (or paginator) the code under `folders` imports. */
const actionsImported = (folders: string[]): Set<string> => {
  const actions = new Set<string>();
  for (const file of folders.flatMap(sourceFiles)) {
    for (const [, names = '', sdkPackage = ''] of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/([^']+)'/g)) {
      const service = SERVICE_OF_PACKAGE[sdkPackage];
      for (const name of names.split(',').map((part) => part.trim())) {
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!operation) continue;
        if (!service) throw new Error(`${file} sends ${name} of @aws-sdk/${sdkPackage}, a client this check does not know`);
        actions.add(`${service}:${sdkPackage === 'lib-dynamodb' ? (DOCUMENT_COMMANDS[operation] ?? operation) : operation}`);
      }
    }
  }
  return actions;
};

describe('the lists of AWS calls', () => {
  it('name every AWS SDK command the service code sends', () => {
    const listed = new Set(Object.values(FUNCTION_CALLS).flatMap((calls) => calls.map((call) => call.action)));
    const sent = actionsImported(['functions', 'shared']);
    expect(sent.size).toBeGreaterThan(10);
    expect([...sent].filter((action) => !listed.has(action) && !LOCAL_ONLY.has(action))).toEqual([]);
  });
});
