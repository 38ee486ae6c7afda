import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClient } from '../aws/aws-client';
import { config } from '../config/config';
import { DEFAULT_RETRY_POLICY } from '../domain/hooks';
import { AWS_TARGET_POLICY } from '../domain/outbound-target';
import type { SecretBox } from './secret-box';
import type { DeliveryRef, HookWorker } from './worker';

/** SQS delays a message by at most 15 minutes; a later attempt is re-enqueued until it is due. */
const MAX_SQS_DELAY_SECONDS = 900;

/** A retry on the delivery queue: `due` is when to attempt; earlier, the message is delayed again. */
export type RetryMessage = { retry: DeliveryRef; due: string };

export const delaySecondsUntil = (due: Date, now: Date): number =>
  Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil((due.getTime() - now.getTime()) / 1000)));

export const kmsSecretBox = (client: KMSClient, keyId: string): SecretBox => ({
  seal: async (plaintext) => {
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(plaintext, 'utf8') }));
    return `kms.${Buffer.from(CiphertextBlob ?? new Uint8Array()).toString('base64url')}`;
  },
  open: async (sealed) => {
    const { Plaintext } = await client.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(sealed.replace(/^kms\./, ''), 'base64url') }),
    );
    return Buffer.from(Plaintext ?? new Uint8Array()).toString('utf8');
  },
});

export const enqueueRetry = (client: SQSClient, queueUrl: string, message: RetryMessage, now: Date): Promise<unknown> =>
  client.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySecondsUntil(new Date(message.due), now) }),
  );

/**
 * The worker in AWS: https and public addresses only, secrets in KMS, retries on the queue; `requeue`
 * delays a retry that is not yet due by the rest of its wait.
 */
export const awsHookWorker = (): { worker: HookWorker; requeue: (message: RetryMessage, now: Date) => Promise<unknown> } => {
  const { hookQueueUrl, hookKmsKeyId } = config();
  if (!hookQueueUrl || !hookKmsKeyId) throw new Error('HOOK_QUEUE_URL and HOOK_KMS_KEY_ID must be set for hooks in AWS.');
  const clientOptions = { maxAttempts: 3, requestTimeoutMs: 5_000 };
  const sqs = createAwsClient(SQSClient, clientOptions);
  const requeue = (message: RetryMessage, now: Date) => enqueueRetry(sqs, hookQueueUrl, message, now);
  const worker: HookWorker = {
    policy: AWS_TARGET_POLICY,
    retry: DEFAULT_RETRY_POLICY,
    secrets: kmsSecretBox(createAwsClient(KMSClient, clientOptions), hookKmsKeyId),
    // Awaited: if the send fails, the attempt's message fails too and SQS hands it back (then to the DLQ).
    schedule: (delivery, at) => {
      const appId = delivery.event.app?.id;
      if (!appId) return;
      return requeue({ retry: { app_id: appId, hook_id: delivery.hook_id, event_id: delivery.event_id }, due: at.toISOString() }, new Date());
    },
  };
  return { worker, requeue };
};
