import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Grant, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { API_KEY_PARTITIONS, TABLE_KEYS, TTL_ATTRIBUTE } from '../shared/store/table-design';

const string = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The single Slipway table, from the same key design the local dynalite bootstrap uses. It holds every
 * release ever made, so it survives stack deletion and cannot be dropped by accident.
 */
export const slipwayTable = (scope: Construct, id: string): TableV2 =>
  new TableV2(scope, id, {
    partitionKey: string(TABLE_KEYS.partitionKey),
    sortKey: string(TABLE_KEYS.sortKey),
    localSecondaryIndexes: TABLE_KEYS.localIndexes.map((index) => ({
      indexName: index.name,
      sortKey: string(index.sortKey),
    })),
    globalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) => ({
      indexName: index.name,
      partitionKey: string(index.partitionKey),
      sortKey: string(index.sortKey),
    })),
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });

const INDEX_NAMES = [...TABLE_KEYS.localIndexes, ...TABLE_KEYS.globalIndexes].map((index) => index.name);

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

const indexArn = (table: ITableV2, name: string) => `${table.tableArn}/index/${name}`;

/**
 * `only`: every partition a request names is an API-key one (for Allow); `any`: at least one is (for Deny).
 * Conditions on `dynamodb:LeadingKeys`, the partition keys of the items (or index entries) a request reaches.
 */
type Reach = 'only' | 'any';
const QUANTIFIER: Record<Reach, string> = { only: 'ForAllValues', any: 'ForAnyValue' };

const keyItemsStatement = (effect: Effect, reach: Reach, table: ITableV2, actions: string[]) =>
  new PolicyStatement({
    effect,
    actions,
    resources: [table.tableArn],
    conditions: { [`${QUANTIFIER[reach]}:StringLike`]: { 'dynamodb:LeadingKeys': [`${API_KEY_PARTITIONS.itemPrefix}*`] } },
  });

const keyListStatement = (effect: Effect, reach: Reach, table: ITableV2) =>
  new PolicyStatement({
    effect,
    actions: ['dynamodb:Query'],
    resources: [indexArn(table, API_KEY_PARTITIONS.listIndex)],
    conditions: { [`${QUANTIFIER[reach]}:StringEquals`]: { 'dynamodb:LeadingKeys': [API_KEY_PARTITIONS.listPartition] } },
  });

const addStatements = (grantee: IGrantable, statements: PolicyStatement[]) => {
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
};

/** How a key is looked up by its hash, alone or in one BatchGetItem with the app a request names. */
const KEY_LOOKUP_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];

/**
 * Item-level access to the table and queries on its named indexes, but never to API-key items: an
 * explicit Deny on their partitions that no Allow can undo. With `keyLookup` (functions that authenticate
 * their requests) the Deny leaves out getting a key item by its hash, which needs the key itself. Narrower
 * than TableV2's own grants, which add `table/index/*` and table-management actions no Slipway code calls
 * (nor Scan).
 */
export const grantTableData = (
  grantee: IGrantable,
  table: ITableV2,
  access: 'read' | 'read-write',
  options: { keyLookup: boolean } = { keyLookup: false },
): void => {
  const actions = access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS];
  Grant.addToPrincipal({ grantee, actions, resourceArns: [table.tableArn] });
  Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: INDEX_NAMES.map((name) => indexArn(table, name)) });
  const deniedOnKeys = options.keyLookup ? actions.filter((action) => !KEY_LOOKUP_ACTIONS.includes(action)) : actions;
  addStatements(grantee, [keyItemsStatement(Effect.DENY, 'any', table, deniedOnKeys), keyListStatement(Effect.DENY, 'any', table)]);
};

/** The key routes' function: API-key items and their list, and nothing else of the table. */
export const grantApiKeyItems = (grantee: IGrantable, table: ITableV2): void =>
  addStatements(grantee, [
    keyItemsStatement(Effect.ALLOW, 'only', table, [...READ_ACTIONS, ...WRITE_ACTIONS]),
    keyListStatement(Effect.ALLOW, 'only', table),
  ]);
