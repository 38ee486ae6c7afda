import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * dynalite keeps its LevelDB under the data dir locked while `npm start` runs, so other local tools
 * (`npm run keys`) cannot open it themselves. The server publishes its DynamoDB endpoint in the data
 * dir while it runs, and those tools talk to the store through it.
 */
const ENDPOINT_FILE = 'dynamodb-endpoint.json';

type Published = { endpoint: string; pid: number };

export const publishEndpoint = (dataDir: string, endpoint: string): Promise<void> =>
  writeFile(join(dataDir, ENDPOINT_FILE), JSON.stringify({ endpoint, pid: process.pid } satisfies Published));

export const withdrawEndpoint = (dataDir: string): Promise<void> => rm(join(dataDir, ENDPOINT_FILE), { force: true });

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The endpoint of the server running on `dataDir`, or undefined when none is (a killed server's file is ignored). */
export const runningEndpoint = async (dataDir: string): Promise<string | undefined> => {
  let published: Partial<Published>;
  try {
    published = JSON.parse(await readFile(join(dataDir, ENDPOINT_FILE), 'utf8')) as Partial<Published>;
  } catch {
    return undefined;
  }
  if (typeof published.endpoint !== 'string' || typeof published.pid !== 'number') return undefined;
  return isAlive(published.pid) ? published.endpoint : undefined;
};
