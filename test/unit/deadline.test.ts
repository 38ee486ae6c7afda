import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { publicHttpFunction } from '../../shared/http/http-function';
import { apartFromInvocation, deadlineSignal, remainingMs, runBeforeDeadline } from '../../shared/runtime/deadline';

const openApiEvent = {
  version: '2.0',
  routeKey: 'GET /openapi.json',
  rawPath: '/openapi.json',
  rawQueryString: '',
  headers: {},
  isBase64Encoded: false,
  requestContext: { requestId: 'r1', routeKey: 'GET /openapi.json', http: { method: 'GET', path: '/openapi.json' } },
} as unknown as APIGatewayProxyEventV2;

const contextWith = (timeoutMs: number): Context => {
  const startedAt = Date.now();
  return { awsRequestId: 'r1', getRemainingTimeInMillis: () => timeoutMs - (Date.now() - startedAt) } as Context;
};

describe('the invocation deadline', () => {
  it('is unbounded outside an invocation, with no signal to abort by', () => {
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(deadlineSignal()).toBeUndefined();
  });

  it('can be brought nearer by a step but never pushed past the one it runs under', async () => {
    await runBeforeDeadline(1_000, async () => {
      expect(remainingMs()).toBeLessThanOrEqual(1_000);
      await runBeforeDeadline(60_000, async () => expect(remainingMs()).toBeLessThanOrEqual(1_000));
      await runBeforeDeadline(100, async () => expect(remainingMs()).toBeLessThanOrEqual(100));
    });
  });

  it('does not bound work a request sets going that AWS runs in invocations of its own', async () => {
    const later = await runBeforeDeadline(5, () => new Promise<number>((resolve) => setTimeout(() => resolve(apartFromInvocation(remainingMs)), 20)));
    expect(later).toBe(Number.POSITIVE_INFINITY);
  });

  it('aborts what still runs when it passes', async () => {
    const signal = await runBeforeDeadline(20, async () => deadlineSignal());
    expect(signal?.aborted).toBe(false);
    await new Promise((resolve) => signal?.addEventListener('abort', resolve));
    expect(signal?.aborted).toBe(true);
  });
});

describe('a request still running at the function timeout', () => {
  it("is answered with Slipway's JSON 503 and Retry-After, not the runtime's bare 500", async () => {
    const hanging = publicHttpFunction<'openapi'>({ 'GET /openapi.json': { public: () => new Promise(() => {}) } });

    const response = await hanging(openApiEvent, contextWith(400));

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { code: 'request_timed_out' } });
  });
});
