import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/http-api';
import { ROLLOUT_CONTEXT } from '../../infra/rollout';
import { API_KEY_PARTITIONS } from '../../shared/store/table-design';
import { actionsOf, identityStatements, resourcesOf, synthesizeSlipway, type PolicyStatement } from './synthesize';

/**
 * Least privilege on the shared table and on IAM roles, read from the synthesized template: API-key
 * items are written only by the key routes' function; the other HTTP functions, which authenticate their
 * own requests, may only get a key item by its hash (GetItem, or BatchGetItem with the path's app) and are
 * denied everything else of them; every other function is denied them; no role may be passed until task
 * roles are named.
 */

const { stack, template } = synthesizeSlipway();

const logicalIdOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack.table), 'Arn'] };
const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] });
const API_KEY_ITEMS = `${API_KEY_PARTITIONS.itemPrefix}*`;

/** Every policy's DynamoDB statements, by the policy that holds them (each function's role has its own). */
const dynamoStatementsByPolicy = (): Map<string, PolicyStatement[]> => {
  const byPolicy = new Map<string, PolicyStatement[]>();
  for (const { policy, statement } of identityStatements(template)) {
    if (!actionsOf(statement).some((action) => action.startsWith('dynamodb:'))) continue;
    byPolicy.set(policy, [...(byPolicy.get(policy) ?? []), statement]);
  }
  return byPolicy;
};

const policyOf = (construct: IConstruct & { role?: IConstruct | undefined }) =>
  stack.getLogicalId(construct.role!.node.findChild('DefaultPolicy').node.defaultChild as CfnElement);

const keysFunction = stack.httpApi.functions.get('keys')!;
const leadingKeys = (statement: PolicyStatement) => JSON.stringify(statement.Condition ?? {});

describe('API-key items', () => {
  it('are all the key routes’ function may touch: their partitions and the index partition that lists them', () => {
    const statements = dynamoStatementsByPolicy().get(policyOf(keysFunction)) ?? [];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      const [resource] = resourcesOf(statement);
      if (JSON.stringify(resource) === JSON.stringify(tableArn)) {
        expect(statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [API_KEY_ITEMS] } });
      } else {
        expect(resource).toEqual(indexArn(API_KEY_PARTITIONS.listIndex));
        expect(actionsOf(statement)).toEqual(['dynamodb:Query']);
        expect(statement.Condition).toEqual({
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [API_KEY_PARTITIONS.listPartition] },
        });
      }
    }
  });

  const KEY_LOOKUP = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];
  const authenticating = new Set(
    [...stack.httpApi.functions]
      .filter(([name]) => FUNCTION_ACCESS[name].table === 'all-but-api-keys')
      .map(([, fn]) => policyOf(fn)),
  );

  it('are denied, for every action it is allowed, to every other role that may use the table, but a lookup by hash to the HTTP functions', () => {
    const others = [...dynamoStatementsByPolicy()].filter(([policy]) => policy !== policyOf(keysFunction));
    expect(others.length).toBeGreaterThanOrEqual(7);
    // apps, builds, releases, config-vars, statuses, pipelines and hooks read the table and authenticate their callers.
    expect(authenticating.size).toBe(7);
    for (const [policy, statements] of others) {
      const allowedOnTable = statements
        .filter((statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Resource) === JSON.stringify(tableArn))
        .flatMap(actionsOf);
      const deniedOnKeys = statements
        .filter((statement) => statement.Effect === 'Deny' && leadingKeys(statement).includes(`"${API_KEY_ITEMS}"`))
        .flatMap(actionsOf);
      const mayLookUp = authenticating.has(policy) ? KEY_LOOKUP : [];
      expect(allowedOnTable.length, policy).toBeGreaterThan(0);
      expect(allowedOnTable, policy).toEqual(expect.arrayContaining(mayLookUp));
      expect(deniedOnKeys, policy).toEqual(expect.arrayContaining(allowedOnTable.filter((action) => !mayLookUp.includes(action))));
      expect(deniedOnKeys.filter((action) => mayLookUp.includes(action)), policy).toEqual([]);
      const listDenied = statements.some(
        (statement) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Resource) === JSON.stringify(indexArn(API_KEY_PARTITIONS.listIndex)) &&
          leadingKeys(statement).includes(`"${API_KEY_PARTITIONS.listPartition}"`),
      );
      expect(listDenied, policy).toBe(true);
    }
  });

  it('are never scanned by anyone', () => {
    for (const [policy, statements] of dynamoStatementsByPolicy()) {
      const allowed = statements.filter((statement) => statement.Effect === 'Allow').flatMap(actionsOf);
      expect(allowed.filter((action) => /Scan|dynamodb:\*/.test(action)), policy).toEqual([]);
    }
  });
});

describe('iam:PassRole', () => {
  const passRoles = (synthesized: Template) =>
    identityStatements(synthesized).filter(
      ({ statement }) => statement.Effect === 'Allow' && actionsOf(statement).includes('iam:PassRole'),
    );

  it('is granted on nothing while no task roles are configured', () => {
    expect(passRoles(template)).toEqual([]);
  });

  it('is granted on exactly the configured task roles, for ECS tasks only', () => {
    const roles = ['arn:aws:iam::123456789012:role/web-task', 'arn:aws:iam::123456789012:role/web-execution'];
    const { template: configured } = synthesizeSlipway({ [ROLLOUT_CONTEXT.taskRoles]: roles.join(',') });
    const granted = passRoles(configured);
    // The Deploy step registers revisions that name them; the release phase step runs a task of such a revision.
    expect(granted).toHaveLength(2);
    for (const { statement } of granted) {
      expect(resourcesOf(statement)).toEqual(roles);
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    }
  });
});

describe('secret config values in Parameter Store', () => {
  const ssmStatements = identityStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('ssm:')));
  const onSecrets = (statement: PolicyStatement) => JSON.stringify(resourcesOf(statement)).includes('parameter/slipway/*');

  it('are written by the releases function alone, under /slipway/ only', () => {
    const writers = ssmStatements.filter(({ statement }) => statement.Effect === 'Allow');
    expect(writers).toHaveLength(1);
    expect(writers[0]!.policy).toBe(policyOf(stack.httpApi.functions.get('config-vars')!));
    expect(actionsOf(writers[0]!.statement)).toEqual(['ssm:PutParameter']);
    expect(onSecrets(writers[0]!.statement)).toBe(true);
  });

  it('are read by no Slipway function: every one is denied them', () => {
    const deniedPolicies = new Set(
      ssmStatements
        .filter(({ statement }) => statement.Effect === 'Deny' && onSecrets(statement) && actionsOf(statement).includes('ssm:GetParameters'))
        .map(({ policy }) => policy),
    );
    for (const fn of stack.httpApi.functions.values()) expect(deniedPolicies.has(policyOf(fn))).toBe(true);
  });
});
