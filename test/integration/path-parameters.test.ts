import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKeyOf } from '../../shared/api/routes';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { countByType } from '../support/table-census';

/** A path parameter that names nothing that could exist is a 404 before any store call, whatever its size. */

let slipway: TestSlipway;
let real: Record<string, string>;

beforeAll(async () => {
  slipway = await startTestSlipway();
  const { builds } = await seedApp(slipway, 'paths', 1);
  const release = await slipway.call('POST', '/apps/paths/releases', { body: { slug: builds[0] } });
  real = { app: 'paths', build: builds[0] ?? '', slug: builds[0] ?? '', release: release.body.id, context: 'ci%2Funit' };
});
afterAll(() => slipway.close());

const ODD_VALUES = ['a'.repeat(1_021), 'a'.repeat(4_000), 'Ä'.repeat(600), '%00', 'Web App', 'x', '00000000-0000-0000-0000-00000000000g', '0', '-1'];

const routesWithParameters = ROUTES.filter((route) => route.path.includes('{'));

describe.each(routesWithParameters.map((route) => [routeKeyOf(route), route] as const))('%s', (_, route) => {
  it('answers odd and oversized path parameters with a JSON 404 and stores nothing', async () => {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
    const before = await countByType();
    for (const odd of names) {
      for (const value of ODD_VALUES) {
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === odd ? encodeURIComponent(value) : (real[name] ?? 'x')));
        // A valid body where one is needed, so that only the path decides (a bad UUID is still a fine status context).
        const body = route.method === 'GET' ? undefined : route.path.endsWith('{context}') ? { state: 'success' } : {};
        const response = await slipway.call(route.method, path, { body });
        expect(response.status, `${route.method} ${path.slice(0, 80)}`).toBe(404);
        expect(response.body.error.message.length).toBeLessThan(200);
      }
    }
    expect(await countByType()).toEqual(before);
  });
});

describe('app and pipeline names', () => {
  it.each(['/apps', '/pipelines'])('refuses a name shaped like a UUID at %s, since ids and names share the path', async (path) => {
    const name = 'abcdef01-2345-6789-abcd-ef0123456789';
    const response = await slipway.call('POST', path, { body: { name, cluster: 'c', service: 's' } });
    expect(response.status).toBe(422);
    expect(response.body.error.details.issues[0].path).toBe('body.name');
    expect((await slipway.call('GET', `${path}/${name}`)).status).toBe(404);
  });
});
