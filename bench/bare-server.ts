import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { releaseFixture } from '../shared/fixtures/model';

/** The yardstick: node:http answering a fixed JSON document of about a release's size, nothing else. */
const body = JSON.stringify(
  releaseFixture({
    id: '0b6f3e2c-6d1f-4c55-9a0e-5f3f7f1f2a10',
    app: { id: '6a3c2e1f-0d4b-4e8a-9c7d-1b2a3c4d5e6f', name: 'bench' },
    slug: { id: '9f8e7d6c-5b4a-4321-8fed-cba987654321' },
    description: 'Deploy 1234567',
    status: 'succeeded',
    state: 'success',
    user: { id: 'key', email: 'bench@slipway.local' },
    created_at: '2026-11-24T19:03:07.123Z',
    updated_at: '2026-11-24T19:03:07.123Z',
  }),
);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  response.end(body);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
if (!process.send) throw new Error('bench/bare-server.ts is started by bench/run.ts with an IPC channel');
process.send({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
process.once('disconnect', () => server.close(() => process.exit(0)));
