import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirUnusable } from '../../local/data-dir';
import { startLocalSlipway } from '../../local/slipway';

/** How `npm start` meets a taken port, a contended data dir and a damaged one. */

const dirs: string[] = [];
const tempDataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-start-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A data dir with a store in it, as a first `npm start` leaves it. */
const usedDataDir = async () => {
  const dir = await tempDataDir();
  await (await startLocalSlipway({ dataDir: dir, rollouts: false })).close();
  return dir;
};

/** `npm start` as a user runs it: the message it ends with, and its exit code. */
const npmStart = (dataDir: string) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, PORT: '0', SLIPWAY_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
};

describe('the first admin key', () => {
  it('is not minted when the port is taken, so the next start still shows one', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const { port } = squatter.address() as { port: number };
    const dataDir = await tempDataDir();
    try {
      await expect(startLocalSlipway({ port, dataDir, rollouts: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      squatter.close();
    }
    const slipway = await startLocalSlipway({ port: 0, dataDir, rollouts: false });
    try {
      expect(slipway.bootstrapAdminKey).toMatch(/^slw_/);
      expect((await fetch(`${slipway.url}/apps`, { headers: { authorization: `Bearer ${slipway.bootstrapAdminKey}` } })).status).toBe(200);
    } finally {
      await slipway.close();
    }
  });
});

describe('the data dir', () => {
  it('lets exactly one of two servers racing on a new dir start, and tells the other why in a sentence', async () => {
    const dataDir = await tempDataDir();
    const outcomes = await Promise.allSettled([
      startLocalSlipway({ dataDir, rollouts: false }),
      startLocalSlipway({ dataDir, rollouts: false }),
    ]);
    const started = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toBeInstanceOf(DataDirUnusable);
    expect(refused[0]?.reason.message).toMatch(new RegExp(`^${dataDir} is in use by another Slipway.*SLIPWAY_DATA_DIR`));
    const winner = started[0]?.value;
    expect(winner?.bootstrapAdminKey).toMatch(/^slw_/);
    await winner?.close();
    const next = await startLocalSlipway({ dataDir, rollouts: false });
    expect(next.bootstrapAdminKey).toBeNull();
    await next.close();
  });

  it.each([
    ['CURRENT names a missing MANIFEST', (dir: string) => writeFile(join(dir, 'CURRENT'), 'MANIFEST-999999\n')],
    ['CURRENT is gone', (dir: string) => rm(join(dir, 'CURRENT'))],
    [
      'the MANIFEST is cut short',
      async (dir: string) => {
        const manifest = (await readdir(dir)).find((file) => file.startsWith('MANIFEST-')) ?? '';
        await writeFile(join(dir, manifest), 'junk');
      },
    ],
  ])('makes npm start end in one plain sentence when %s, with exit code 1', async (_, damage) => {
    const dataDir = await usedDataDir();
    await damage(dataDir);
    const { status, output } = npmStart(dataDir);
    expect(status).toBe(1);
    expect(output.split('\n')).toHaveLength(1);
    expect(output).toMatch(new RegExp(`^Slipway did not start: The data in ${dataDir} is damaged .*move the directory aside`));
    expect(output).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
