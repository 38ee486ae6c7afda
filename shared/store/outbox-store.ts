import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { EventIntent, PendingEvent } from '../domain/events';
import type { Actor } from '../domain/model';
import { getStore, isConditionFailure, whenConditionHolds } from './client';
import { OUTBOX_PARTITION } from './keys';
import { OUTBOX_ATTRIBUTE, TOMBSTONE_ATTRIBUTE } from './table-design';

/**
 * The transactional outbox without transactions: a change's events travel in the same conditional write as
 * the change itself (appended to the item's `outbox` list), so the change and its events are committed
 * together or not at all. The relay (shared/events) publishes them and then removes them here.
 */
export type ItemKey = { pk: string; sk: string };

export const pendingEvents = (intents: readonly EventIntent[], time: string, actor: Actor | null): PendingEvent[] =>
  intents.map(({ id, ...intent }) => ({ id: id ?? randomUUID(), time, actor, ...intent }));

/** Attributes of a new item that carries `events`: spread into its put. */
export const outboxOfNewItem = (events: readonly PendingEvent[]) =>
  events.length === 0 ? {} : { [OUTBOX_ATTRIBUTE]: events, gsi3pk: OUTBOX_PARTITION, gsi3sk: events[0]?.time };

/** Update-expression parts that append `events` to an item's outbox, for the write that makes the change. */
export const outboxAppend = (
  events: readonly PendingEvent[],
): { assignments: string[]; names: Record<string, string>; values: Record<string, unknown> } =>
  events.length === 0
    ? { assignments: [], names: {}, values: {} }
    : {
        assignments: ['#outbox = list_append(if_not_exists(#outbox, :outboxNone), :outboxNew)', 'gsi3pk = :outboxPk', 'gsi3sk = :outboxAt'],
        names: { '#outbox': OUTBOX_ATTRIBUTE },
        values: { ':outboxNone': [], ':outboxNew': events, ':outboxPk': OUTBOX_PARTITION, ':outboxAt': events[0]?.time },
      };

// Keys this process wrote events to, for the relay to publish right after the request or step.
const noted = new Map<string, ItemKey>();

export const noteOutbox = (key: ItemKey): void => {
  noted.set(`${key.pk}\u0000${key.sk}`, { pk: key.pk, sk: key.sk });
};

export const takeNotedOutboxes = (): ItemKey[] => {
  const keys = [...noted.values()];
  noted.clear();
  return keys;
};

/** Items with events pending since before `committedBefore`, oldest first. */
export const listOutboxes = async (committedBefore: string, limit: number): Promise<ItemKey[]> => {
  const { client, tableName } = getStore();
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :outbox AND gsi3sk < :before',
      ExpressionAttributeValues: { ':outbox': OUTBOX_PARTITION, ':before': committedBefore },
      ProjectionExpression: 'pk, sk',
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
};

export const outboxOf = (item: Record<string, unknown>): PendingEvent[] => (item[OUTBOX_ATTRIBUTE] ?? []) as PendingEvent[];

export const isTombstone = (item: Record<string, unknown>): boolean => item[TOMBSTONE_ATTRIBUTE] !== undefined;

/** The item as committed, with its pending events; undefined when it has none (or is gone). */
export const readOutbox = async (key: ItemKey): Promise<{ item: Record<string, unknown>; events: PendingEvent[] } | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const events = Item ? outboxOf(Item) : [];
  return Item && events.length > 0 ? { item: Item, events } : undefined;
};

/**
 * Removes the first `published.length` pending events, if they are still those (writers only append, and a
 * coupling that replaces a tombstone puts its events first, so published events stay at the front until
 * removed); the item leaves the sweeper's index once none remain, and a tombstone goes altogether.
 * A relay that lost the race to another leaves things as they are: the events went out twice, never zero times.
 */
/** `read`: the item as read when its events were taken for publishing. */
export const removePublished = async (key: ItemKey, published: readonly PendingEvent[], read: Record<string, unknown>): Promise<void> => {
  if (published.length === 0) return;
  const { client, tableName } = getStore();
  const values: Record<string, unknown> = {};
  published.forEach((event, index) => {
    values[`:id${index}`] = event.id;
  });
  // Highest index first: DynamoDB removes by the original indexes anyway; dynalite removes one by one.
  const removals = published.map((_, index) => `#outbox[${published.length - 1 - index}]`).join(', ');
  const stillThose = published.map((_, index) => `#outbox[${index}].id = :id${index}`).join(' AND ');
  // A tombstone read as one may have been replaced by a new coupling since: then only its events are removed.
  const tombstoneGone =
    isTombstone(read) &&
    (await whenConditionHolds(() =>
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: key,
          ConditionExpression: `attribute_exists(#removed) AND size(#outbox) = :count AND ${stillThose}`,
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE, '#removed': TOMBSTONE_ATTRIBUTE },
          ExpressionAttributeValues: { ...values, ':count': published.length },
        }),
      ),
    ));
  if (tombstoneGone) return;
  // The usual case in one write: the outbox holds exactly what was published, so the item leaves the index too.
  const emptied = await whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `REMOVE ${removals}, gsi3pk, gsi3sk`,
        ConditionExpression: `size(#outbox) = :count AND ${stillThose}`,
        ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
        ExpressionAttributeValues: { ...values, ':count': published.length },
      }),
    ),
  );
  if (emptied) return;
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `REMOVE ${removals}`,
        ConditionExpression: stillThose,
        ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (((Attributes?.[OUTBOX_ATTRIBUTE] ?? []) as unknown[]).length > 0) return;
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw error;
  }
  await whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
        ConditionExpression: 'size(#outbox) = :none',
        ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
        ExpressionAttributeValues: { ':none': 0 },
      }),
    ),
  );
};
