import type { z } from 'zod';
import { logger } from '../observability/logger';

/**
 * A rollout step Lambda: parses its event with the step's schema (a malformed event fails the step,
 * and the state machine's Catch settles the release) and logs under the release it works on.
 */
export const rolloutStep =
  <Schema extends z.ZodType, Result>(step: string, schema: Schema, run: (input: z.infer<Schema>) => Promise<Result>) =>
  async (event: unknown): Promise<Result> => {
    const input = schema.parse(event);
    const releaseId = (input as { rollout?: { releaseId?: string } }).rollout?.releaseId;
    logger.appendKeys({ step, ...(releaseId ? { releaseId } : {}) });
    try {
      const result = await run(input);
      logger.info('rollout step done', { step });
      return result;
    } finally {
      logger.resetKeys();
    }
  };
