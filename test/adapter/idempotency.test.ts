import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../shared/domain/errors';
import { runOnce } from '../../shared/idempotency/idempotency';
import { createStore, useStore } from '../../shared/store/client';

const store = createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' });
useStore(store);
const dynamo = mockClient(store.client);
const context = { getRemainingTimeInMillis: () => 10_000 } as Context;
const scope = { caller: 'key-1', operation: 'POST /things', resource: 'app-1' };

const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/** The record a first attempt left, as the store would return it. */
const stored = (overrides: Record<string, unknown>) => ({
  pk: 'IDEMPOTENCY#x',
  sk: 'IDEMPOTENCY',
  type: 'idempotency_key',
  scope_hash: 'x',
  request_hash: '', // filled in by the test from a first run's claim
  resource_id: 'thing-earlier',
  status: 'in_progress',
  lease: { holder: 'another-process', until: Date.now() + 60_000 },
  expiration: Math.floor(Date.now() / 1000) + 3600,
  ...overrides,
});

/** The request hash runOnce stores for `request`, taken from the claim it attempts. */
const requestHashOf = async (request: unknown): Promise<string> => {
  dynamo.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  await runOnce({ key: 'probe', scope, request, context, run: async () => 'made', resume: async () => undefined });
  const hash = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item?.request_hash;
  dynamo.reset();
  return String(hash);
};

beforeEach(() => {
  dynamo.reset();
});

describe('runOnce on its DynamoDB record', () => {
  it('keeps a payload key for good: its record has no expiration, so no TTL ever deletes it and no later claim passes it', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    await runOnce({ key: 'payload:abc', forever: true, scope, request: { a: 1 }, context, run: async () => 'made', resume: async () => undefined });
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).not.toHaveProperty('expiration');
    // The claim is refused by a record unless it has expired: one without an expiration never has.
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk) OR #expiration < :now');
  });

  it('claims the key in its own partition before running, runs once with the id it fixed, then marks it completed', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    const run = vi.fn(async (id: string) => ({ id }));

    const outcome = await runOnce({ key: 'k-1', scope, request: { a: 1 }, context, run, resume: async () => undefined });

    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item?.pk).toMatch(/^IDEMPOTENCY#[0-9a-f]{64}$/);
    expect(put?.Item).toMatchObject({ status: 'in_progress', lease: { until: expect.any(Number) } });
    expect(put?.ConditionExpression).toContain('attribute_not_exists(pk)');
    expect(Number(put?.Item?.expiration) - Date.now() / 1000).toBeGreaterThan(24 * 3600 - 60);
    expect(run).toHaveBeenCalledTimes(1);
    expect(outcome).toEqual({ replayed: false, value: { id: put?.Item?.resource_id } });
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({ ':completed': 'completed' });
  });

  it('surfaces a throttled store as the store fault (a 503 upstream) without running', async () => {
    dynamo.on(PutCommand).rejects(throttled());
    const run = vi.fn(async () => 'made');
    await expect(runOnce({ key: 'k-2', scope, request: {}, context, run, resume: async () => undefined })).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('frees the key when the request is refused, so a corrected request may use it', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
    const refusal = new DomainError('not_found', 'slug_not_found', 'No slug.');
    await expect(
      runOnce({ key: 'k-3', scope, request: {}, context, run: () => Promise.reject(refusal), resume: async () => undefined }),
    ).rejects.toBe(refusal);
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it('keeps the key and lapses its lease when the run fails otherwise, as it may have written already', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    await expect(
      runOnce({ key: 'k-4', scope, request: {}, context, run: () => Promise.reject(throttled()), resume: async () => undefined }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({ ':zero': 0 });
  });

  it('answers a completed key with what its first run made, without running again', async () => {
    const requestHash = await requestHashOf({ a: 1 });
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: stored({ request_hash: requestHash, status: 'completed' }) });
    const run = vi.fn(async () => 'made again');
    const resume = vi.fn(async (id: string) => `found ${id}`);

    expect(await runOnce({ key: 'k-5', scope, request: { a: 1 }, context, run, resume })).toEqual({
      replayed: true,
      value: 'found thing-earlier',
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('refuses another request under the key (422), and a retry while the first holds a live lease (409, Retry-After)', async () => {
    const requestHash = await requestHashOf({ a: 1 });
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: stored({ request_hash: requestHash }) });
    const options = { key: 'k-6', scope, context, run: async () => 'made', resume: async () => undefined };

    await expect(runOnce({ ...options, request: { a: 2 } })).rejects.toMatchObject({ code: 'idempotency_key_mismatch' });
    await expect(runOnce({ ...options, request: { a: 1 } })).rejects.toMatchObject({
      code: 'idempotency_key_in_flight',
      retryAfterSeconds: 1,
    });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('takes a lapsed lease over and carries the earlier attempt on under the same id', async () => {
    const requestHash = await requestHashOf({ a: 1 });
    const lapsed = { holder: 'crashed-process', until: Date.now() - 1 };
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: stored({ request_hash: requestHash, lease: lapsed }) });
    dynamo.on(UpdateCommand).resolves({});
    const run = vi.fn(async (id: string) => `made ${id}`);

    const outcome = await runOnce({ key: 'k-7', scope, request: { a: 1 }, context, run, resume: async () => undefined });

    expect(outcome).toEqual({ replayed: true, value: 'made thing-earlier' });
    const takeOver = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(takeOver?.ExpressionAttributeValues).toMatchObject({ ':holder': 'crashed-process', ':until': lapsed.until });
  });

  it('just runs when the caller sent no key', async () => {
    const outcome = await runOnce({ key: undefined, scope, request: {}, context, run: async () => 'made', resume: async () => undefined });
    expect(outcome).toEqual({ replayed: false, value: 'made' });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
