import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * DynamoDB calls one request made, by kind, with the capacity units DynamoDB says they consumed; `calls`
 * names each with the items it touched (keys with their ids left out), in the order they were sent.
 */
export type DynamoTally = { reads: number; writes: number; readUnits: number; writeUnits: number; commands: string[]; calls: string[] };

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

type ConsumedCapacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

type Input = Record<string, unknown>;

/** An item's key with its ids left out (`APP#…/RELEASE#…`), what tells one kind of item from another. */
const shapeOf = (value: unknown): string =>
  String(value !== null && typeof value === 'object' && 'S' in value ? value.S : value)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…')
    .replace(/[0-9a-f]{64}/gi, '…')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…')
    .replace(/\d+/g, 'N');

const keyOf = (item: unknown): string => {
  const { pk, sk } = (item ?? {}) as Input;
  return `${shapeOf(pk)}/${shapeOf(sk)}`;
};

/** What one call touched: the keys it reads or writes, the index it queries. */
const describe = (command: string, input: Input): string => {
  const name = command.replace(/Command$/, '');
  if ('Key' in input) return `${name} ${keyOf(input.Key)}`;
  if ('Item' in input) return `${name} ${keyOf(input.Item)}`;
  if ('RequestItems' in input) {
    const requests = Object.values(input.RequestItems as Record<string, unknown>).flatMap((entry) =>
      Array.isArray(entry) ? entry.map((request: Input) => keyOf((request.PutRequest as Input | undefined)?.Item ?? (request.DeleteRequest as Input | undefined)?.Key)) : ((entry as Input).Keys as unknown[]).map(keyOf),
    );
    return `${name} [${requests.join(', ')}]`;
  }
  if ('TransactItems' in input) return `${name} [${(input.TransactItems as Input[]).map((entry) => Object.keys(entry)[0]).join(', ')}]`;
  if ('KeyConditionExpression' in input) {
    const values = Object.values((input.ExpressionAttributeValues ?? {}) as Input).map(shapeOf).join(', ');
    return `${name} ${String(input.IndexName ?? 'table')} (${values})`;
  }
  return name;
};

const unitsOf = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, kind: 'read' | 'write'): number =>
  [consumed ?? []].flat().reduce((sum, entry) => {
    const specific = kind === 'read' ? entry.ReadCapacityUnits : entry.WriteCapacityUnits;
    return sum + (specific ?? entry.CapacityUnits ?? 0);
  }, 0);

/**
 * Counts the commands the store's client sends where `counts()` holds (an SDK middleware, so nothing in
 * Slipway changes) and asks DynamoDB for the capacity each consumed. `take()` returns the tally since the
 * last take and starts anew; `inFlight()` is how many counted calls have not answered yet.
 */
export const countDynamoCalls = (
  client: DynamoDBDocumentClient,
  name: string,
  counts: () => boolean,
): { take: () => DynamoTally; inFlight: () => number } => {
  let tally: DynamoTally = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, commands: [], calls: [] };
  let inFlight = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!counts()) return next(args);
      const command = context.commandName ?? 'unknown';
      const input = args.input as Input & { ReturnConsumedCapacity?: string };
      const call = describe(command, input);
      input.ReturnConsumedCapacity = 'TOTAL';
      inFlight += 1;
      const isRead = READS.has(command);
      const count = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, failed: boolean) => {
        tally.commands.push(command.replace(/Command$/, ''));
        tally.calls.push(failed ? `${call} (refused)` : call);
        if (isRead) {
          tally.reads += 1;
          tally.readUnits += unitsOf(consumed, 'read');
        } else {
          tally.writes += 1;
          tally.writeUnits += unitsOf(consumed, 'write');
        }
      };
      // A refused call (a condition that did not hold) is a call too, and DynamoDB bills a refused write.
      const result = await next(args)
        .catch((error: unknown) => {
          count((error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity, true);
          throw error;
        })
        .finally(() => {
          inFlight -= 1;
        });
      count((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity, false);
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    inFlight: () => inFlight,
    take: () => {
      const taken = tally;
      tally = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, commands: [], calls: [] };
      return taken;
    },
  };
};
