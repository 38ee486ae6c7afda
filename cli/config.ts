import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import * as z from 'zod';
import { userRecord } from '../shared/api/common';
import { ownEntry } from '../shared/domain/own-entries';
import { usageError } from './exit-codes';

/**
 * Endpoint and key per profile, kept in `<config dir>/slipway/config.json` (mode 0600: it holds API keys).
 * SLIPWAY_URL and SLIPWAY_API_KEY override the file, so a CI job needs no file at all.
 */
const Profile = z.object({ url: z.string(), key: z.string() });
/** Profiles are named by their users: any name, `__proto__` or `constructor` too, is a profile like any other. */
const ConfigFile = z.object({ profiles: userRecord(z.string(), Profile) });
type ConfigFile = z.infer<typeof ConfigFile>;

const DEFAULT_PROFILE = 'default';

export type Connection = { url: string; key: string };

export const configPath = () => join(envPaths('slipway', { suffix: '' }).config, 'config.json');

const readConfig = async (): Promise<ConfigFile> => {
  const text = await readFile(configPath(), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return { profiles: {} };
  const parsed = ConfigFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw usageError(`${configPath()} is not a Slipway config file; run \`slipway login\` again`);
  return parsed.data;
};

export const profileName = (flag: string | undefined) => flag ?? process.env.SLIPWAY_PROFILE ?? DEFAULT_PROFILE;

export const resolveConnection = async (profile: string): Promise<Connection> => {
  const stored = ownEntry((await readConfig()).profiles, profile);
  const url = process.env.SLIPWAY_URL || stored?.url;
  const key = process.env.SLIPWAY_API_KEY || stored?.key;
  if (!url) throw usageError(`No Slipway endpoint for profile "${profile}": run \`slipway login\` or set SLIPWAY_URL.`);
  if (!key) throw usageError(`No API key for profile "${profile}": run \`slipway login\` or set SLIPWAY_API_KEY.`);
  return { url, key };
};

/** Writes through a temporary file so a crash never leaves half a config, and keeps it private to the user. */
const writeConfig = async (config: ConfigFile) => {
  const path = configPath();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
};

export const saveProfile = async (profile: string, connection: Connection) => {
  const read = await readConfig();
  return writeConfig({ ...read, profiles: { ...read.profiles, [profile]: connection } });
};

/** Forgets a stored login; returns what it was, or null when there was none (nothing is written then). */
export const removeProfile = async (profile: string): Promise<Connection | null> => {
  const read = await readConfig();
  const stored = ownEntry(read.profiles, profile);
  if (!stored) return null;
  const profiles = Object.fromEntries(Object.entries(read.profiles).filter(([name]) => name !== profile));
  await writeConfig({ ...read, profiles });
  return stored;
};
