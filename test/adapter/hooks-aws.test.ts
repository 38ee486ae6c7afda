import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { delaySecondsUntil, enqueueRetry, kmsSecretBox } from '../../shared/hooks/aws-worker';

describe('hook retries on SQS', () => {
  it('delays a retry by at most 15 minutes; a later one hops until due', async () => {
    const now = new Date('2026-11-30T00:00:00.000Z');
    expect(delaySecondsUntil(new Date(now.getTime() + 42_500), now)).toBe(43);
    expect(delaySecondsUntil(new Date(now.getTime() + 3_600_000), now)).toBe(900);
    expect(delaySecondsUntil(new Date(now.getTime() - 1_000), now)).toBe(0);
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({});
    const message = { retry: { app_id: 'a', hook_id: 'h', event_id: 'e' }, due: new Date(now.getTime() + 7_200_000).toISOString() };
    await enqueueRetry(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.example/q', message, now);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.example/q',
      MessageBody: JSON.stringify(message),
      DelaySeconds: 900,
    });
    sqs.restore();
  });
});

describe('hook secrets in KMS', () => {
  it('seals with Encrypt under the key and opens with Decrypt', async () => {
    const kms = mockClient(KMSClient);
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('sealed-bytes') });
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('whsec_plain') });
    const box = kmsSecretBox(new KMSClient({ region: 'eu-west-1' }), 'arn:aws:kms:eu-west-1:1:key/k');
    const sealed = await box.seal('whsec_plain');
    expect(sealed).toBe(`kms.${Buffer.from('sealed-bytes').toString('base64url')}`);
    expect(Buffer.from(kms.commandCalls(EncryptCommand)[0]?.args[0].input.Plaintext ?? []).toString()).toBe('whsec_plain');
    expect(await box.open(sealed)).toBe('whsec_plain');
    expect(Buffer.from(kms.commandCalls(DecryptCommand)[0]?.args[0].input.CiphertextBlob ?? []).toString()).toBe('sealed-bytes');
    kms.restore();
  });
});
