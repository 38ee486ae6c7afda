import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/** A key limited to app `web` must learn nothing of app `secret`: not its id, not its name, not that it exists. */

let slipway: TestSlipway;
let secret: { id: string; name: string };
let pipeline: { id: string };
let promotionId: string;

beforeAll(async () => {
  slipway = await startTestSlipway();
  const web = await seedApp(slipway, 'web', 1);
  secret = (await seedApp(slipway, 'secret', 1)).app;
  pipeline = (await slipway.call('POST', '/pipelines', { body: { name: 'shared-pipe' } })).body;
  await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'shared-pipe', app: 'web', stage: 'development' } });
  await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'shared-pipe', app: 'secret', stage: 'staging' } });
  const release = await slipway.call('POST', '/apps/web/releases', { body: { slug: web.builds[0] } });
  await settleAsSucceeded(release.body);
  const promotion = await slipway.call('POST', '/pipeline-promotions', {
    body: {
      pipeline: { name: 'shared-pipe' },
      source: { app: { name: 'web' }, release: { id: release.body.id } },
      targets: [{ app: { name: 'secret' } }],
      safe: false,
    },
  });
  promotionId = promotion.body.id;
});
afterAll(() => slipway.close());

/** The body with the reference the caller sent swapped for a placeholder, to compare refusals. */
const shapeOf = (body: { error: { code: string; message: string; details: Record<string, unknown> } }, reference: string) =>
  JSON.parse(JSON.stringify(body).replaceAll(reference, '<ref>'));

describe('a key scoped to one app', () => {
  it.each(['developer', 'admin'] as const)('answers a %s key about an app it does not cover exactly as about an unknown app', async (role) => {
    const key = await slipway.keyFor(role, ['web']);
    const pairs: [string, string][] = [
      ['/apps/secret', '/apps/no-such-app'],
      [`/apps/${secret.id}`, `/apps/${randomUUID()}`],
      ['/apps/secret/releases', '/apps/no-such-app/releases'],
      ['/apps/secret/builds', '/apps/no-such-app/builds'],
      ['/apps/secret/releases/1/statuses', '/apps/no-such-app/releases/1/statuses'],
      ['/apps/secret/pipeline-couplings', '/apps/no-such-app/pipeline-couplings'],
    ];
    for (const [hidden, unknown] of pairs) {
      const [seen, missing] = await Promise.all([slipway.call('GET', hidden, { key }), slipway.call('GET', unknown, { key })]);
      expect(seen.status, hidden).toBe(404);
      expect(shapeOf(seen.body, hidden.split('/')[2] ?? ''), hidden).toEqual(shapeOf(missing.body, unknown.split('/')[2] ?? ''));
    }
    const release = await slipway.call('POST', '/apps/secret/releases', { key, body: { slug: randomUUID() } });
    expect(release.status).toBe(404);
    expect(release.body.error.code).toBe('app_not_found');
  });

  it("lists only its own apps' couplings of a shared pipeline", async () => {
    const key = await slipway.keyFor('developer', ['web']);
    const couplings = await slipway.call('GET', `/pipelines/${pipeline.id}/pipeline-couplings`, { key });
    expect(couplings.status).toBe(200);
    expect(JSON.stringify(couplings.body)).not.toMatch(new RegExp(`secret|${secret.id}`));
    expect(couplings.body.map((coupling: { app: { name: string } }) => coupling.app.name)).toEqual(['web']);
    const all = await slipway.call('GET', `/pipelines/${pipeline.id}/pipeline-couplings`);
    expect(all.body).toHaveLength(2);
  });

  it("shows a promotion from its app without the targets it does not cover, and hides others' promotions", async () => {
    const webKey = await slipway.keyFor('pipeline', ['web']);
    const seen = await slipway.call('GET', `/pipeline-promotions/${promotionId}`, { key: webKey });
    expect(seen.status).toBe(200);
    expect(seen.body.targets).toEqual([]);
    expect(JSON.stringify(seen.body)).not.toMatch(new RegExp(`secret|${secret.id}`));

    const outsider = await slipway.keyFor('pipeline', ['secret']);
    const hidden = await slipway.call('GET', `/pipeline-promotions/${promotionId}`, { key: outsider });
    const unknownId = randomUUID();
    const unknown = await slipway.call('GET', `/pipeline-promotions/${unknownId}`, { key: outsider });
    expect(hidden.status).toBe(404);
    expect(shapeOf(hidden.body, promotionId)).toEqual(shapeOf(unknown.body, unknownId));
  });

  it('may not create apps, pipelines, couplings or keys even with the admin role, and nothing is written', async () => {
    const scopedAdmin = await slipway.keyFor('admin', ['web']);
    const attempts = [
      ['/apps', { name: 'sneaky', cluster: 'c', service: 's' }],
      ['/pipelines', { name: 'sneaky-pipe' }],
      ['/pipeline-couplings', { pipeline: 'shared-pipe', app: 'web', stage: 'production' }],
      ['/api-keys', { role: 'admin' }],
    ] as const;
    for (const [path, body] of attempts) {
      const refused = await slipway.call('POST', path, { key: scopedAdmin, body });
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.code, path).toBe('forbidden_scoped_key');
    }
    expect((await slipway.call('GET', '/apps/sneaky')).status).toBe(404);
    expect((await slipway.call('GET', '/pipelines/sneaky-pipe')).status).toBe(404);
    expect((await slipway.call('GET', '/apps/web/pipeline-couplings')).body.stage).toBe('development');
    expect((await slipway.call('GET', '/apps', { key: scopedAdmin })).body.map((app: { name: string }) => app.name)).toEqual(['web']);
  });
});
