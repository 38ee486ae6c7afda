import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB calls one request made, by kind, with the capacity units DynamoDB says they consumed. */
export type DynamoTally = { reads: number; writes: number; readUnits: number; writeUnits: number; commands: string[] };

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

type ConsumedCapacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

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
  let tally: DynamoTally = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, commands: [] };
  let inFlight = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!counts()) return next(args);
      const command = context.commandName ?? 'unknown';
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      inFlight += 1;
      const result = await next(args).finally(() => {
        inFlight -= 1;
      });
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      const isRead = READS.has(command);
      tally.commands.push(command.replace(/Command$/, ''));
      if (isRead) {
        tally.reads += 1;
        tally.readUnits += unitsOf(consumed, 'read');
      } else {
        tally.writes += 1;
        tally.writeUnits += unitsOf(consumed, 'write');
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    inFlight: () => inFlight,
    take: () => {
      const taken = tally;
      tally = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, commands: [] };
      return taken;
    },
  };
};
