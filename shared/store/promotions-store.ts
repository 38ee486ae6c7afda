import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Promotion } from '../domain/promotion';
import { entityOf, getStore } from './client';

const promotionKey = (id: string) => ({ pk: `PROMOTION#${id}`, sk: 'PROMOTION' });

const promotionItem = (promotion: Promotion) => ({ ...promotionKey(promotion.id), type: 'pipeline_promotion', ...promotion });

export const insertPromotion = async (promotion: Promotion): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new PutCommand({ TableName: tableName, Item: promotionItem(promotion), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
};

/** Replaces the record with its outcome; only the promotion's own request ever writes it, so no race to guard. */
export const saveSettledPromotion = async (promotion: Promotion): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new PutCommand({ TableName: tableName, Item: promotionItem(promotion), ConditionExpression: 'attribute_exists(pk)' }),
  );
};

export const findPromotion = async (id: string): Promise<Promotion | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: promotionKey(id), ConsistentRead: true }));
  return Item ? entityOf<Promotion>(Item) : undefined;
};
