import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlipwayEvent } from '../shared/api/events';
import { deliverInProcess } from '../shared/events/bus';
import { startLocalSlipway } from '../local/slipway';
import { percentile } from './burst';

export type HookFigures = { releases: number; p50Ms: number; p99Ms: number; deliveries: number; deliveriesPerSecond: number };

/**
 * Webhook delivery on loopback, in one process (the local server with its in-process worker, and a
 * receiver): the time from a release's commit (its event's `time`) to the receiver holding the delivery,
 * then how many deliveries per second one worker makes, events handed to it back to back.
 */
export const measureHooks = async (releases = 100, deliveries = 500): Promise<HookFigures> => {
  const arrivals = new Map<string, number>();
  let received = 0;
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received++;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlipwayEvent;
      arrivals.set(event.id, Date.now() - Date.parse(event.time));
      response.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const slipway = await startLocalSlipway({ port: 0, rollouts: false });
  try {
    const auth = { authorization: `Bearer ${slipway.bootstrapAdminKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${slipway.url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) })).json()) as { id: string };
    const app = await post('/apps', { name: 'bench-hooks', cluster: 'bench', service: 'bench-hooks' });
    const build = await post('/apps/bench-hooks/builds', { image: 'registry.local/bench-hooks:v1' });
    await post('/apps/bench-hooks/hooks', { url: target, events: ['release.created'] });
    for (let index = 0; index < releases; index++) await post('/apps/bench-hooks/releases', { slug: build.id });
    const deadline = Date.now() + 30_000;
    while (arrivals.size < releases && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const latencies = [...arrivals.values()].sort((a, b) => a - b);

    const before = received;
    const release = { id: randomUUID(), version: 1 };
    const events = Array.from({ length: deliveries }, () => ({
      id: randomUUID(),
      specversion: 1,
      type: 'release.created',
      time: new Date().toISOString(),
      app: { id: app.id, name: 'bench-hooks' },
      actor: null,
      data: release,
    })) as unknown as SlipwayEvent[];
    const started = performance.now();
    await deliverInProcess(events);
    const seconds = (performance.now() - started) / 1000;
    return {
      releases: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      deliveries: received - before,
      deliveriesPerSecond: (received - before) / seconds,
    };
  } finally {
    await slipway.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
};

export const renderHooks = (figures: HookFigures): string => `## Webhook delivery

One process on loopback: the local server with its in-process delivery worker, and a receiver answering 204.
Commit to delivery is from a release's commit (the \`time\` of its \`release.created\` event, relayed through the
outbox and the in-process bus) to the receiver holding the signed delivery, over ${figures.releases} releases made
one after another. Throughput is one worker attempting ${figures.deliveries} deliveries handed to it back to back
(each: read hook and delivery, sign, POST, write the log).

| measure | value |
|---|---|
| commit → delivery, p50 | ${figures.p50Ms.toFixed(0)} ms |
| commit → delivery, p99 | ${figures.p99Ms.toFixed(0)} ms |
| deliveries per second, one worker | ${figures.deliveriesPerSecond.toFixed(0)} |
`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureHooks();
  console.log(JSON.stringify(figures));
  process.exit(0);
}
