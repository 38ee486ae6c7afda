import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentResponse } from '../../shared/api/deployment-responses';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * ReleaseBits' deployments API under Slipway's base URL: the README's curl block (JSON, query parameters
 * alone, a form; Bearer, access_token and the bare Authorization header), run as it stands.
 */
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const URL_IN_README = 'http://127.0.0.1:5000';
const KEY_IN_README = 'slw_…';

const releaseBitsBlock = async (): Promise<string> => {
  const block = /^\*\*ReleaseBits clients\.\*\*[\s\S]*?^```sh\n([\s\S]*?)^```$/m.exec(await readFile(README, 'utf8'))?.[1];
  if (!block) throw new Error('README.md has no sh block after "**ReleaseBits clients.**"');
  return block;
};

const bash = (script: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('bash', [], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(script);
  });

let slipway: TestSlipway;
let key: string;
const post = (body: Record<string, unknown>) => slipway.call('POST', '/components/firmware/deployments/', { body, key });
const releasesOf = async () => (await slipway.call<ReleaseResponse[]>('GET', '/apps/firmware/releases')).body;

beforeAll(async () => {
  slipway = await startTestSlipway();
  await slipway.call('POST', '/apps', { body: { name: 'firmware' } });
  await slipway.call('POST', '/apps', { body: { name: 'web', cluster: 'local', service: 'web' } });
  key = await slipway.keyFor('developer', ['firmware', 'web']);
});
afterAll(() => slipway.close());

describe("ReleaseBits' deployments API", () => {
  it("takes the README's curl examples as they stand: every body and token form, one release of the version listing each host", async () => {
    const block = await releaseBitsBlock();
    const { code, stdout, stderr } = await bash(block.replace(URL_IN_README, slipway.url).replace(KEY_IN_README, key));
    expect(code, stderr).toBe(0);
    const answers = stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const created of answers.slice(0, 3)) expect(Object.keys(created)).toEqual(['id']);

    const [release, ...others] = await releasesOf();
    expect(others).toEqual([]);
    expect(release).toMatchObject({ recorded: true, status: 'failed', build: { version: 'v1.2.3', commit: '1a2b3c4' } });
    expect(release?.deployments.map((deployment) => [deployment.host, deployment.stage, deployment.status, deployment.meta_data])).toEqual([
      ['gw-1', 'production', 'succeeded', { foo: 'bar' }],
      ['gw-2', 'production', 'succeeded', { foo: 'bar' }],
      ['gw-3', 'production', 'failed', {}],
    ]);
    // Slipway sets the finish time a client leaves out.
    for (const deployment of release?.deployments ?? []) expect(deployment.finished_at).not.toBeNull();

    const listed = answers[3] as DeploymentResponse[];
    expect(listed.map((deployment) => [deployment.host, deployment.result, deployment.version])).toEqual([
      ['gw-3', 'failure', 'v1.2.3'],
      ['gw-2', 'success', 'v1.2.3'],
      ['gw-1', 'success', 'v1.2.3'],
    ]);
    expect(listed.map((deployment) => deployment.id)).toEqual([answers[2].id, answers[1].id, answers[0].id]);
  });

  it("lists a host and stage once, by its latest deployment: the version's release succeeds once every host does", async () => {
    expect((await post({ version: 'v1.2.3', host: 'gw-3', stage: 'production', result: 'success' })).status).toBe(201);
    const [release] = await releasesOf();
    expect(release?.deployments.map((deployment) => deployment.host)).toEqual(['gw-1', 'gw-2', 'gw-3']);
    expect(release).toMatchObject({ status: 'succeeded', current: true });
    // The same host at another stage is another deployment of the same release.
    await post({ version: 'v1.2.3', host: 'gw-3', stage: 'staging', started_at: '2026-11-24T10:00:00+01:00', finished_at: '2026-11-24T09:05:00Z' });
    const [again] = await releasesOf();
    expect(again?.deployments).toHaveLength(4);
    expect(again?.started_at).toBe('2026-11-24T09:00:00.000Z');
  });

  it('makes a new release for a new version', async () => {
    await post({ version: 'v1.3.0', host: 'gw-1', stage: 'production', code_name: 'Osprey' });
    const releases = await releasesOf();
    expect(releases.map((release) => [release.build.version, release.name])).toEqual([
      ['v1.2.3', null],
      ['v1.3.0', 'Osprey'],
    ]);
    expect(releases[1]?.current).toBe(true);
  });

  it('refuses an app Slipway deploys, unknown fields and a bad time, recording nothing', async () => {
    const before = (await releasesOf()).length;
    const deployed = await slipway.call('POST', '/components/web/deployments', { body: { version: 'v1' }, key });
    expect([deployed.status, deployed.body.error.code]).toEqual([422, 'not_an_external_app']);
    expect((await post({ version: 'v9', colour: 'blue' })).status).toBe(422);
    expect((await post({ version: 'v9', started_at: 'soon' })).status).toBe(422);
    expect((await slipway.call('POST', '/components/firmware/deployments', { body: { version: 'v9' }, key: 'slw_not-a-key' })).status).toBe(401);
    expect((await releasesOf()).length).toBe(before);
  });
});
