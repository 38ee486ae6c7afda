import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectStore, parseKeysCommand, runKeysCommand, UsageError, type KeysCommand } from '../../local/keys-cli';
import { startLocalSlipway } from '../../local/slipway';
import { startTestSlipway } from '../support/local-slipway';
import { config } from '../../shared/config/config';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempDataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-keys-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

/** Runs a CLI command against whatever store is connected and returns what it printed. */
const run = async (command: KeysCommand): Promise<string> => {
  const lines: string[] = [];
  await runKeysCommand(command, (line) => lines.push(line));
  return lines.join('\n');
};

const keyIn = (output: string) => output.match(/slw_[\w-]+/)?.[0] ?? '';
const idIn = (output: string) => output.match(/key ([0-9a-f-]{36})/)?.[1] ?? '';

describe('keys command line', () => {
  it.each([
    [['create', '--role', 'developer'], { command: 'create', options: { role: 'developer' } }],
    [
      ['create', '--role', 'pipeline', '--apps', 'orders, billing', '--email', 'ci@example.com'],
      { command: 'create', options: { role: 'pipeline', apps: ['orders', 'billing'], email: 'ci@example.com' } },
    ],
    [['list'], { command: 'list' }],
    [['revoke', 'abc'], { command: 'revoke', id: 'abc' }],
  ])('parses %j', (argv, expected) => {
    expect(parseKeysCommand(argv)).toEqual(expected);
  });

  it.each([
    [[]],
    [['create']],
    [['create', '--role', 'root']],
    [['create', '--role', 'admin', '--apps', 'Not_An_App']],
    [['create', '--role', 'admin', '--email', 'nope']],
    [['create', '--role', 'admin', '--bogus']],
    [['list', 'extra']],
    [['revoke']],
    [['rotate', 'abc']],
  ])('refuses %j with usage help', (argv) => {
    expect(() => parseKeysCommand(argv)).toThrow(UsageError);
  });
});

describe('keys against a running local Slipway', () => {
  it('mints a key shown once, lists keys without secrets, and a revoked key gets 401', async () => {
    const dataDir = await tempDataDir();
    const slipway = await startTestSlipway({ dataDir });
    cleanups.push(() => slipway.close());

    const connection = await connectStore({ SLIPWAY_DATA_DIR: dataDir });
    cleanups.push(() => connection.close());
    expect(connection.target).toContain('running local Slipway');

    const created = await run({ command: 'create', options: { role: 'developer', apps: ['shop'] } });
    const key = keyIn(created);
    const id = idIn(created);
    expect(key).not.toBe('');
    await slipway.call('POST', '/apps', { body: { name: 'shop', cluster: 'local', service: 'shop-svc' } });
    await slipway.call('POST', '/apps', { body: { name: 'other', cluster: 'local', service: 'other-svc' } });
    expect((await slipway.call('GET', '/apps/shop', { key })).status).toBe(200);
    expect((await slipway.call('GET', `/apps/shop?access_token=${key}`, { key: null })).status).toBe(200);
    expect((await slipway.call('GET', '/apps/other', { key })).status).toBe(404);
    expect((await slipway.call('POST', '/apps', { key, body: { name: 'mine', cluster: 'c', service: 's' } })).status).toBe(403);

    const listed = await run({ command: 'list' });
    expect(listed).toContain(id);
    expect(listed).toMatch(/developer\s+shop\s/);
    expect(listed).not.toContain(key);
    expect(listed).not.toMatch(/[0-9a-f]{64}/);

    expect(await run({ command: 'revoke', id })).toContain('Revoked');
    expect((await slipway.call('GET', '/apps/shop', { key })).status).toBe(401);
    expect((await slipway.call('GET', `/apps/shop?access_token=${key}`, { key: null })).status).toBe(401);
    expect(await run({ command: 'list' })).toMatch(new RegExp(`${id}.*revoked`));
    await expect(run({ command: 'revoke', id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: 'api_key_not_found',
    });
  });
});

describe('keys on a named table', () => {
  it('uses SLIPWAY_TABLE (and DYNAMODB_ENDPOINT) as a deployed stack would, ignoring the local data dir', async () => {
    const slipway = await startTestSlipway();
    cleanups.push(() => slipway.close());
    const connection = await connectStore({
      SLIPWAY_TABLE: 'slipway',
      DYNAMODB_ENDPOINT: config().dynamodbEndpoint,
      SLIPWAY_DATA_DIR: '/nonexistent',
    });
    expect(connection.target).toBe(`DynamoDB table slipway at ${config().dynamodbEndpoint}`);
    const key = keyIn(await run({ command: 'create', options: { role: 'pipeline' } }));
    expect((await slipway.call('GET', '/apps', { key })).status).toBe(200);
  });
});

describe('keys without a running server', () => {
  it('opens the data dir itself, and the key it mints works once the server starts', async () => {
    const dataDir = await tempDataDir();
    // A file left behind by a server that was killed must not send the CLI to a dead endpoint.
    const exited = spawnSync(process.execPath, ['-e', '']);
    await writeFile(join(dataDir, 'dynamodb-endpoint.json'), JSON.stringify({ endpoint: 'http://127.0.0.1:9', pid: exited.pid }));

    const connection = await connectStore({ SLIPWAY_DATA_DIR: dataDir });
    expect(connection.target).toContain('local store');
    const key = keyIn(await run({ command: 'create', options: { role: 'admin' } }));
    await connection.close();

    const slipway = await startLocalSlipway({ port: 0, dataDir });
    cleanups.push(() => slipway.close());
    expect(slipway.bootstrapAdminKey).toBeNull();
    const response = await fetch(`${slipway.url}/apps`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
  });
});
