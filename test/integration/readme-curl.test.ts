import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The README's "The same with curl" block, taken from README.md as it stands and pasted whole into bash, against a
 * Slipway whose rollouts take as long as under `npm start`: a newcomer's first contact with the API must work.
 */
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const URL_IN_README = 'http://127.0.0.1:5000';
const KEY_IN_README = 'slw_…';

const curlBlock = async (): Promise<string> => {
  const readme = await readFile(README, 'utf8');
  const block = /^### The same with curl\n[\s\S]*?^```sh\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no sh block under "### The same with curl"');
  return block;
};

/** Feeds `script` to bash on its standard input, as a terminal does with a pasted block. */
const pasteIntoBash = (script: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('bash', [], { timeout: 180_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(script);
  });

type Release = { id: string; version: number; status: string; current: boolean; trigger: string; description: string; slug: { id: string } };

let slipway: TestSlipway;

beforeAll(async () => {
  // The rollout timings `npm start` runs with, so the block's wait for a release to settle is really tried.
  slipway = await startTestSlipway({ rollouts: {} });
});

afterAll(async () => {
  await slipway?.close();
});

describe("the README's curl quick start", () => {
  it('works pasted as one block: app, two builds, two releases, a rollback to v1 once it can, and the list', async () => {
    const block = await curlBlock();
    expect(block).toContain(URL_IN_README);
    expect(block).toContain(KEY_IN_README);
    const { code, stdout, stderr } = await pasteIntoBash(block.replace(URL_IN_README, slipway.url).replace(KEY_IN_README, slipway.adminKey));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

    // Every answer on a line of its own: the app, v1, v2, v2 settled, the rollback, it settled, the list.
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout).toHaveLength(7);
    const [app, v1, v2, v2Settled, rollback, rollbackSettled, list] = lines as [string, string, string, string, string, string, string];
    expect(JSON.parse(app)).toMatchObject({ name: 'web', cluster: 'local', service: 'web' });
    const first: Release = JSON.parse(v1);
    const second: Release = JSON.parse(v2);
    expect([first, second]).toMatchObject([
      { version: 1, trigger: 'deploy', status: 'queued' },
      { version: 2, trigger: 'deploy', status: 'queued' },
    ]);
    expect(v2Settled).toBe('"status":"succeeded"');
    const third: Release = JSON.parse(rollback);
    expect(third).toMatchObject({ version: 3, trigger: 'rollback', description: 'Rollback to v1 (its build and config)', slug: first.slug });
    expect(rollbackSettled).toBe('"status":"succeeded"');
    const listed: Release[] = JSON.parse(list);
    expect(listed.map(({ version, status, current }) => ({ version, status, current }))).toEqual([
      { version: 3, status: 'succeeded', current: true },
      { version: 2, status: 'succeeded', current: false },
      { version: 1, status: 'succeeded', current: false },
    ]);

    // The two builds the block registered are the ones its releases put on the app.
    const builds = (await slipway.call<{ id: string; source_blob: { image: string } }[]>('GET', '/apps/web/builds')).body;
    expect(Object.fromEntries(builds.map((build) => [build.source_blob.image, build.id]))).toEqual({
      'registry.local/web:v1': first.slug.id,
      'registry.local/web:v2': second.slug.id,
    });
  }, 240_000);
});
