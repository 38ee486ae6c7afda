import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Release } from '../../shared/domain/model';
import { appFixture } from '../support/fixtures';
import { recordRelease } from '../../shared/operations/releases';
import { createStore, useStore } from '../../shared/store/client';
import { claimReleaseVersion, listReleasePage, updateReleaseAtRevision } from '../../shared/store/releases-store';

const store = createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' });
const dynamo = mockClient(DynamoDBDocumentClient);

const app = appFixture({ id: 'a1' });

const stored = (version: number): Record<string, unknown> => ({
  pk: 'APP#a1',
  sk: `REL#${String(version).padStart(10, '0')}`,
  type: 'release',
  id: `r${version}`,
  version,
  app: { id: 'a1', name: 'web' },
});

const plan = { slugId: 'b', image: 'i', description: 'd', trigger: 'deploy' } as const;
const actor = { id: 'u', email: 'e' };

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'taken', $metadata: {} });

beforeEach(() => {
  dynamo.reset();
  useStore(store);
});

describe('releases store', () => {
  it('claims a version with one conditional put keyed by the version', async () => {
    dynamo.on(PutCommand).resolves({});
    const release = { id: 'r7', version: 7, app: { id: 'a1', name: 'web' } } as Release;
    await expect(claimReleaseVersion(release)).resolves.toBe(true);
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Item).toMatchObject({ pk: 'APP#a1', sk: 'REL#0000000007', lsi1sk: 'RELID#r7' });
  });

  it('reports a taken version instead of throwing', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    await expect(claimReleaseVersion({ id: 'r1', version: 1, app: { id: 'a1', name: 'web' } } as Release)).resolves.toBe(false);
  });

  it('retries on the next version when a concurrent writer took the slot', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(1)] })
      .resolvesOnce({ Items: [stored(2)] });
    dynamo.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamo.on(GetCommand).resolves({ Item: stored(2) });
    const release = await recordRelease(app, plan, actor);
    expect(release.version).toBe(3);
    const versions = dynamo.commandCalls(PutCommand).map((call) => (call.args[0].input.Item as Release).version);
    expect(versions).toEqual([2, 3]);
    expect(new Set(dynamo.commandCalls(PutCommand).map((call) => (call.args[0].input.Item as Release).id)).size).toBe(1);
  });

  it('takes a slot already holding its own release as claimed (a put whose answer was lost)', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [stored(1)] });
    dynamo.on(QueryCommand, { IndexName: 'lsi1' }).resolves({ Items: [] });
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { ...stored(2), id: 'mine' } });
    const release = await recordRelease(app, plan, actor, 'mine');
    expect(release).toMatchObject({ id: 'mine', version: 2 });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('answers a fixed id that is already recorded with that release, claiming no version', async () => {
    dynamo.on(QueryCommand, { IndexName: 'lsi1' }).resolves({ Items: [{ ...stored(3), id: 'mine', status: 'succeeded' }] });
    const release = await recordRelease(app, plan, actor, 'mine');
    expect(release).toMatchObject({ id: 'mine', version: 3 });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('looks no id up when none is fixed', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [stored(1)] });
    dynamo.on(PutCommand).resolves({});
    await recordRelease(app, plan, actor);
    expect(dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input.IndexName)).toEqual([undefined]);
  });

  it('pages from just after the cursor and asks for one extra item to know whether more exist', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [stored(6), stored(7), stored(8)] });
    const page = await listReleasePage('a1', { afterVersion: 5, limit: 2 });
    const query = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.ExpressionAttributeValues?.[':from']).toBe('REL#0000000006');
    expect(query?.Limit).toBe(3);
    expect(page).toMatchObject({ lastVersion: 7, hasMore: true });
    expect(page.releases.map((release) => release.version)).toEqual([6, 7]);
    expect(page.releases[0]).not.toHaveProperty('pk');
  });

  it('pages newest first below a bound, and asks nothing of DynamoDB for an empty range', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [stored(9), stored(8), stored(7)] });
    const page = await listReleasePage('a1', { afterVersion: 2, beforeVersion: 10, descending: true, limit: 2 });
    const query = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.ExpressionAttributeValues).toMatchObject({ ':from': 'REL#0000000003', ':to': 'REL#0000000009' });
    expect(query?.ScanIndexForward).toBe(false);
    expect(page).toMatchObject({ lastVersion: 8, hasMore: true });

    dynamo.resetHistory();
    expect(await listReleasePage('a1', { afterVersion: 4, beforeVersion: 5, limit: 2 })).toEqual({ releases: [], lastVersion: null, hasMore: false });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('keeps querying through filtered-out items until the page is full', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(1)], LastEvaluatedKey: { pk: 'APP#a1', sk: 'REL#0000000003' } })
      .resolvesOnce({ Items: [stored(5)] });
    const page = await listReleasePage('a1', { afterVersion: 0, limit: 5, status: 'failed' });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
    expect(page).toMatchObject({ hasMore: false, lastVersion: 5 });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.FilterExpression).toBe('#status = :status');
  });

  it('updates in place only at the expected revision', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    const result = await updateReleaseAtRevision({ app: { id: 'a1', name: 'web' }, version: 2 }, 4, { status: 'pending' }, 'now');
    expect(result).toBeUndefined();
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ConditionExpression).toContain('#revision = :expected');
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':expected': 4, ':next': 5 });
  });
});
