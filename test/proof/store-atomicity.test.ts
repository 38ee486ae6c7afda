import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/dynalite';
import { createStore, type Store } from '../../shared/store/client';

const WRITER = fileURLToPath(new URL('../support/index-writer-process.ts', import.meta.url));
const KILLS = 12;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Starts the writer on `dataDir`, lets it write for a while, and kill -9s it mid-write. tsx runs as a loader
 * inside the writer's own process (its CLI would leave the writer running as a grandchild).
 */
const writeThenKill = async (dataDir: string, writeMs: number): Promise<void> => {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('writing')) {
    if (child.exitCode !== null) throw new Error(`the writer exited before writing: ${output}`);
    if (Date.now() > deadline) throw new Error('the writer did not start writing in time');
    await sleep(20);
  }
  await sleep(writeMs);
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
};

const readAll = async (store: Store, input: Omit<ScanCommandInput, 'TableName'> & { query?: Omit<QueryCommandInput, 'TableName'> }) => {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = input.query
      ? await store.client.send(new QueryCommand({ TableName: store.tableName, ...input.query, ExclusiveStartKey }))
      : await store.client.send(new ScanCommand({ TableName: store.tableName, ...input, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};

const keyOf = (item: Record<string, unknown>) => `${String(item.pk)}|${String(item.sk)}`;

describe('the local store after kill -9 mid-write', () => {
  it('has every index entry with its item and every item in the indexes it belongs to', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-atomicity-'));
    dirs.push(dataDir);
    for (let kill = 0; kill < KILLS; kill++) await writeThenKill(dataDir, 100 + kill * 60);

    const dynamo = await startDynalite({ path: dataDir });
    try {
      const store = createStore({ tableName: 'atomicity', endpoint: dynamo.endpoint });
      const items = await readAll(store, {});
      expect(items.length).toBeGreaterThan(KILLS);
      const byKey = new Map(items.map((item) => [keyOf(item), item]));

      const localEntries = (
        await Promise.all(
          [...new Set(items.map((item) => String(item.pk)))].map((pk) =>
            readAll(store, { query: { IndexName: 'lsi1', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } } }),
          ),
        )
      ).flat();
      const globalEntries = await readAll(store, { IndexName: 'gsi1' });
      const statusEntries = await readAll(store, { IndexName: 'gsi2' });

      // Each index entry is a whole copy of an item that exists, with the same index keys (ALL projection).
      for (const entry of [...localEntries, ...globalEntries, ...statusEntries]) expect(byKey.get(keyOf(entry))).toEqual(entry);
      expect(localEntries).toHaveLength(items.length);
      expect(globalEntries).toHaveLength(items.length);
      expect(statusEntries).toHaveLength(items.length);
    } finally {
      await dynamo.close();
    }
  }, 180_000);
});
