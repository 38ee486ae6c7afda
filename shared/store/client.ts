import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { createAwsClient } from '../aws/aws-client';
import { DEFAULT_TABLE_NAME, KEY_ATTRIBUTES, OUTBOX_ATTRIBUTE } from './table-design';
import { appPartition, idIndexPartition } from './keys';
import { escapeMapKeys, unescapeMapKeys } from './map-keys';
import { config } from '../config/config';
import { deadlineSignal } from '../runtime/deadline';

export type Store = { client: DynamoDBDocumentClient; tableName: string };

let store: Store | undefined;

/**
 * One document client per process, built from the environment on first use: SLIPWAY_TABLE names the
 * table and DYNAMODB_ENDPOINT points at dynalite when running locally.
 */
export const getStore = (): Store => {
  store ??= createStore({
    tableName: config().tableName ?? DEFAULT_TABLE_NAME,
    endpoint: config().dynamodbEndpoint,
  });
  return store;
};

export const createStore = (options: { tableName: string; endpoint?: string | undefined }): Store => {
  // DynamoDB answers in milliseconds: two seconds without an answer is a hung call, not a slow one.
  const client = DynamoDBDocumentClient.from(
    createAwsClient(DynamoDBClient, { endpoint: options.endpoint, maxAttempts: 5, requestTimeoutMs: 2_000 }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  // The initialize step wraps the document client's (un)marshalling: map keys it cannot carry are escaped
  // in every input before it is marshalled and unescaped in every output after it is unmarshalled.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next({ ...args, input: escapeMapKeys(args.input) });
      return { ...result, output: unescapeMapKeys(result.output) };
    },
    { step: 'initialize', name: 'slipwayMapKeys' },
  );
  // A call made under a deadline (an HTTP invocation's, a step's that must leave time for what follows) stops
  // retrying when it passes: the SDK's retry middleware races its backoff and its next attempt against this signal.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // Where the SDK keeps a call's own options (@smithy/types' SMITHY_CONTEXT_KEY).
      const smithy = context.__smithy_context;
      const abortSignal = smithy?.abortSignal === undefined ? deadlineSignal() : undefined;
      if (smithy && abortSignal) smithy.abortSignal = abortSignal;
      return next(args);
    },
    { step: 'initialize', name: 'slipwayDeadline' },
  );
  return { client, tableName: options.tableName };
};

/** Lets the local server and tests point every adapter at their own table. */
export const useStore = (next: Store): void => {
  store = next;
};

/** Strips storage keys from an item so only the entity's own fields remain. */
export const entityOf = <T>(item: Record<string, unknown>): T => {
  const entity: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete entity[key];
  delete entity[OUTBOX_ATTRIBUTE];
  return entity as T;
};

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The entity of the first item a Query on one key answers, if any. */
const firstEntityOf = async <T>(query: Omit<QueryCommandInput, 'TableName'>): Promise<T | undefined> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(new QueryCommand({ TableName: tableName, ...query }));
  const item = Items?.[0];
  return item ? entityOf<T>(item) : undefined;
};

/** Finds any entity by its id alone through gsi1 (`ID#{id}`, sort key = the entity kind). */
export const findEntityById = <T>(id: string, kind: string): Promise<T | undefined> =>
  firstEntityOf<T>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :id AND gsi1sk = :kind',
    ExpressionAttributeValues: { ':id': idIndexPartition(id), ':kind': kind },
  });

/** The app's item whose lsi1sk is `localKey` (a release by id, a config version by its change), read consistently. */
export const findOfAppByLocalKey = <T>(appId: string, localKey: string): Promise<T | undefined> =>
  firstEntityOf<T>({
    IndexName: 'lsi1',
    KeyConditionExpression: 'pk = :app AND lsi1sk = :key',
    ExpressionAttributeValues: { ':app': appPartition(appId), ':key': localKey },
    ConsistentRead: true,
  });

type Item = Record<string, unknown>;

/** Every item of a Query or a Scan, page after page: DynamoDB ends a page at 1 MB. */
const everyItem = async (readPage: (startKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await readPage(startKey);
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

export const queryAll = (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> => {
  const { client, tableName } = getStore();
  return everyItem((startKey) => client.send(new QueryCommand({ TableName: tableName, ...input, ExclusiveStartKey: startKey })));
};

export const scanAll = (input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> => {
  const { client, tableName } = getStore();
  return everyItem((startKey) => client.send(new ScanCommand({ TableName: tableName, ...input, ExclusiveStartKey: startKey })));
};

/** The app's item with the greatest sort key under `prefix` (its newest release, config version, …), read consistently. */
export const findNewestOfApp = async (appId: string, prefix: string): Promise<Item | undefined> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :app AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':app': appPartition(appId), ':prefix': prefix },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0];
};

/** Runs a conditional write: true if it was made, false if its condition did not hold. */
export const whenConditionHolds = async (send: () => Promise<unknown>): Promise<boolean> => {
  try {
    await send();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/**
 * Writes `item` only where no item has its key: the one way Slipway claims a name, a version slot or a
 * once-only marker. False when the key was taken already, which callers turn into their own answer.
 */
export const putIfAbsent = (item: Record<string, unknown>): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
  );
};
