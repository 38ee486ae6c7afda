import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { isAlive } from './endpoint-file';

/** The data dir cannot be used; the message is one sentence saying which directory and what to do. */
export class DataDirUnusable extends Error {
  override name = 'DataDirUnusable';
}

const CLAIM_FILE = 'slipway.pid';

const inUse = (dataDir: string, by: string) =>
  new DataDirUnusable(`${dataDir} is in use by ${by}; stop it, or set SLIPWAY_DATA_DIR to another directory.`);

/**
 * Makes this process the data dir's only user, atomically, so two servers starting at once on a new dir
 * cannot both get as far as opening its LevelDB. A claim left by a killed process is taken over.
 * Returns the release of the claim.
 */
export const claimDataDir = async (dataDir: string): Promise<() => Promise<void>> => {
  const claimPath = join(dataDir, CLAIM_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(claimPath, String(process.pid), { flag: 'wx' });
      return () => rm(claimPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(claimPath, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) throw inUse(dataDir, `another Slipway (pid ${holder})`);
    await rm(claimPath, { force: true });
  }
  throw inUse(dataDir, 'another Slipway starting at the same moment');
};

const damaged = (dataDir: string, what: string) =>
  new DataDirUnusable(
    `The data in ${dataDir} is damaged (${what}); move the directory aside (or delete it to start afresh, losing its apps, releases and keys), or set SLIPWAY_DATA_DIR to another directory.`,
  );

/**
 * Opens the data dir's LevelDB once before dynalite does: dynalite would hit the same fault on its first
 * request and die with "Database is closed". A MANIFEST without CURRENT would silently open empty.
 */
export const checkDataDir = async (dataDir: string): Promise<void> => {
  const files = await readdir(dataDir);
  if (files.some((file) => file.startsWith('MANIFEST-')) && !files.includes('CURRENT')) throw damaged(dataDir, 'CURRENT is missing');
  const database = new Level(dataDir);
  try {
    await database.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw inUse(dataDir, 'another process (a Slipway or `npm run keys`)');
    throw damaged(dataDir, cause?.message ?? (error as Error).message);
  } finally {
    await database.close();
  }
};
