import { expect } from 'vitest';
import { rolloutsOf, type SlipwayWithEcs } from './local-slipway';
import { until } from './until';

/**
 * Releases of one app as a test drives them through the API of a local Slipway with rollouts: made on a new
 * app with a deployment strategy, read back, followed until a test of them holds, and once their rollout ended.
 * `slipwayOf` names the Slipway the tests started (in their beforeAll, after this is set up).
 */
export const appReleases = <Release extends { id: string }>(slipwayOf: () => SlipwayWithEcs) => {
  const read = async (app: string, id: string) => (await slipwayOf().call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
  return {
    /** A new app of that name on the service `<app>-svc`, rolling out with `deployment`, and its first release of `image`. */
    releaseOn: async (app: string, deployment: unknown, image = `registry.local/${app}:v2`) => {
      const slipway = slipwayOf();
      const created = await slipway.call('POST', '/apps', { body: { name: app, cluster: 'local', service: `${app}-svc`, deployment } });
      expect(created.status).toBe(201);
      const build = await slipway.call('POST', `/apps/${app}/builds`, { body: { image, sha: 'abcdef1' } });
      const release = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug: build.body.id } });
      expect(release.status).toBe(201);
      return release.body;
    },
    read,
    /** The release once its rollout's execution ended. */
    settled: async (app: string, id: string) => {
      await rolloutsOf(slipwayOf()).stepFunctions.finished(id);
      return read(app, id);
    },
    /** The release once `test` holds of it, read again until it does. */
    reaching: (app: string, id: string, what: string, test: (release: Release) => boolean) =>
      until(what, async () => {
        const release = await read(app, id);
        return test(release) ? release : undefined;
      }),
  };
};
