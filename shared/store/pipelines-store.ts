import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../domain/errors';
import type { Actor } from '../domain/model';
import type { Pipeline, PipelineCoupling } from '../domain/pipeline';
import type { ItemRead } from './batch-get';
import { entityOf, findEntityById, getStore, putIfAbsent, queryAll, whenConditionHolds } from './client';
import { isTombstone, noteOutbox, outboxAppend, outboxOf, outboxOfNewItem, pendingEvents } from './outbox-store';
import { TOMBSTONE_ATTRIBUTE } from './table-design';
import { COUPLING_PREFIX, PIPELINES_PARTITION, couplingKey, couplingStageSortKey, idIndexPartition, pipelineCouplingsPartition, pipelineKey } from './keys';

/** Same pattern as apps: the name is the key, so DynamoDB itself refuses a second pipeline of that name. */
export const insertPipeline = async (pipeline: Pipeline): Promise<void> => {
  const item = { ...pipelineKey(pipeline.name), gsi1pk: idIndexPartition(pipeline.id), gsi1sk: 'PIPELINE', type: 'pipeline', ...pipeline };
  if (!(await putIfAbsent(item))) {
    throw conflict('pipeline_name_taken', `A pipeline named ${pipeline.name} already exists.`, { name: pipeline.name });
  }
};

/** The pipeline of that name, to read along with other items (the caller's key). */
export const pipelineNamed = (name: string): ItemRead<Pipeline> => ({ key: pipelineKey(name), entityOf: (item) => entityOf<Pipeline>(item) });

export const findPipelineByName = async (name: string): Promise<Pipeline | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: pipelineKey(name), ConsistentRead: true }));
  return Item ? entityOf<Pipeline>(Item) : undefined;
};

export const findPipelineById = (id: string): Promise<Pipeline | undefined> => findEntityById<Pipeline>(id, 'PIPELINE');

/** Every pipeline, by name: one partition, one Query (paged by DynamoDB only past 1 MB). */
export const listPipelines = async (): Promise<Pipeline[]> =>
  (
    await queryAll({
      KeyConditionExpression: 'pk = :pipelines',
      ExpressionAttributeValues: { ':pipelines': PIPELINES_PARTITION },
      ConsistentRead: true,
    })
  ).map((item) => entityOf<Pipeline>(item));

/** The app's coupling item as stored: a live coupling, or the tombstone of one whose uncoupling is still to be announced. */
const readCouplingItem = async (appId: string): Promise<Record<string, unknown> | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: couplingKey(appId), ConsistentRead: true }));
  return Item;
};

/**
 * Refused with 409 if the app is already coupled, to this or any other pipeline. A tombstone left by its
 * last uncoupling is replaced, and its events not yet published go on in the new item, ahead of this one's
 * (they carry their coupling, so they still describe the old one).
 */
export const insertCoupling = async (coupling: PipelineCoupling, actor: Actor): Promise<void> => {
  const { client, tableName } = getStore();
  const events = pendingEvents([{ type: 'pipeline.coupled', coupling }], coupling.created_at, actor);
  const item = {
    ...couplingKey(coupling.app.id),
    gsi1pk: idIndexPartition(coupling.id),
    gsi1sk: 'COUPLING',
    gsi2pk: pipelineCouplingsPartition(coupling.pipeline.id),
    gsi2sk: couplingStageSortKey(coupling.stage, coupling.app.name),
    type: 'pipeline_coupling',
    ...coupling,
  };
  // Most apps have never been coupled: try the put on an empty key first. Each refused put means the item
  // is not what was assumed (a live coupling, a tombstone, or a tombstone relayed away): look, and go again.
  let stored: Record<string, unknown> | undefined;
  for (;;) {
    const tombstone = stored;
    const inserted = await whenConditionHolds(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...item, ...outboxOfNewItem([...(tombstone ? outboxOf(tombstone) : []), ...events]) },
          ...(tombstone
            ? {
                ConditionExpression: '#id = :tombstone AND attribute_exists(#removed)',
                ExpressionAttributeNames: { '#id': 'id', '#removed': TOMBSTONE_ATTRIBUTE },
                ExpressionAttributeValues: { ':tombstone': tombstone.id },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      ),
    );
    if (inserted) {
      noteOutbox(couplingKey(coupling.app.id));
      return;
    }
    stored = await readCouplingItem(coupling.app.id);
    if (stored && !isTombstone(stored)) {
      const existing = entityOf<PipelineCoupling>(stored);
      throw conflict('app_already_coupled', `App ${coupling.app.name} is already coupled to a pipeline; an app has at most one.`, {
        app: coupling.app.name,
        pipeline: existing.pipeline,
        stage: existing.stage,
      });
    }
  }
};

export const findCouplingOfApp = async (appId: string): Promise<PipelineCoupling | undefined> => {
  const item = await readCouplingItem(appId);
  return item && !isTombstone(item) ? entityOf<PipelineCoupling>(item) : undefined;
};

export const findCouplingById = (id: string): Promise<PipelineCoupling | undefined> =>
  findEntityById<PipelineCoupling>(id, 'COUPLING');

/** A pipeline's couplings in stage order, then by app name: one Query on gsi2. */
export const listCouplingsOfPipeline = async (pipelineId: string): Promise<PipelineCoupling[]> =>
  (
    await queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pipeline AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: { ':pipeline': pipelineCouplingsPartition(pipelineId), ':prefix': COUPLING_PREFIX },
    })
  ).map((item) => entityOf<PipelineCoupling>(item));

/**
 * Uncouples only that very coupling (if the app was re-coupled meanwhile, the newer coupling stays). No
 * transaction can delete the item and record its event elsewhere, so the one conditional write turns the
 * coupling into a tombstone that carries `pipeline.uncoupled`: out of every index, invisible to readers,
 * and deleted by the relay once the event is published. False if there was no such coupling to uncouple.
 */
export const recordUncoupling = async (coupling: PipelineCoupling, actor: Actor, at: string): Promise<boolean> => {
  const { client, tableName } = getStore();
  const outbox = outboxAppend(pendingEvents([{ type: 'pipeline.uncoupled', coupling }], at, actor));
  const uncoupled = await whenConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: couplingKey(coupling.app.id),
        UpdateExpression: `SET ${['#removed = :at', ...outbox.assignments].join(', ')} REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk`,
        ConditionExpression: '#id = :id AND attribute_not_exists(#removed)',
        ExpressionAttributeNames: { '#id': 'id', '#removed': TOMBSTONE_ATTRIBUTE, ...outbox.names },
        ExpressionAttributeValues: { ':id': coupling.id, ':at': at, ...outbox.values },
      }),
    ),
  );
  if (uncoupled) noteOutbox(couplingKey(coupling.app.id));
  return uncoupled;
};
