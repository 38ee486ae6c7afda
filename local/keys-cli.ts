import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateApiKeyRequest } from '../shared/api/api-keys';
import type { ApiKeyResponse } from '../shared/api/api-key-responses';
import { ROLES } from '../shared/domain/access';
import { DomainError } from '../shared/domain/errors';
import { presentApiKey } from '../shared/api/presenters';
import { createApiKey, listApiKeys, revokeApiKey } from '../shared/operations/api-keys';
import { createStore, useStore } from '../shared/store/client';
import { DEFAULT_TABLE_NAME } from '../shared/store/table-design';
import { startDynalite } from './dynalite';
import { runningEndpoint } from './endpoint-file';
import { ensureTable } from './table';

/**
 * `npm run keys -- create --role <role> [--apps a,b] [--email x] | list | revoke <id>`
 *
 * With SLIPWAY_TABLE set it works on that DynamoDB table with the usual AWS credentials (DYNAMODB_ENDPOINT
 * overrides the endpoint). Otherwise it works on the local store under SLIPWAY_DATA_DIR (default
 * .slipway): through the running `npm start` server when there is one, else by opening it itself.
 */
const USAGE = `usage:
  npm run keys -- create --role ${ROLES.join('|')} [--apps app1,app2] [--email someone@example.com]
  npm run keys -- list
  npm run keys -- revoke <key-id>`;

export class UsageError extends Error {}

export type KeysCommand =
  | { command: 'create'; options: CreateApiKeyRequest }
  | { command: 'list' }
  | { command: 'revoke'; id: string };

const FLAGS = {
  role: { type: 'string' },
  apps: { type: 'string' },
  email: { type: 'string' },
} as const;

const parseFlags = (args: string[]) => {
  try {
    return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
};

export const parseKeysCommand = (argv: readonly string[]): KeysCommand => {
  const [command, ...rest] = argv;
  const { values, positionals } = parseFlags(rest);
  if (command === 'create' && positionals.length === 0) {
    const options = CreateApiKeyRequest().safeParse({
      role: values.role,
      apps: values.apps?.split(',').map((app) => app.trim()).filter(Boolean),
      email: values.email,
    });
    if (!options.success) {
      const issue = options.error.issues[0];
      throw new UsageError(`--${String(issue?.path[0] ?? 'role')}: ${issue?.message ?? 'invalid'}`);
    }
    return { command: 'create', options: options.data };
  }
  if (command === 'list' && positionals.length === 0 && Object.keys(values).length === 0) return { command: 'list' };
  if (command === 'revoke' && positionals.length === 1 && Object.keys(values).length === 0) {
    return { command: 'revoke', id: positionals[0] ?? '' };
  }
  throw new UsageError(command ? `cannot understand "keys ${argv.join(' ')}"` : 'no command given');
};

const describeKey = (key: ApiKeyResponse): string =>
  [
    key.id,
    key.role.padEnd(9),
    (key.apps === null ? '*' : key.apps.join(',')).padEnd(20),
    key.email.padEnd(36),
    key.created_at,
    key.revoked_at ? `revoked ${key.revoked_at}` : 'active',
  ].join('  ');

/** Runs one command against the current store, writing what the user should see through `print`. */
export const runKeysCommand = async (command: KeysCommand, print: (line: string) => void): Promise<void> => {
  switch (command.command) {
    case 'create': {
      const { key, record } = await createApiKey(command.options);
      print(`Created ${record.role} key ${record.id} for ${record.apps === null ? 'all apps' : record.apps.join(', ')} (${record.email}).`);
      print('The key is shown only this once; Slipway keeps only its SHA-256:');
      print('');
      print(`  ${key}`);
      print('');
      return;
    }
    case 'list': {
      const keys = await listApiKeys();
      if (keys.length === 0) print('No API keys.');
      for (const key of keys) print(describeKey(presentApiKey(key)));
      return;
    }
    case 'revoke': {
      const key = await revokeApiKey(command.id);
      print(`Revoked ${key.role} key ${key.id} (${key.email}); requests with it now get 401.`);
      return;
    }
  }
};

export type StoreConnection = { target: string; close: () => Promise<void> };

/** Points the store at the cloud table, the running local server, or the local data dir opened directly. */
export const connectStore = async (env: NodeJS.ProcessEnv): Promise<StoreConnection> => {
  if (env.SLIPWAY_TABLE) {
    useStore(createStore({ tableName: env.SLIPWAY_TABLE, endpoint: env.DYNAMODB_ENDPOINT }));
    const at = env.DYNAMODB_ENDPOINT ? ` at ${env.DYNAMODB_ENDPOINT}` : '';
    return { target: `DynamoDB table ${env.SLIPWAY_TABLE}${at}`, close: async () => undefined };
  }
  const dataDir = resolve(env.SLIPWAY_DATA_DIR ?? '.slipway');
  const endpoint = await runningEndpoint(dataDir);
  if (endpoint) {
    useStore(createStore({ tableName: DEFAULT_TABLE_NAME, endpoint }));
    return { target: `the running local Slipway (${dataDir})`, close: async () => undefined };
  }
  await mkdir(dataDir, { recursive: true });
  const dynamo = await startDynalite({ path: dataDir });
  const store = createStore({ tableName: DEFAULT_TABLE_NAME, endpoint: dynamo.endpoint });
  useStore(store);
  await ensureTable(store);
  return { target: `the local store in ${dataDir}`, close: () => dynamo.close() };
};

const main = async (): Promise<number> => {
  let command: KeysCommand;
  try {
    command = parseKeysCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const connection = await connectStore(process.env);
  console.error(`Using ${connection.target}.`);
  try {
    await runKeysCommand(command, (line) => console.log(line));
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    await connection.close();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
