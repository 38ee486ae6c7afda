import { lookup } from 'node:dns/promises';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, urlRefusal, type TargetPolicy } from '../domain/outbound-target';
import type { OutboundRequest } from './integrations';

// Not `import ... from 'node:http'`: importing a builtin as an ES module makes Node read its every export, and
// node:http's WebSocket, CloseEvent and MessageEvent getters then load undici, ~10 ms of the hook functions' cold start.
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** What came back: a status and the first KiB of the answer, or why there was none (`error`). */
export type SendResult = { statusCode: number | null; error: string | null; durationMs: number; excerpt: string };

const EXCERPT_BYTES = 1024;
const TIMEOUT_MS = 10_000;

/**
 * Sends one request under the target policy. The host is resolved once, every address it resolves to is
 * checked, and the connection goes to the checked address (the socket's lookup is pinned to it), so a DNS
 * answer that changes between check and connect (DNS rebinding) cannot steer the request inside. TLS still
 * verifies the certificate against the URL's host name.
 */
export const send = async (policy: TargetPolicy, outbound: OutboundRequest): Promise<SendResult> => {
  const started = performance.now();
  const refused = (why: string): SendResult => ({ statusCode: null, error: `refused: ${why}`, durationMs: performance.now() - started, excerpt: '' });
  const urlProblem = urlRefusal(policy, outbound.url);
  if (urlProblem) return refused(`the URL ${urlProblem}`);
  const url = new URL(outbound.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    return refused(`${host} does not resolve (${(error as Error).message})`);
  }
  const addressProblem = addressRefusal(
    policy,
    addresses.map((entry) => entry.address),
  );
  if (addressProblem) return refused(`${host} ${addressProblem}`);
  const pinned = addresses[0] as { address: string; family: number };
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<SendResult>((resolve) => {
    const finish = (statusCode: number | null, excerpt: string, error: string | null = null) =>
      resolve({ statusCode, error, durationMs: performance.now() - started, excerpt });
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: outbound.method,
        headers: { ...outbound.headers, 'content-length': String(Buffer.byteLength(outbound.body)) },
        lookup: pinnedLookup,
        timeout: TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => finish(response.statusCode ?? null, Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8')));
        response.on('error', (error) => finish(response.statusCode ?? null, Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'), error.message));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on('error', (error) => finish(null, '', error.message));
    request.end(outbound.body);
  });
};
