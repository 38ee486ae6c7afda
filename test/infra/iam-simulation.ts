import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';
import type { AwsCall } from '../../infra/aws-calls';

/**
 * Evaluates AWS calls against the IAM policies of a synthesized template, as IAM would once it is deployed
 * in one account and region: every CloudFormation reference is resolved to the ARN it would have, each
 * resource named after its logical id.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

const arnIn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** What Ref and Fn::GetAtt answer for each resource type the policies reference. */
const ATTRIBUTES: Readonly<Record<string, (id: string) => Readonly<Record<string, string>>>> = {
  'AWS::DynamoDB::GlobalTable': (id) => ({ Ref: id, Arn: arnIn('dynamodb', `table/${id}`) }),
  'AWS::StepFunctions::StateMachine': (id) => ({ Ref: arnIn('states', `stateMachine:${id}`), Arn: arnIn('states', `stateMachine:${id}`), Name: id }),
  'AWS::Events::EventBus': (id) => ({ Ref: id, Name: id, Arn: arnIn('events', `event-bus/${id}`) }),
  'AWS::SQS::Queue': (id) => ({ Ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`, QueueName: id, Arn: arnIn('sqs', id) }),
  'AWS::KMS::Key': (id) => ({ Ref: id, KeyId: id, Arn: arnIn('kms', `key/${id}`) }),
  'AWS::Logs::LogGroup': (id) => ({ Ref: id, Arn: arnIn('logs', `log-group:${id}:*`) }),
  'AWS::Lambda::Function': (id) => ({ Ref: id, Arn: arnIn('lambda', `function:${id}`) }),
  'AWS::IAM::Role': (id) => ({ Ref: id, Arn: `arn:aws:iam::${ACCOUNT}:role/${id}` }),
  'AWS::SNS::Topic': (id) => ({ Ref: arnIn('sns', id), TopicArn: arnIn('sns', id) }),
  'AWS::Events::Rule': (id) => ({ Ref: id, Arn: arnIn('events', `rule/${id}`) }),
};

type Resource = { Type: string; Properties?: Record<string, unknown> };
type PolicyDocument = { Version?: string; Statement: Record<string, unknown>[] };

const stringOf = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
};

export type ResolvedTemplate = {
  /** A template value with every intrinsic function replaced by what CloudFormation would put there. */
  resolve: (value: unknown) => unknown;
  /** The identity policies of a role: its inline ones and every AWS::IAM::Policy attached to it. */
  rolePolicies: (roleId: string) => PolicyDocument[];
  /** The resource policy of a KMS key (its key policy) or of an SQS queue, by the resource's ARN. */
  resourcePolicyOf: (arn: string) => PolicyDocument | undefined;
  roleArn: (roleId: string) => string;
};

export const resolveTemplate = (template: Template): ResolvedTemplate => {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const attribute = (id: string, name: string): string => {
    const resource = resources[id];
    const value = resource && ATTRIBUTES[resource.Type]?.(id)[name];
    if (value === undefined) throw new Error(`cannot resolve ${name} of ${id} (${resource?.Type ?? 'no such resource'})`);
    return value;
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [fn, argument] = entries[0] ?? [];
    if (entries.length === 1 && fn === 'Ref') return PSEUDO_PARAMETERS[stringOf(argument)] ?? attribute(stringOf(argument), 'Ref');
    if (entries.length === 1 && fn === 'Fn::GetAtt') {
      const [id, name] = argument as [string, string];
      return attribute(id, name);
    }
    if (entries.length === 1 && fn === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => stringOf(resolve(part))).join(separator);
    }
    if (entries.length === 1 && fn === 'Fn::Split') {
      const [separator, source] = argument as [string, unknown];
      return stringOf(resolve(source)).split(separator);
    }
    if (entries.length === 1 && fn === 'Fn::Select') {
      const [index, list] = argument as [number | string, unknown];
      return (resolve(list) as unknown[])[Number(index)];
    }
    if (entries.length === 1 && fn?.startsWith('Fn::')) throw new Error(`no resolver for ${fn}`);
    return Object.fromEntries(entries.map(([key, inner]) => [key, resolve(inner)]));
  };

  const documentsOf = (type: string, attachedTo: (properties: Record<string, unknown>) => unknown[], id: string, documentKey: string) =>
    Object.values(resources)
      .filter((resource) => resource.Type === type && attachedTo(resource.Properties ?? {}).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: id })))
      .map((resource) => resolve(resource.Properties?.[documentKey]) as PolicyDocument);

  return {
    resolve,
    rolePolicies: (roleId) => {
      const role = resources[roleId];
      if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
      // A managed policy's statements are not in the template: the check could not see what it allows.
      if (role.Properties?.ManagedPolicyArns) throw new Error(`${roleId} has managed policies the check cannot read`);
      const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((policy) => resolve(policy.PolicyDocument) as PolicyDocument);
      return [...inline, ...documentsOf('AWS::IAM::Policy', (properties) => (properties.Roles ?? []) as unknown[], roleId, 'PolicyDocument')];
    },
    resourcePolicyOf: (arn) => {
      const owner = Object.entries(resources).find(
        ([id, resource]) => (resource.Type === 'AWS::KMS::Key' || resource.Type === 'AWS::SQS::Queue') && attribute(id, 'Arn') === arn,
      );
      if (!owner) return undefined;
      const [id, resource] = owner;
      if (resource.Type === 'AWS::KMS::Key') return resolve(resource.Properties?.KeyPolicy) as PolicyDocument;
      const [queuePolicy, ...more] = documentsOf('AWS::SQS::QueuePolicy', (properties) => (properties.Queues ?? []) as unknown[], id, 'PolicyDocument');
      if (more.length > 0) throw new Error(`${id} has more than one queue policy`);
      return queuePolicy;
    },
    roleArn: (roleId) => attribute(roleId, 'Arn'),
  };
};

/** IAM's answer to one request; `invalid` when IAM would not even evaluate it (an unknown action, a resource of the wrong type). */
export type Verdict = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | `invalid: ${string}`;

export type Request = {
  principal: string;
  action: string;
  resource: string;
  context?: AwsCall['context'];
  identityPolicies: PolicyDocument[];
  resourcePolicy?: PolicyDocument | undefined;
};

export const evaluate = async (request: Request): Promise<Verdict> => {
  const outcome = await runSimulation(
    {
      identityPolicies: request.identityPolicies.map((policy, index) => ({ name: `policy${index}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        // Every AWS SDK call goes over TLS; queue policies deny any other.
        contextVariables: Object.fromEntries(
          Object.entries({ 'aws:SecureTransport': 'true', ...request.context }).map(([key, value]) => [key, typeof value === 'string' ? value : [...value]]),
        ),
      },
    },
    {},
  );
  if (outcome.resultType === 'error') return `invalid: ${JSON.stringify(outcome.errors)}`;
  return outcome.overallResult;
};
