import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { SlipwayEvent } from '../shared/api/events';
import { awsHookWorker } from '../shared/hooks/aws-worker';
import { useHookWorker } from '../shared/hooks/runtime';
import { attemptDelivery, handleEvent } from '../shared/hooks/worker';
import { logger } from '../shared/observability/logger';

const { worker, requeue } = awsHookWorker();
useHookWorker(worker);

/** What arrives on the delivery queue: an EventBridge event (source slipway) or a retry Slipway enqueued. */
const Message = z.union([
  z.object({ source: z.literal('slipway'), detail: SlipwayEvent }),
  z.object({ retry: z.object({ app_id: z.string(), hook_id: z.string(), event_id: z.string() }), due: z.string() }),
]);

const handleMessage = async (body: string): Promise<void> => {
  const message = Message.parse(JSON.parse(body));
  if ('detail' in message) return handleEvent(worker, message.detail);
  const now = new Date();
  // Not due yet (SQS delays at most 15 minutes): put it back for the rest of the wait.
  if (Date.parse(message.due) > now.getTime()) {
    await requeue(message, now);
    return;
  }
  await attemptDelivery(worker, message.retry);
};

/**
 * The delivery Lambda on the hooks queue. A message it cannot handle is reported as a batch item failure, so
 * SQS retries it alone and, after maxReceiveCount, moves it to the dead-letter queue (alarmed).
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleMessage(record.body);
    } catch (error) {
      logger.error('hook delivery message failed', { messageId: record.messageId, error });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
