import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { presentCoupling } from '../../shared/api/presenters';
import { configure } from '../../shared/config/config';
import { Webhook } from 'standardwebhooks';
import { createStore, useStore } from '../../shared/store/client';
import { findDelivery, putHook } from '../../shared/store/hooks-store';
import { startDynalite, type LocalDynamo } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { startReceiver } from '../support/hook-receiver';

/**
 * The delivery Lambda as AWS runs it: its handler gets SQS batches shaped as Lambda hands them over, the
 * store is dynalite and the webhook a real HTTP receiver. SQS and KMS have no local stand-in and are mocked.
 * One departure from AWS: the receiver listens on loopback over http, which the AWS target policy refuses,
 * so the worker runs with the local policy; every other part of the function is the one deployed.
 */
vi.mock('../../shared/domain/outbound-target', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../shared/domain/outbound-target')>();
  return { ...original, AWS_TARGET_POLICY: original.LOCAL_TARGET_POLICY };
});

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/slipway-hooks';
const SECRET = `whsec_${Buffer.alloc(32, 'delivery-lambda-test').toString('base64')}`;
const SEALED = Buffer.from('ciphertext-of-the-secret');
const APP = { id: randomUUID(), name: 'web' };

const sqs = mockClient(SQSClient);
const kms = mockClient(KMSClient);
let dynamo: LocalDynamo;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let answerStatus = 200;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let hookId: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  const store = createStore({ tableName: 'hook-delivery-lambda', endpoint: dynamo.endpoint });
  await ensureTable(store);
  useStore(store);
  receiver = await startReceiver(() => ({ status: answerStatus, body: answerStatus === 200 ? '{"ok":true}' : '{"error":"down"}' }));
  configure({ region: 'eu-west-1', hookQueueUrl: QUEUE_URL, hookKmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/hooks' });
  hookId = randomUUID();
  const at = new Date().toISOString();
  await putHook({
    hook: { id: hookId, app_id: APP.id, kind: 'webhook', url: `${receiver.url}/slipway`, events: ['*'], active: true, options: {}, legacy_signature: false, created_at: at, updated_at: at },
    secret: { sealed: `kms.${SEALED.toString('base64url')}`, encoding: 'standard' },
    previous: null,
  });
  ({ handler } = await import('../../functions/hook-delivery'));
});
afterAll(async () => {
  await receiver?.close();
  await dynamo?.close();
  configure({ hookQueueUrl: undefined, hookKmsKeyId: undefined });
});
beforeEach(() => {
  sqs.reset();
  kms.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: randomUUID() });
  kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from(SECRET, 'utf8') });
  answerStatus = 200;
});

const couplingEvent = (): SlipwayEvent => {
  const at = new Date().toISOString();
  const coupling = {
    id: randomUUID(),
    pipeline: { id: randomUUID(), name: 'flow' },
    app: APP,
    stage: 'staging' as const,
    required_status_checks: { contexts: [] },
    created_at: at,
    updated_at: at,
  };
  return { id: randomUUID(), specversion: 1, type: 'pipeline.coupled', time: at, app: APP, actor: null, data: presentCoupling(coupling) };
};

/** A message as Lambda's SQS event source hands it over; `body` is what the queue received. */
const sqsRecord = (body: unknown): SQSRecord => {
  const now = String(Date.now());
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body: text,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: 'not-checked-by-the-handler',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:slipway-hooks',
    awsRegion: 'eu-west-1',
  };
};

/** What an EventBridge rule with an SQS target puts on the queue: the whole event, the envelope as its detail. */
const fromEventBridge = (event: SlipwayEvent) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': event.type,
  source: 'slipway',
  account: '123456789012',
  time: event.time,
  region: 'eu-west-1',
  resources: [],
  detail: event,
});

const retryMessages = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

