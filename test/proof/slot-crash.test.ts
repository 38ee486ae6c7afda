import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAnsweredReleasesKept } from '../support/kept-releases';
import { callSlipway, startSlipwayProcess, type SlipwayProcess } from '../support/slipway-process';

/**
 * kill -9 between a version's claim and its slot, as a user meets it: Slipway runs as a child process whose
 * every slot write is held back 400 ms before it reaches the store; a burst of keyed release creates is sent
 * and the server is killed while their slot writes are held. It restarts as `npm start`, every request not
 * yet answered 201/303 is retried with its key, and every answered release is then kept and rolled out.
 */
const APPS = ['slot-a', 'slot-b'];
const KEYS_PER_APP = 5;
const KILLS = 2;

let server: SlipwayProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await server?.kill9();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Item = { key: string; app: string; body: unknown; id?: string };

describe('kill -9 while releases wait for their slot', () => {
  it('leaves every release answered 201 or 303 listed, found by id and version, and rolled out in its turn', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-slot-crash-'));
    const entry = 'test/support/slow-slot-slipway.ts';
    server = await startSlipwayProcess(dataDir, { fresh: true, entry });
    const adminKey = server.adminKey as string;
    const call = (method: string, path: string, options: { body?: unknown; key?: string } = {}) =>
      callSlipway(server as SlipwayProcess, adminKey, method, path, options);
    const serverErrors: string[] = [];

    const builds: Record<string, string> = {};
    for (const app of APPS) {
      expect((await call('POST', '/apps', { body: { name: app, cluster: 'local', service: `${app}-svc` } })).status).toBe(201);
      builds[app] = (await call('POST', `/apps/${app}/builds`, { body: { image: `registry.local/${app}:v1`, sha: '1a2b3c4' } })).body.id;
    }
    const items: Item[] = APPS.flatMap((app) =>
      Array.from({ length: KEYS_PER_APP }, (_, index) => ({ key: `${app}-${index}`, app, body: { slug: builds[app], description: `keyed ${index}` } })),
    );
    const sendPending = () =>
      Promise.all(
        items
          .filter((item) => item.id === undefined)
          .map(async (item) => {
            try {
              const answer = await call('POST', `/apps/${item.app}/releases`, { body: item.body, key: item.key });
              if (answer.status === 201 || answer.status === 303) item.id = answer.location?.split('/').pop();
              else if (answer.status >= 500) serverErrors.push(`${answer.status} ${JSON.stringify(answer.body)}`);
            } catch (error) {
              if (!(error instanceof TypeError)) throw error; // the server died under it
            }
          }),
      );

    for (let kill = 0; kill < KILLS; kill++) {
      const burst = sendPending();
      // Within the first held slot writes: claims are made, slots not yet written.
      await sleep(150 + Math.random() * 400);
      await server.kill9();
      await burst;
      server = await startSlipwayProcess(dataDir, { fresh: false, entry: kill < KILLS - 1 ? entry : undefined });
    }
    while (items.some((item) => item.id === undefined)) {
      await sendPending();
      await sleep(100);
    }

    for (const app of APPS) {
      await expectAnsweredReleasesKept(call, app, items.filter((item) => item.app === app).map((item) => item.id as string));
    }
    expect(serverErrors).toEqual([]);
  }, 240_000);
});
