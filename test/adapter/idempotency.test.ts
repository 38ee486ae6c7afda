import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runOnce } from '../../shared/idempotency/idempotency';
import { createStore, useStore } from '../../shared/store/client';

const store = createStore({ tableName: 'slipway-test', endpoint: 'http://127.0.0.1:1' });
useStore(store);
const dynamo = mockClient(store.client);
const context = { getRemainingTimeInMillis: () => 10_000 } as Context;
const scope = { caller: 'key-1', operation: 'POST /things', resource: 'app-1' };

const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });

beforeEach(() => {
  dynamo.reset();
});

describe('runOnce on the DynamoDB persistence layer', () => {
  it('records the key in flight under the static partition, runs once and stores only the id', async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(UpdateItemCommand).resolves({});
    const run = vi.fn(async () => ({ id: 'thing-1', secret: 'not stored' }));

    const outcome = await runOnce({ key: 'k-1', scope, request: { a: 1 }, context, run });

    expect(outcome).toEqual({ replayed: false, value: { id: 'thing-1', secret: 'not stored' } });
    expect(run).toHaveBeenCalledTimes(1);
    const put = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.Item?.pk).toEqual({ S: 'IDEMPOTENCY' });
    expect(put?.Item?.status).toEqual({ S: 'INPROGRESS' });
    expect(Number(put?.Item?.expiration?.N) - Date.now() / 1000).toBeGreaterThan(24 * 3600 - 60);
    const update = JSON.stringify(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input);
    expect(update).toContain('thing-1');
    expect(update).not.toContain('not stored');
  });

  it('surfaces a throttled store as the store fault (a 503 upstream) without running', async () => {
    dynamo.on(PutItemCommand).rejects(throttled());
    const run = vi.fn(async () => ({ id: 'thing-1' }));
    await expect(runOnce({ key: 'k-2', scope, request: {}, context, run })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(run).not.toHaveBeenCalled();
  });

  it('frees the key when the run fails, and passes the run failure on', async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    const failure = new Error('refused');
    await expect(runOnce({ key: 'k-3', scope, request: {}, context, run: () => Promise.reject(failure) })).rejects.toBe(failure);
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('just runs when the caller sent no key', async () => {
    const outcome = await runOnce({ key: undefined, scope, request: {}, context, run: async () => ({ id: 'x' }) });
    expect(outcome).toEqual({ replayed: false, value: { id: 'x' } });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
