import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

/**
 * A local HTTP receiver (127.0.0.1, port 0) standing in for a webhook endpoint or a vendor API: it records
 * every request and answers what `answer` says, so tests check requests as the receiver gets them.
 */
export const startReceiver = async (
  answer: (request: ReceivedRequest, index: number) => { status: number; body?: string },
  /** While true, requests are recorded but never answered (a receiver that hangs). */
  hang: () => boolean = () => false,
) => {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      if (hang()) return;
      const { status, body } = answer(entry, received.length - 1);
      response.writeHead(status, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** Reads until `done` holds or the time is up, and returns the last value read (the test's assertions judge it). */
export const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
