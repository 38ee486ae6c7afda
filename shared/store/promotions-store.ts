import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { promotionFinishedEvent } from '../domain/events';
import type { Lease } from '../domain/lease';
import type { PromotionRecord } from '../domain/promotion';
import type { App, Release } from '../domain/model';
import { appNamed } from './apps-store';
import { readTogether, type ItemRead } from './batch-get';
import { entityOf, getStore, queryAll, whenConditionHolds } from './client';
import { OPEN_PROMOTIONS, openPromotionSortKey, promotionKey } from './keys';
import { noteOutbox, outboxAppend, outboxOfNewItem, pendingEvents } from './outbox-store';
import { releaseAt } from './releases-store';

/** A promotion stays in the reconciler's index until its end is recorded, so no crash can leave it unfinished. */
const openIndexOf = (promotion: PromotionRecord) =>
  promotion.finished_at ? {} : { gsi2pk: OPEN_PROMOTIONS, gsi2sk: openPromotionSortKey(promotion.created_at, promotion.id) };

const promotionItem = (promotion: PromotionRecord) => ({
  ...promotionKey(promotion.id),
  type: 'pipeline_promotion',
  ...openIndexOf(promotion),
  ...promotion,
});

/** Records of earlier releases carry no lease: they were written whole, by one request. */
const recordOf = (item: Record<string, unknown>): PromotionRecord => {
  const record = entityOf<PromotionRecord>(item);
  return { ...record, lease: record.lease ?? null };
};

export const insertPromotion = async (promotion: PromotionRecord): Promise<void> => {
  const { client, tableName } = getStore();
  const announced = { ...promotionItem(promotion), ...outboxOfNewItem(pendingEvents([{ type: 'promotion.created' }], promotion.created_at, promotion.user)) };
  await client.send(new PutCommand({ TableName: tableName, Item: announced, ConditionExpression: 'attribute_not_exists(pk)' }));
  noteOutbox(promotionKey(promotion.id));
};

/**
 * Saves the progress of whoever holds the promotion's lease (`holder`); false if the lease was taken over
 * meanwhile, so a holder whose time ran out cannot overwrite its successor's work. An update, not a put,
 * so the events still pending on the item (its outbox) survive it.
 */
export const savePromotionProgress = (promotion: PromotionRecord, holder: string): Promise<boolean> => {
  const { client, tableName } = getStore();
  const open = openIndexOf(promotion);
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: promotionKey(promotion.id),
        UpdateExpression:
          'SET targets = :targets, #lease = :lease, updated_at = :at' +
          ('gsi2pk' in open ? ', gsi2pk = :openPk, gsi2sk = :openSk' : ' REMOVE gsi2pk, gsi2sk'),
        ConditionExpression: '#lease.#holder = :holder',
        ExpressionAttributeNames: { '#lease': 'lease', '#holder': 'holder' },
        ExpressionAttributeValues: {
          ':holder': holder,
          ':targets': promotion.targets,
          ':lease': promotion.lease,
          ':at': promotion.updated_at,
          ...('gsi2pk' in open ? { ':openPk': open.gsi2pk, ':openSk': open.gsi2sk } : {}),
        },
      }),
    ),
  );
};

/**
 * Records the end of a promotion whose every target has settled, with its `promotion.finished` event, and
 * takes it out of the reconciler's index. Only the first of its finishers writes (false for the others), so
 * the event is committed once, and only with the end it announces.
 */
export const recordPromotionFinished = async (promotion: Pick<PromotionRecord, 'id'>, at: string): Promise<boolean> => {
  const { client, tableName } = getStore();
  const outbox = outboxAppend(pendingEvents([promotionFinishedEvent(promotion.id)], at, null));
  const finished = await whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: promotionKey(promotion.id),
        UpdateExpression: `SET ${['finished_at = :at', ...outbox.assignments].join(', ')} REMOVE gsi2pk, gsi2sk`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(finished_at)',
        ExpressionAttributeNames: outbox.names,
        ExpressionAttributeValues: { ':at': at, ...outbox.values },
      }),
    ),
  );
  if (finished) noteOutbox(promotionKey(promotion.id));
  return finished;
};

/** Takes over the lease `seen` on an open promotion; of several contenders exactly one wins. */
export const takeOverPromotionLease = (promotion: PromotionRecord & { lease: Lease }, lease: Lease): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: promotionKey(promotion.id),
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: '#lease.#holder = :holder AND #lease.#until = :until',
        ExpressionAttributeNames: { '#lease': 'lease', '#holder': 'holder', '#until': 'until' },
        ExpressionAttributeValues: { ':lease': lease, ':holder': promotion.lease.holder, ':until': promotion.lease.until },
      }),
    ),
  );
};

/** The promotion with that id, to read along with other items (the caller's key). */
export const promotionWithId = (id: string): ItemRead<PromotionRecord> => ({ key: promotionKey(id), entityOf: recordOf });

export const findPromotion = async (id: string): Promise<PromotionRecord | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: promotionKey(id), ConsistentRead: true }));
  return Item ? recordOf(Item) : undefined;
};

/** Ids of promotions not finished yet, oldest first (gsi2 is eventually consistent). */
export const listOpenPromotionIds = async (): Promise<string[]> => {
  const items = await queryAll({
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :open',
    ExpressionAttributeValues: { ':open': OPEN_PROMOTIONS },
    ProjectionExpression: 'id',
  });
  return items.map((item) => String(item.id));
};

/**
 * What a promotion's view needs besides its record, read now in one BatchGetItem: each target's release
 * (index by index; undefined while not dispatched) and, for a record stored before promotions kept it, the
 * source app's cluster.
 */
export const findPromotionViewParts = async (
  record: PromotionRecord,
): Promise<{ releases: (Release | undefined)[]; sourceCluster: string }> => {
  const releaseReads = record.targets.map((target) => (target.release ? releaseAt(target.app.id, target.release.version) : undefined));
  const sourceAppRead = record.source.cluster === undefined ? appNamed(record.source.app.name) : undefined;
  const found = await readTogether<unknown[]>([...releaseReads, sourceAppRead]);
  const sourceApp = found[releaseReads.length] as App | undefined;
  return { releases: found.slice(0, releaseReads.length) as (Release | undefined)[], sourceCluster: record.source.cluster ?? sourceApp?.cluster ?? '' };
};
