import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../domain/errors';
import type { Actor } from '../domain/model';
import type { Pipeline, PipelineCoupling } from '../domain/pipeline';
import { entityOf, findEntityById, getStore, putIfAbsent, queryAll, whenConditionHolds } from './client';
import { noteOutbox, outboxOfNewItem, pendingEvents } from './outbox-store';
import { COUPLING_PREFIX, PIPELINES_PARTITION, couplingKey, couplingStageSortKey, idIndexPartition, pipelineCouplingsPartition, pipelineKey } from './keys';


/** Same pattern as apps: the name is the key, so DynamoDB itself refuses a second pipeline of that name. */
export const insertPipeline = async (pipeline: Pipeline): Promise<void> => {
  const item = { ...pipelineKey(pipeline.name), gsi1pk: idIndexPartition(pipeline.id), gsi1sk: 'PIPELINE', type: 'pipeline', ...pipeline };
  if (!(await putIfAbsent(item))) {
    throw conflict('pipeline_name_taken', `A pipeline named ${pipeline.name} already exists.`, { name: pipeline.name });
  }
};

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

/** Refused with 409 if the app is already coupled, to this or any other pipeline. */
export const insertCoupling = async (coupling: PipelineCoupling, actor: Actor): Promise<void> => {
  const inserted = await putIfAbsent({
    ...couplingKey(coupling.app.id),
    gsi1pk: idIndexPartition(coupling.id),
    gsi1sk: 'COUPLING',
    gsi2pk: pipelineCouplingsPartition(coupling.pipeline.id),
    gsi2sk: couplingStageSortKey(coupling.stage, coupling.app.name),
    type: 'pipeline_coupling',
    ...coupling,
    ...outboxOfNewItem(pendingEvents([{ type: 'pipeline.coupled' }], coupling.created_at, actor)),
  });
  if (inserted) {
    noteOutbox(couplingKey(coupling.app.id));
    return;
  }
  const existing = await findCouplingOfApp(coupling.app.id);
  throw conflict('app_already_coupled', `App ${coupling.app.name} is already coupled to a pipeline; an app has at most one.`, {
    app: coupling.app.name,
    pipeline: existing?.pipeline ?? null,
    stage: existing?.stage ?? null,
  });
};

export const findCouplingOfApp = async (appId: string): Promise<PipelineCoupling | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: couplingKey(appId), ConsistentRead: true }));
  return Item ? entityOf<PipelineCoupling>(Item) : undefined;
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

/** Deletes only that very coupling: if the app was re-coupled meanwhile, the newer coupling stays. */
export const deleteCoupling = async (coupling: PipelineCoupling): Promise<boolean> => {
  const { client, tableName } = getStore();
  return whenConditionHolds(() =>
    client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: couplingKey(coupling.app.id),
        ConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#id': 'id' },
        ExpressionAttributeValues: { ':id': coupling.id },
      }),
    ),
  );
};
