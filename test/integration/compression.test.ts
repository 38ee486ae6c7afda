import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;

beforeAll(async () => {
  slipway = await startTestSlipway();
  await seedApp(slipway, 'squeeze', 12);
});
afterAll(() => slipway?.close());

/** The bytes as they cross the wire, without fetch's own decoding. */
const raw = (path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }>((resolve, reject) => {
    const url = new URL(path, slipway.url);
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });

const decoded = (answer: Awaited<ReturnType<typeof raw>>) =>
  (answer.headers['content-encoding'] === 'br' ? brotliDecompressSync(answer.bytes) : answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.bytes) : answer.bytes).toString('utf8');

describe('answers compressed as the client accepts', () => {
  it('the page, its script and stylesheet, and JSON over the threshold: br or gzip, the same text as uncompressed', async () => {
    const page = await raw('/', {});
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.bytes.toString('utf8'))?.[1] ?? '';
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(page.bytes.toString('utf8'))?.[1] ?? '';
    const auth = { authorization: `Bearer ${slipway.adminKey}` };
    for (const [path, headers] of [
      [script, {}],
      [style, {}],
      ['/openapi.json', {}],
      ['/apps/squeeze/builds', auth],
    ] as const) {
      const plain = await raw(path, headers);
      expect(plain.status, path).toBe(200);
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      expect(plain.headers.vary, path).toBe('accept-encoding');
      for (const [accept, coding] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
      ] as const) {
        const squeezed = await raw(path, { ...headers, 'accept-encoding': accept });
        expect(squeezed.headers['content-encoding'], `${path} ${accept}`).toBe(coding);
        expect(decoded(squeezed), path).toBe(plain.bytes.toString('utf8'));
        expect(squeezed.bytes.byteLength, path).toBeLessThan(plain.bytes.byteLength / 2);
      }
    }
  });

  it('leaves a small answer, and a client that accepts neither, uncompressed', async () => {
    const small = await raw('/whoami', { authorization: `Bearer ${slipway.adminKey}`, 'accept-encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.bytes.toString('utf8'))).toMatchObject({ role: 'admin' });
    const identity = await raw('/openapi.json', { 'accept-encoding': 'identity, deflate' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(identity.bytes.toString('utf8'))).toHaveProperty('openapi');
  });
});
