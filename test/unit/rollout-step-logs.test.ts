import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { logger } from '../../shared/observability/logger';
import { rolloutStep } from '../../shared/rollout/step-handler';

afterEach(() => {
  logger.setLogLevel('SILENT');
  vi.restoreAllMocks();
});

const step = rolloutStep('example', z.object({ rollout: z.object({ releaseId: z.string() }) }), async () => 'done');

describe('rollout step logs', () => {
  it('carry the Lambda invocation and the release they worked on', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    logger.setLogLevel('INFO');

    const context = { functionName: 'slipway-rollout-lock', awsRequestId: 'req-1' } as Context;
    await expect(step({ rollout: { releaseId: 'rel-9' } }, context)).resolves.toBe('done');

    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        message: 'rollout step done',
        step: 'example',
        releaseId: 'rel-9',
        function_name: 'slipway-rollout-lock',
        function_request_id: 'req-1',
      }),
    );
  });

  it('refuses a malformed event so the state machine settles the release', async () => {
    await expect(step({ rollout: {} })).rejects.toThrow(z.ZodError);
  });
});
