import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startReceiver } from '../support/hook-receiver';
import { startSlipwayProcess, type SlipwayProcess } from '../support/slipway-process';

/**
 * kill -9 between a release's commit and its webhook delivery: the receiver holds the first attempt open
 * (no answer) until `npm start` is killed; the restarted server still delivers, signed, exactly that event.
 */
const dataDir = await mkdtemp(join(tmpdir(), 'slipway-hook-crash-'));
let running: SlipwayProcess | undefined;
let answering = false;
afterAll(async () => {
  await running?.kill9();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a webhook delivery across kill -9', () => {
  it('is delivered by the restarted server', async () => {
    const hanging = await startReceiver(() => ({ status: 200 }), () => !answering);
    try {
      running = await startSlipwayProcess(dataDir, { fresh: true });
      const key = running.adminKey as string;
      const call = async (path: string, body: unknown) => {
        const response = await fetch(`${running?.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return (await response.json()) as Record<string, any>;
      };
      await call('/apps', { name: 'crashy', cluster: 'local', service: 'crashy' });
      const build = await call('/apps/crashy/builds', { image: 'registry.local/crashy:v1' });
      const hook = await call('/apps/crashy/hooks', { url: hanging.url, events: ['release.created'] });
      const release = await call('/apps/crashy/releases', { slug: build.id });
      // The first attempt is in flight, unanswered: the commit happened, the delivery did not.
      for (let waited = 0; waited < 10_000 && hanging.received.length === 0; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(hanging.received).toHaveLength(1);
      await running.kill9();
      answering = true;

      running = await startSlipwayProcess(dataDir, { fresh: false });
      for (let waited = 0; waited < 20_000 && hanging.received.length < 2; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const delivered = hanging.received[1];
      expect(delivered).toBeDefined();
      const body = JSON.parse(delivered?.body ?? '{}');
      expect(body).toMatchObject({ type: 'release.created', data: { id: release.id } });
      expect(new Webhook(hook.secret).verify(delivered?.body ?? '', delivered?.headers as Record<string, string>)).toEqual(body);
    } finally {
      await hanging.close();
    }
  }, 90_000);
});
