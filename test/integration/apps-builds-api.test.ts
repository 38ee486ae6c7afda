import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DIGEST, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

describe('apps over HTTP', () => {
  it('registers an app, refuses a second of the same name, and finds it by name or id', async () => {
    const created = await slipway.call('POST', '/apps', {
      body: { name: 'catalog', cluster: 'prod', service: 'catalog-svc', container: 'web', auto_release: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'catalog', container: 'web', auto_release: true });
    expect(created.headers.get('location')).toBe('/apps/catalog');

    const duplicate = await slipway.call('POST', '/apps', { body: { name: 'catalog', cluster: 'c', service: 's' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('app_name_taken');

    // One app has more to say about what it runs; before any release that is nothing.
    const detail = { ...created.body, image: '', git_url: '', git_branch: '', released_at: null, current_release: null, rollout_in_flight: null };
    expect((await slipway.call('GET', `/apps/${created.body.id}`)).body).toEqual(detail);
    expect((await slipway.call('GET', '/apps/catalog')).body).toEqual(detail);
    expect((await slipway.call('GET', '/apps')).body).toContainEqual(created.body);
  });

  it.each([
    [{ name: 'No', cluster: 'c', service: 's' }, 'body.name'],
    [{ name: 'fine-name', service: 's' }, 'body.cluster'],
    [{ name: 'fine-name', cluster: 'c', service: 's', auto_release: 'yes' }, 'body.auto_release'],
  ])('refuses %j with 422 naming %s', async (body, path) => {
    const response = await slipway.call('POST', '/apps', { body });
    expect(response.status).toBe(422);
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    expect((await slipway.call('GET', '/apps/fine-name')).status).toBe(404);
  });

  it('lets only admins register apps and hides apps outside a scoped key', async () => {
    const developer = await slipway.keyFor('developer', ['catalog']);
    const refused = await slipway.call('POST', '/apps', { key: developer, body: { name: 'sneaky', cluster: 'c', service: 's' } });
    expect(refused.status).toBe(403);
    await slipway.call('POST', '/apps', { body: { name: 'hidden', cluster: 'c', service: 's' } });
    const visible = (await slipway.call('GET', '/apps', { key: developer })).body.map((app: { name: string }) => app.name);
    expect(visible).toEqual(['catalog']);
    expect((await slipway.call('GET', '/apps/hidden', { key: developer })).status).toBe(404);
  });
});

describe('builds over HTTP', () => {
  it('registers builds with their source, lists them oldest first and finds them as slugs', async () => {
    await slipway.call('POST', '/apps', { body: { name: 'shop', cluster: 'c', service: 's' } });
    const image = `registry.local/shop@${IMAGE_DIGEST}`;
    const first = await slipway.call('POST', '/apps/shop/builds', {
      body: { image, sha: 'abcdef1234', branch: 'main', repo: 'git@example.com:shop', version: '1.0.0', author: 'ana', message: 'first' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'succeeded',
      app: { name: 'shop' },
      slug: { id: first.body.id },
      source_blob: { image, commit: 'abcdef1234', branch: 'main', repo: 'git@example.com:shop', version: '1.0.0', author: 'ana', message: 'first' },
    });
    const second = await slipway.call('POST', '/apps/shop/builds', { body: { image: 'registry.local/shop:2', status: 'pending' } });

    const listed = await slipway.call('GET', '/apps/shop/builds');
    expect(listed.body.map((build: { id: string }) => build.id)).toEqual([first.body.id, second.body.id]);
    expect((await slipway.call('GET', '/apps/shop/builds?limit=1')).body).toHaveLength(1);
    expect((await slipway.call('GET', `/apps/shop/builds/${second.body.id}`)).body).toEqual(second.body);
    expect((await slipway.call('GET', `/slugs/${first.body.id}`)).body).toEqual(first.body);
    expect((await slipway.call('GET', '/slugs/00000000-0000-4000-8000-000000000000')).body.error.code).toBe('slug_not_found');
  });

  it('settles a pending build once: a repeat is harmless, a change is refused', async () => {
    await slipway.call('POST', '/apps', { body: { name: 'settle', cluster: 'c', service: 's' } });
    const build = await slipway.call('POST', '/apps/settle/builds', { body: { image: 'registry.local/settle:1', status: 'pending' } });
    const path = `/apps/settle/builds/${build.body.id}`;

    const succeeded = await slipway.call('PATCH', path, { body: { status: 'succeeded' } });
    expect(succeeded.body.status).toBe('succeeded');
    expect((await slipway.call('PATCH', path, { body: { status: 'succeeded' } })).status).toBe(200);
    const changed = await slipway.call('PATCH', path, { body: { status: 'failed' } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('build_status_final');
    expect((await slipway.call('PATCH', path, { body: { status: 'pending' } })).status).toBe(422);
    expect((await slipway.call('GET', path)).body.status).toBe('succeeded');
  });

  it('refuses images that are not image references, and writes nothing', async () => {
    await slipway.call('POST', '/apps', { body: { name: 'strict', cluster: 'c', service: 's' } });
    for (const image of ['', 'UPPER/case', 'registry.local/app:tag with space', `registry.local/app@sha256:${'z'.repeat(64)}`]) {
      const response = await slipway.call('POST', '/apps/strict/builds', { body: { image } });
      expect(response.status, image).toBe(422);
    }
    expect((await slipway.call('GET', '/apps/strict/builds')).body).toEqual([]);
  });
});
