import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { makeDynaliteWritesAtomic } from './atomic-dynalite';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;

export type LocalDynamo = { endpoint: string; close: () => Promise<void> };

/**
 * A real DynamoDB API on loopback: persisted under `path` (LevelDB) or in memory when no path is given.
 * Tables become ACTIVE at once, as nothing here benefits from simulating provisioning delays. An item and
 * its index entries are written atomically, as in DynamoDB (see atomic-dynalite.ts).
 */
export const startDynalite = async (options: { path?: string | undefined } = {}): Promise<LocalDynamo> => {
  makeDynaliteWritesAtomic();
  const server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};
