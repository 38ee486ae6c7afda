import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TABLE_KEYS, TTL_ATTRIBUTE } from '../shared/store/table-design';

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

/**
 * Item-level access to the table and queries on its named indexes. Narrower than TableV2's own grants,
 * which add `table/index/*` and table-management actions no Slipway code calls (nor Scan).
 */
export const grantTableData = (grantee: IGrantable, table: ITableV2, access: 'read' | 'read-write'): void => {
  Grant.addToPrincipal({
    grantee,
    actions: access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS],
    resourceArns: [table.tableArn],
  });
  Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: INDEX_NAMES.map((name) => `${table.tableArn}/index/${name}`),
  });
};

/** The authorizer only ever looks a key up by its hash. */
export const grantKeyLookup = (grantee: IGrantable, table: ITableV2): void => {
  Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [table.tableArn] });
};
