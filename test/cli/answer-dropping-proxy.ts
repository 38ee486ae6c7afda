import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy that forwards every request to `target`, but for the first `drops` requests matching
 * `method` and `path` lets the server do the work and then cuts the connection before the answer reaches the
 * client: the lost answer of a flaky network, the case where a blind retry would write twice.
 */
export const startAnswerDroppingProxy = async (target: string, match: { method: string; path: RegExp }, drops: number) => {
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const drop = incoming.method === match.method && match.path.test(incoming.url ?? '') && drops-- > 0;
    forwarded.push(`${incoming.method} ${incoming.url}`);
    const proxied = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on('end', () => incoming.socket.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(proxied);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
};
