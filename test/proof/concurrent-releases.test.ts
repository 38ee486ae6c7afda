import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { releaseIntegrityProblems, releasesByApp } from '../support/table-census';

const APPS = 20;
const RELEASES_PER_APP = 10;

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

type Created = { app: string; id: string; version: number };

describe('200 concurrent release creates across 20 apps', () => {
  it('answers every one with 201, loses none and keeps each app on versions 1..10 with no gap or repeat', async () => {
    const apps = await Promise.all(
      Array.from({ length: APPS }, async (_, index) => {
        const name = `load-${String(index).padStart(2, '0')}`;
        return { name, builds: (await seedApp(slipway, name, 2)).builds };
      }),
    );

    const requests = apps.flatMap(({ name, builds }) =>
      Array.from({ length: RELEASES_PER_APP }, (_, index) => ({ name, slug: builds[index % builds.length] })),
    );
    const responses = await Promise.all(
      requests.map(async ({ name, slug }) => ({
        name,
        response: await slipway.call('POST', `/apps/${name}/releases`, { body: { slug, description: `load for ${name}` } }),
      })),
    );

    expect(responses.filter(({ response }) => response.status !== 201).map(({ response }) => response.body)).toEqual([]);
    const created: Created[] = responses.map(({ name, response }) => ({ app: name, id: response.body.id, version: response.body.version }));
    expect(new Set(created.map((release) => release.id)).size).toBe(APPS * RELEASES_PER_APP);

    const oneToTen = Array.from({ length: RELEASES_PER_APP }, (_, index) => index + 1);
    const stored = await releasesByApp();
    for (const { name } of apps) {
      const mine = created.filter((release) => release.app === name).sort((a, b) => a.version - b.version);
      expect(mine.map((release) => release.version), name).toEqual(oneToTen);

      const listed = await slipway.call('GET', `/apps/${name}/releases?limit=1000`);
      expect(listed.status).toBe(200);
      expect(listed.body.map((release: Created) => ({ id: release.id, version: release.version })), name).toEqual(
        mine.map(({ id, version }) => ({ id, version })),
      );

      expect(releaseIntegrityProblems(stored.get(name) ?? []), name).toEqual([]);
      expect((stored.get(name) ?? []).map((release) => release.id), name).toEqual(mine.map((release) => release.id));
    }
  });
});
