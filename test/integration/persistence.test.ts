import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalSlipway } from '../../local/slipway';

const dataDir = await mkdtemp(join(tmpdir(), 'slipway-persist-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

// Bodies are loosely typed on purpose: the assertions below check them field by field.
const call = async (url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
};

describe('the local store on disk', () => {
  it('keeps apps, builds, releases and keys across a restart', async () => {
    const first = await startLocalSlipway({ dataDir });
    const key = first.bootstrapAdminKey;
    expect(key).toMatch(/^slw_/);
    if (!key) return;
    await call(first.url, key, 'POST', '/apps', { name: 'kept', cluster: 'c', service: 's' });
    const build = await call(first.url, key, 'POST', '/apps/kept/builds', { image: 'registry.local/kept:v1' });
    const v1 = await call(first.url, key, 'POST', '/apps/kept/releases', { slug: build.body.id });
    await call(first.url, key, 'POST', '/apps/kept/releases', { slug: build.body.id });
    // v1 may still be rolling out: a rollback to a release not yet succeeded takes force.
    await call(first.url, key, 'POST', '/apps/kept/releases', { release: v1.body.id, force: true });
    await first.close();

    const second = await startLocalSlipway({ dataDir });
    try {
      expect(second.bootstrapAdminKey).toBeNull();
      const list = await call(second.url, key, 'GET', '/apps/kept/releases');
      expect(list.status).toBe(200);
      expect(list.body.map((release: { version: number; description: string }) => [release.version, release.description])).toEqual([
        [1, `Deploy ${build.body.id}`],
        [2, `Deploy ${build.body.id}`],
        [3, 'Rollback to v1 (its build and config)'],
      ]);
    } finally {
      await second.close();
    }
  });
});
