import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { releaseFixture } from '../../shared/fixtures/model';
import { createStore, useStore } from '../../shared/store/client';
import { candidateQuery, putReleaseIndexRows, releasesOfCandidates, versionSpanOfTimes } from '../../shared/store/release-index-store';

const dynamo = mockClient(DynamoDBDocumentClient);
const release = releaseFixture({
  id: 'r7',
  app: { id: 'a1', name: 'web' },
  version: 7,
  slug: { id: 'b1' },
  trigger: 'deploy',
  status: 'succeeded',
  created_at: '2026-11-30T05:00:00.000Z',
  build_labels: { version: '1.0#0000000009', commit: 'abcdef1', tag: null, branch: null },
});

beforeEach(() => {
  dynamo.reset();
  useStore(createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' }));
});

describe('release index store', () => {
  it('writes one row per indexed value, the value encoded so it cannot reach into the version', async () => {
    dynamo.on(BatchWriteCommand).resolves({});
    await putReleaseIndexRows(release);
    const items = dynamo.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.['slipway-test']?.map((request) => request.PutRequest?.Item);
    expect(items?.map((item) => item?.sk)).toEqual([
      'RIX#build#b1#0000000007',
      'RIX#revision#abcdef1#0000000007',
      'RIX#version#1.0%230000000009#0000000007',
      'RIX#trigger#deploy#0000000007',
      'RIX#at#2026-11-30T05%3A00%3A00.000Z#0000000007',
    ]);
    expect(items?.[0]).toMatchObject({ pk: 'APP#a1', type: 'release_index', release_id: 'r7', version: 7 });
  });

  it('queries index rows consistently and the status index without (a GSI cannot), in the asked order', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    await candidateQuery('a1', { dimension: 'trigger', value: 'rollback' }, { from: 3, to: 9 }, true)(5, undefined);
    await candidateQuery('a1', { dimension: 'status', value: 'failed' }, { from: 1, to: 9 }, false)(5, undefined);
    const [rows, status] = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(rows).toMatchObject({
      ConsistentRead: true,
      ScanIndexForward: false,
      Limit: 5,
      ExpressionAttributeValues: { ':pk': 'APP#a1', ':from': 'RIX#trigger#rollback#0000000003', ':to': 'RIX#trigger#rollback#0000000009' },
    });
    expect(status).toMatchObject({ IndexName: 'gsi2', ConsistentRead: false, ExpressionAttributeValues: { ':pk': 'RELSTATUS#a1#failed' } });
  });

  it('keeps a row only when its slot holds the very release it names', async () => {
    dynamo.on(BatchGetCommand).resolves({
      Responses: { 'slipway-test': [{ ...release, pk: 'APP#a1', sk: 'REL#0000000007' }, { ...release, id: 'other', version: 8 }] },
    });
    const found = await releasesOfCandidates('a1', [
      { version: 7, releaseId: 'r7' },
      { version: 8, releaseId: 'r8' },
      { version: 9, releaseId: 'r9' },
    ]);
    expect(found.map((item) => item.id)).toEqual(['r7']);
    expect(dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.['slipway-test']?.ConsistentRead).toBe(true);
  });

  it('turns a time window into versions, widened by the creation-order slack', async () => {
    const row = (version: number, at: string) => ({ sk: `RIX#at#${encodeURIComponent(at)}#${String(version).padStart(10, '0')}`, version });
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [row(5, '2026-11-30T05:00:00.000Z')] })
      // Within a minute after the first release in the window, v4 was created later than v5.
      .resolvesOnce({ Items: [row(5, '2026-11-30T05:00:00.000Z'), row(4, '2026-11-30T05:00:30.000Z')] })
      .resolvesOnce({ Items: [row(9, '2026-11-30T06:00:00.000Z')] })
      .resolvesOnce({ Items: [row(10, '2026-11-30T05:59:40.000Z'), row(9, '2026-11-30T06:00:00.000Z')] });
    const span = await versionSpanOfTimes('a1', { since: '2026-11-30T05:00:00Z', until: '2026-11-30T06:00:00Z' }, 60_000);
    expect(span).toEqual({ from: 4, to: 10 });
    const near = dynamo.commandCalls(QueryCommand)[1]?.args[0].input.ExpressionAttributeValues;
    expect(near?.[':to']).toBe(`RIX#at#${encodeURIComponent('2026-11-30T05:01:00.000Z')}#9999999999`);
  });

  it('finds no versions for a window no release was created in', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    expect(await versionSpanOfTimes('a1', { since: '2099-01-01T00:00:00Z' }, 60_000)).toBeNull();
  });
});
