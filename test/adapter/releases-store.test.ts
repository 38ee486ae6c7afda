import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Release } from '../../shared/domain/model';
import { appFixture } from '../../shared/fixtures/model';
import { recordRelease } from '../../shared/operations/releases';
import { lowestPendingVersion, placeStaleClaims } from '../../shared/store/release-claims-store';
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
  slug: { id: 'b' },
  trigger: 'deploy',
  created_at: '2026-11-30T05:00:00.000Z',
});

const build = {
  source_blob: { image: 'i', commit: null, branch: null, repo: null, version: null, author: null, message: null },
  commits: [],
};
const plan = { slugId: 'b', image: 'i', description: 'd', trigger: 'deploy', build } as const;
const actor = { id: 'u', email: 'e' };

const CLAIM = 'SET last_version = last_version + :one, claims.#id = last_version + :one, claimed_at.#id = :at';
const SETTLE = 'SET placed.#id = :placed REMOVE claims.#id, claimed_at.#id';
const WITHDRAW = 'SET last_version = last_version - :one REMOVE claims.#id, claimed_at.#id';
const REVOKE = 'SET revoked.#id = :at';

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'taken', $metadata: {} });
const timedOut = () => Object.assign(new Error('the request timed out'), { name: 'TimeoutError' });

beforeEach(() => {
  dynamo.reset();
  // The app has no config vars: a release takes config version null.
  dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':app': 'APP#a1', ':prefix': 'CONFIG#' } }).resolves({ Items: [] });
  useStore(store);
  // No release is recorded under a fixed id yet, unless a test says otherwise.
  dynamo.on(QueryCommand, { IndexName: 'lsi1' }).resolves({ Items: [] });
  // Index rows are written beside every release placed in its slot.
  dynamo.on(BatchWriteCommand).resolves({});
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

  it('claims the next version in one update that records the claim, writes the slot, then retires intent and claim', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).resolves({ Attributes: { last_version: 3, claims: { mine: 3 } } });
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { last_version: 3, claims: {} } });
    dynamo.on(DeleteCommand).resolves({});

    const release = await recordRelease(app, plan, actor, 'mine');

    expect(release).toMatchObject({ id: 'mine', version: 3 });
    const puts = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.sk);
    expect(puts).toEqual(['RELEASE_INTENT#mine', 'REL#0000000003']);
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: CLAIM })).toHaveLength(1);
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ pk: 'APP#a1', sk: 'RELEASE_INTENT#mine' });
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: SETTLE })).toHaveLength(1);
  });

  it('finds its own claim when the claim update landed but its answer was lost and the retry was refused', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { last_version: 2, claims: { mine: 2 } } });
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { claims: {} } });

    const release = await recordRelease(app, plan, actor, 'mine');

    expect(release).toMatchObject({ id: 'mine', version: 2 });
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: CLAIM })).toHaveLength(1);
  });

  it('writes its slot again when the first write fails, and answers only once the release is placed', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(PutCommand, { Item: { sk: 'REL#0000000003' } }).rejectsOnce(timedOut()).resolves({});
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).resolves({ Attributes: { last_version: 3, claims: { mine: 3 } } });
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { last_version: 3, claims: {} } });
    dynamo.on(DeleteCommand).resolves({});

    const release = await recordRelease(app, plan, actor, 'mine');

    expect(release).toMatchObject({ id: 'mine', version: 3 });
    expect(dynamo.commandCalls(PutCommand, { Item: { sk: 'REL#0000000003' } })).toHaveLength(2);
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: CLAIM })).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: WITHDRAW })).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: SETTLE })).toHaveLength(1);
  });

  it('counts a slot write whose answer was lost: the retry meets its own release in the slot', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(PutCommand, { Item: { sk: 'REL#0000000003' } }).rejectsOnce(timedOut()).rejects(conditionFailed());
    dynamo.on(GetCommand, { Key: { pk: 'APP#a1', sk: 'REL#0000000003' } }).resolves({ Item: { ...stored(3), id: 'mine' } });
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).resolves({ Attributes: { last_version: 3, claims: { mine: 3 } } });
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { last_version: 3, claims: {} } });
    dynamo.on(DeleteCommand).resolves({});

    const release = await recordRelease(app, plan, actor, 'mine');

    expect(release).toMatchObject({ id: 'mine', version: 3 });
    // Neither a second version nor a withdrawal: the release holds the version it claimed.
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: CLAIM })).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: WITHDRAW })).toHaveLength(0);
  });

  it('settles a claim request that failed by revoking it, retrying the revocation until it is made', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).rejects(timedOut());
    dynamo.on(UpdateCommand, { UpdateExpression: REVOKE }).rejectsOnce(timedOut()).resolves({});
    dynamo.on(DeleteCommand).resolves({});

    await expect(recordRelease(app, plan, actor, 'mine')).rejects.toThrow(/timed out/);

    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: REVOKE })).toHaveLength(2);
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ pk: 'APP#a1', sk: 'RELEASE_INTENT#mine' });
    expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.sk)).toEqual(['RELEASE_INTENT#mine']);
  });

  it('moves its claim to the next version when the slot was filled outside the sequence: no gap, no overwrite', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(PutCommand, { Item: { sk: 'REL#0000000002' } }).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: stored(2) });
    dynamo
      .on(UpdateCommand, { UpdateExpression: CLAIM })
      .resolvesOnce({ Attributes: { claims: { mine: 2 } } })
      .resolves({ Attributes: { claims: { mine: 3 } } });
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { claims: {} } });

    const release = await recordRelease(app, plan, actor, 'mine');

    expect(release).toMatchObject({ id: 'mine', version: 3 });
    expect(dynamo.commandCalls(UpdateCommand, { UpdateExpression: CLAIM })[1]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':taken': 2,
    });
  });

  it('rolls a claim whose writer died forward from its intent, and holds the queue back for a fresh one', async () => {
    const longAgo = new Date(Date.now() - 60_000).toISOString();
    dynamo.on(GetCommand, { Key: { pk: 'APP#a1', sk: 'RELEASE_SEQUENCE' } }).resolves({
      Item: { claims: { dead: 4, alive: 5 }, claimed_at: { dead: longAgo, alive: new Date().toISOString() } },
    });
    dynamo.on(GetCommand, { Key: { pk: 'APP#a1', sk: 'RELEASE_INTENT#dead' } }).resolves({ Item: { ...stored(0), id: 'dead' } });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({ Attributes: {} });

    const sequence = await placeStaleClaims('a1', (at) => at === longAgo);
    expect(sequence.placed).toBe(1);
    expect(lowestPendingVersion(sequence.pending)).toBe(5);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ sk: 'REL#0000000004', id: 'dead', version: 4 });
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeNames).toEqual({ '#id': 'dead' });
  });

  it('answers a fixed id that is already recorded with that release, claiming no version', async () => {
    dynamo.on(QueryCommand, { IndexName: 'lsi1' }).resolves({ Items: [{ ...stored(3), id: 'mine', status: 'succeeded' }] });
    const release = await recordRelease(app, plan, actor, 'mine');
    expect(release).toMatchObject({ id: 'mine', version: 3 });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('looks no id up when none is fixed', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand, { UpdateExpression: CLAIM }).callsFake((input: { ExpressionAttributeNames: Record<string, string> }) => ({
      Attributes: { last_version: 1, claims: { [input.ExpressionAttributeNames['#id'] ?? '']: 1 } },
    }));
    dynamo.on(UpdateCommand, { UpdateExpression: SETTLE }).resolves({ Attributes: { claims: {} } });
    dynamo.on(DeleteCommand).resolves({});
    await expect(recordRelease(app, plan, actor)).resolves.toMatchObject({ version: 1, config_version: null });
    expect(dynamo.commandCalls(QueryCommand, { IndexName: 'lsi1' })).toHaveLength(0);
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
