import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PipelineCoupling } from '../../shared/domain/pipeline';
import { claimAutoRelease, renewAutoReleaseLease, type AutoReleaseMarker } from '../../shared/store/auto-release-store';
import { createStore, useStore } from '../../shared/store/client';
import { insertCoupling, insertPipeline, listCouplingsOfPipeline, recordUncoupling } from '../../shared/store/pipelines-store';

const store = createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' });
const dynamo = mockClient(DynamoDBDocumentClient);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'taken', $metadata: {} });

const coupling: PipelineCoupling = {
  id: 'c1',
  pipeline: { id: 'p1', name: 'shop' },
  app: { id: 'a1', name: 'web' },
  stage: 'staging',
  required_status_checks: { contexts: ['ci/unit'] },
  created_at: '2026-11-24T00:00:00.000Z',
  updated_at: '2026-11-24T00:00:00.000Z',
};

const marker: AutoReleaseMarker = {
  app_id: 'a1',
  build_id: 'b1',
  release_id: 'r1',
  status: 'claimed',
  lease_until: 1000,
  release_version: null,
};

beforeEach(() => {
  dynamo.reset();
  useStore(store);
});

describe('pipelines store', () => {
  it('refuses a second pipeline of the same name with 409', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    const pipeline = { id: 'p1', name: 'shop', description: null, created_at: 'x', updated_at: 'x' };
    await expect(insertPipeline(pipeline)).rejects.toMatchObject({ code: 'pipeline_name_taken', kind: 'conflict' });
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { pk: 'PIPELINES', sk: 'PIPELINE#shop', gsi1pk: 'ID#p1', gsi1sk: 'PIPELINE' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('keys a coupling by its app and indexes it under its pipeline in stage order', async () => {
    dynamo.on(PutCommand).resolves({});
    await insertCoupling(coupling, { id: 'k1', email: 'ops@example.com' });
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { pk: 'APP#a1', sk: 'COUPLING', gsi2pk: 'PIPELINE#p1', gsi2sk: 'COUPLING#2#web', gsi1pk: 'ID#c1' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('names the pipeline an app is already coupled to when refusing a second coupling', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { pk: 'APP#a1', sk: 'COUPLING', ...coupling, pipeline: { id: 'p0', name: 'old' } } });
    await expect(insertCoupling(coupling, { id: 'k1', email: 'ops@example.com' })).rejects.toMatchObject({
      code: 'app_already_coupled',
      details: { app: 'web', pipeline: { id: 'p0', name: 'old' }, stage: 'staging' },
    });
  });

  it('lists a pipeline with one Query per DynamoDB page and strips storage keys', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: 'APP#a1', sk: 'COUPLING', gsi2pk: 'PIPELINE#p1', ...coupling }], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [] });
    expect(await listCouplingsOfPipeline('p1')).toEqual([coupling]);
    const queries = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries[0]).toMatchObject({ IndexName: 'gsi2', ExpressionAttributeValues: { ':pipeline': 'PIPELINE#p1' } });
    expect(queries[1]?.ExclusiveStartKey).toEqual({ pk: 'x' });
  });

  it('uncouples only the very coupling it was asked to, turning it into a tombstone that carries the event', async () => {
    dynamo.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    const ops = { id: 'k1', email: 'ops@example.com' };
    await expect(recordUncoupling(coupling, ops, '2026-11-25T00:00:00.000Z')).resolves.toBe(false);
    await expect(recordUncoupling(coupling, ops, '2026-11-25T00:00:00.000Z')).resolves.toBe(true);
    const update = dynamo.commandCalls(UpdateCommand)[1]?.args[0].input;
    expect(update).toMatchObject({
      Key: { pk: 'APP#a1', sk: 'COUPLING' },
      ConditionExpression: '#id = :id AND attribute_not_exists(#removed)',
      ExpressionAttributeValues: {
        ':id': 'c1',
        ':outboxPk': 'OUTBOX',
        ':outboxNew': [{ type: 'pipeline.uncoupled', actor: ops, time: '2026-11-25T00:00:00.000Z', coupling }],
      },
    });
    expect(update?.UpdateExpression).toContain('REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk');
  });

  it("re-couples over a tombstone, keeping its unpublished events ahead of the new coupling's", async () => {
    const pending = { id: 'e1', type: 'pipeline.uncoupled', time: '2026-11-25T00:00:00.000Z', actor: null, coupling };
    dynamo.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamo.on(GetCommand).resolves({ Item: { pk: 'APP#a1', sk: 'COUPLING', ...coupling, removed_at: pending.time, outbox: [pending] } });
    const again = { ...coupling, id: 'c2', created_at: '2026-11-26T00:00:00.000Z' };
    await insertCoupling(again, { id: 'k1', email: 'ops@example.com' });
    const put = dynamo.commandCalls(PutCommand)[1]?.args[0].input;
    expect(put).toMatchObject({ ConditionExpression: '#id = :tombstone AND attribute_exists(#removed)', ExpressionAttributeValues: { ':tombstone': 'c1' } });
    expect(put?.Item?.removed_at).toBeUndefined();
    expect(put?.Item?.outbox).toMatchObject([pending, { type: 'pipeline.coupled', coupling: again }]);
  });
});

describe('auto-release claims', () => {
  it('claims with a conditional put, or returns the claim that is already there', async () => {
    dynamo.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { pk: 'APP#a1', sk: 'AUTOREL#b1', ...marker, release_id: 'r0' } });
    expect(await claimAutoRelease(marker)).toEqual({ claimed: true, marker });
    expect(await claimAutoRelease(marker)).toEqual({ claimed: false, marker: { ...marker, release_id: 'r0' } });
  });

  it('moves a lease only from the value it saw, so one of several racers wins', async () => {
    dynamo.on(UpdateCommand).resolvesOnce({}).rejects(conditionFailed());
    expect(await renewAutoReleaseLease(marker, 5000)).toEqual({ ...marker, lease_until: 5000 });
    expect(await renewAutoReleaseLease(marker, 6000)).toBeUndefined();
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: '#status = :claimed AND lease_until = :seen',
      ExpressionAttributeValues: { ':seen': 1000, ':next': 5000 },
    });
  });
});
