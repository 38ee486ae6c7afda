import { once } from 'node:events';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A loopback HTTP proxy in front of dynalite that misbehaves the way DynamoDB does under pressure, so
 * tests can watch Slipway's SDK retries and error mapping against real wire-level faults.
 */
type DynamoFault =
  /** 400 with DynamoDB's own error body; the SDK classifies both names as throttling and retries them. */
  | { kind: 'throttle'; error?: 'ThrottlingException' | 'ProvisionedThroughputExceededException' }
  /** 500 InternalServerError: a server fault the SDK retries. */
  | { kind: 'internal_error' }
  /** Holds the request for `ms` before passing it on: a slow partition, not a failure. */
  | { kind: 'delay'; ms: number }
  /** Never answers and keeps the connection open: a stalled partition or a black-holed packet. */
  | { kind: 'stall' }
  /** Drops the connection before DynamoDB sees the request: nothing was applied. */
  | { kind: 'reset_before' }
  /**
   * Lets DynamoDB apply the request, then drops the connection instead of answering: the client
   * cannot tell this from `reset_before`, which is what makes it the hard case for conditional writes.
   */
  | { kind: 'reset_after' };

/** The parsed request a rule looks at: the operation (`PutItem`, `Query`, ...) and its JSON input. */
export type DynamoCall = { operation: string; input: Record<string, unknown> };

type FaultRule = {
  fault: DynamoFault;
  /** Which calls are eligible; every call when absent. */
  when?: (call: DynamoCall) => boolean;
  /** How many eligible calls get the fault, counted per rule; unlimited when absent. */
  times?: number;
  /** Lets this many eligible calls through untouched before faulting. */
  after?: number;
};

export type FaultProxy = {
  endpoint: string;
  /** Replaces the active rules and restarts the count of injected faults; the first rule whose turn it is decides each call. */
  inject: (...rules: FaultRule[]) => void;
  clear: () => void;
  /** Calls answered with a fault since the last `inject`, by operation. */
  injected: () => Record<string, number>;
  close: () => Promise<void>;
};

const ERROR_TYPES = {
  ThrottlingException: 'com.amazon.coral.availability#ThrottlingException',
  ProvisionedThroughputExceededException: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  InternalServerError: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
} as const;

const readAll = async (message: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const callOf = (request: IncomingMessage, body: Buffer): DynamoCall => {
  const target = String(request.headers['x-amz-target'] ?? '');
  let input: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
  } catch {
    // a body the proxy cannot read is still forwarded; only rules that ignore the input can match it
  }
  return { operation: target.slice(target.indexOf('.') + 1), input };
};

const awsError = (response: ServerResponse, status: number, type: string, message: string) => {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' });
  response.end(JSON.stringify({ __type: type, message }));
};

export const startDynamoFaultProxy = async (target: string): Promise<FaultProxy> => {
  const upstream = new URL(target);
  let rules: { rule: FaultRule; seen: number; fired: number }[] = [];
  let injected: Record<string, number> = {};

  const pass = (request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        async (answer) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: await readAll(answer) }),
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });

  const pick = (call: DynamoCall): DynamoFault | undefined => {
    for (const entry of rules) {
      if (entry.rule.when && !entry.rule.when(call)) continue;
      entry.seen++;
      if (entry.seen <= (entry.rule.after ?? 0)) continue;
      if (entry.rule.times !== undefined && entry.fired >= entry.rule.times) continue;
      entry.fired++;
      injected[call.operation] = (injected[call.operation] ?? 0) + 1;
      return entry.rule.fault;
    }
    return undefined;
  };

  const server = createServer(async (request, response) => {
    const body = await readAll(request);
    const fault = pick(callOf(request, body));
    if (fault?.kind === 'throttle') {
      const name = fault.error ?? 'ThrottlingException';
      return awsError(response, 400, ERROR_TYPES[name], 'Rate of requests exceeds the allowed throughput.');
    }
    if (fault?.kind === 'internal_error') {
      return awsError(response, 500, ERROR_TYPES.InternalServerError, 'Internal server error');
    }
    if (fault?.kind === 'reset_before') return void request.socket.destroy();
    // Left unanswered; close() ends the connection.
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'delay') await sleep(fault.ms);
    try {
      const answer = await pass(request, body);
      if (fault?.kind === 'reset_after') return void request.socket.destroy();
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    } catch {
      request.socket.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (...next) => {
      rules = next.map((rule) => ({ rule, seen: 0, fired: 0 }));
      injected = {};
    },
    clear: () => {
      rules = [];
    },
    injected: () => ({ ...injected }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
};

/** Matches calls that touch the Slipway table items whose partition or sort key starts with `prefix`. */
export const touchesKey = (prefix: string) => (call: DynamoCall): boolean => JSON.stringify(call.input).includes(`"S":"${prefix}`);
