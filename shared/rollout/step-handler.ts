import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { relayNotedEvents } from '../events/relay';
import { logger } from '../observability/logger';

/**
 * A rollout step Lambda: parses its event with the step's schema (a malformed event fails the step,
 * and the state machine's Catch settles the release) and logs under its invocation and release. The
 * release id goes on the log line itself, not on the shared logger, as local runs share one logger
 * between concurrent steps.
 */
export const rolloutStep =
  <Schema extends z.ZodMiniType, Result>(step: string, schema: Schema, run: (input: z.infer<Schema>) => Promise<Result>) =>
  async (event: unknown, context?: Context): Promise<Result> => {
    if (context) logger.addContext(context);
    const input = schema.parse(event);
    const releaseId = (input as { rollout?: { releaseId?: string } }).rollout?.releaseId;
    const result = await run(input);
    await relayNotedEvents();
    logger.info('rollout step done', { step, ...(releaseId ? { releaseId } : {}) });
    return result;
  };
