import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDetailResponse } from '../../shared/api/app-responses';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { seedApp, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * What runs each release now, live: the ECS tasks of the revision a release registered (the simulator's
 * service starts with 3), and for an external app the hosts whose latest reported deployment it is.
 */
let slipway: SlipwayWithEcs;
let builds: string[];

const releases = async (app: string) => (await slipway.call<ReleaseResponse[]>('GET', `/apps/${app}/releases`)).body;
const countsOf = async (app: string) => (await releases(app)).map((release) => [release.version, release.running_count]);
const settled = (app: string, version: number) =>
  until(`v${version} of ${app} to succeed`, async () => ((await releases(app)).find((release) => release.version === version)?.status === 'succeeded' ? true : undefined));

beforeAll(async () => {
  slipway = await startSlipwayWithEcs();
  ({ builds } = await seedApp(slipway, 'web', 2));
  await slipway.call('POST', '/apps', { body: { name: 'firmware' } });
});
afterAll(() => slipway?.close());

describe('running counts', () => {
  it('tells how many tasks run each release of an ECS app, and the current one on the app, following a rollout', async () => {
    await slipway.call('POST', '/apps/web/releases', { body: { slug: builds[0] } });
    await settled('web', 1);
    // Read again until the cached view of the service (a few seconds at most) shows the settled rollout.
    await until('v1 to run 3 tasks', async () => ((await countsOf('web')).join() === [[1, 3]].join() ? true : undefined));
    const app = (await slipway.call<AppDetailResponse>('GET', '/apps/web')).body;
    expect(app.current_release).toMatchObject({ version: 1, running_count: 3 });

    await slipway.call('POST', '/apps/web/releases', { body: { slug: builds[1] } });
    await settled('web', 2);
    await until('v2 to run all 3 tasks and v1 none', async () => ((await countsOf('web')).join() === [[1, 0], [2, 3]].join() ? true : undefined));
    const one = (await slipway.call<ReleaseResponse>('GET', '/apps/web/releases/2')).body;
    expect(one.running_count).toBe(3);
    await until('the app to show v2 running', async () =>
      (await slipway.call<AppDetailResponse>('GET', '/apps/web')).body.current_release?.running_count === 3 ? true : undefined,
    );
  });

  it("counts an external app's hosts by their latest reported deployment", async () => {
    const key = await slipway.keyFor('developer', ['firmware']);
    const deploy = (version: string, host: string, stage = 'production') =>
      slipway.call('POST', '/components/firmware/deployments/', { key, body: { version, host, stage } });
    await deploy('v1', 'gw-1');
    await deploy('v1', 'gw-2');
    await deploy('v1', 'gw-2', 'canary');
    expect(await countsOf('firmware')).toEqual([[1, 2]]);
    await deploy('v2', 'gw-1');
    expect(await countsOf('firmware')).toEqual([
      [1, 1],
      [2, 1],
    ]);
    const app = (await slipway.call<AppDetailResponse>('GET', '/apps/firmware')).body;
    expect(app.current_release).toMatchObject({ version: 2, running_count: 1 });
  });
});