describe('the hook delivery Lambda', () => {
  it('delivers an event from the queue signed with the hook secret, and logs the delivery', async () => {
    const event = couplingEvent();
    const sentBefore = receiver.received.length;
    expect(await handler({ Records: [sqsRecord(fromEventBridge(event))] })).toEqual({ batchItemFailures: [] });

    const request = receiver.received[sentBefore];
    expect(request).toMatchObject({ method: 'POST', path: '/slipway', headers: { 'webhook-id': event.id } });
    expect(JSON.parse(request?.body ?? '')).toEqual(event);
    const headers = request?.headers as Record<string, string>;
    expect(new Webhook(SECRET).verify(request?.body ?? '', headers)).toEqual(event);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 'another').toString('base64')}`).verify(request?.body ?? '', headers)).toThrow(/No matching signature/);
    expect(Buffer.from(kms.commandCalls(DecryptCommand)[0]?.args[0].input.CiphertextBlob ?? []).equals(SEALED)).toBe(true);

    expect(await findDelivery(hookId, event.id)).toMatchObject({
      event_type: 'pipeline.coupled',
      attempts: 1,
      outcome: 'delivered',
      log: [{ status_code: 200, error: null, response_excerpt: expect.stringContaining('ok'), reason: 'scheduled' }],
      next_attempt_at: null,
    });
    expect(retryMessages()).toEqual([]);
  });

  it('puts a failed delivery back on the queue for its next attempt, and attempts it again when due', async () => {
    answerStatus = 503;
    const event = couplingEvent();
    expect(await handler({ Records: [sqsRecord(fromEventBridge(event))] })).toEqual({ batchItemFailures: [] });
    expect(await findDelivery(hookId, event.id)).toMatchObject({ attempts: 1, outcome: 'retrying', log: [{ status_code: 503 }] });
    const [retry] = retryMessages();
    expect(retry).toMatchObject({ QueueUrl: QUEUE_URL, DelaySeconds: expect.any(Number) });
    const message = JSON.parse(String(retry?.MessageBody)) as { retry: { hook_id: string; event_id: string }; due: string };
    expect(message.retry).toEqual({ app_id: APP.id, hook_id: hookId, event_id: event.id });

    // Its retry, once due, as the queue hands it back: now the receiver answers.
    answerStatus = 200;
    const due = { ...message, due: new Date(Date.now() - 1000).toISOString() };
    expect(await handler({ Records: [sqsRecord(due)] })).toEqual({ batchItemFailures: [] });
    expect(await findDelivery(hookId, event.id)).toMatchObject({ attempts: 2, outcome: 'delivered', log: [{ status_code: 503 }, { status_code: 200 }] });
  });

  it('fails only the records it could not hand on, so SQS retries them alone and dead-letters them in the end', async () => {
    answerStatus = 500;
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('queue unavailable'), { name: 'ServiceUnavailable' }));
    const lost = sqsRecord(fromEventBridge(couplingEvent()));
    const garbled = sqsRecord('{"source":"slipway","detail":{"type":"not.an.event"}}');
    const failures = await handler({ Records: [lost, garbled] });
    expect(failures.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([lost.messageId, garbled.messageId].sort());

    // SQS hands the failed record back: its delivery was left as it was, so it is attempted again, and its retry queued.
    sqs.on(SendMessageCommand).resolves({ MessageId: randomUUID() });
    const sent = receiver.received.length;
    expect(await handler({ Records: [{ ...lost, attributes: { ...lost.attributes, ApproximateReceiveCount: '2' } }] })).toEqual({ batchItemFailures: [] });
    expect(receiver.received.length).toBe(sent + 1);
    const lostEvent = (JSON.parse(lost.body) as { detail: SlipwayEvent }).detail;
    expect(await findDelivery(hookId, lostEvent.id)).toMatchObject({ outcome: 'retrying', attempts: 1 });
    expect(retryMessages().at(-1)?.MessageBody).toContain(lostEvent.id);

    // In the same batch, a record whose delivery succeeds is not reported: SQS deletes it.
    answerStatus = 200;
    const fine = sqsRecord(fromEventBridge(couplingEvent()));
    const broken = sqsRecord('not json');
    expect(await handler({ Records: [fine, broken] })).toEqual({ batchItemFailures: [{ itemIdentifier: broken.messageId }] });
  });
});
