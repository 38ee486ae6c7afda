import { afterEach, describe, expect, it } from 'vitest';
import { releaseIntegrityProblems, releasesByApp, scanTable } from '../support/table-census';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

type Created = { id: string; version: number };

let slipway: TestSlipway | undefined;
afterEach(async () => {
  await slipway?.close();
  slipway = undefined;
});

describe('many creates in flight on one app', () => {
  it('200 at once: each answer is 201 or a 409/503 with Retry-After, the 201s are exactly the releases, on versions 1..n', async () => {
    slipway = await startTestSlipway();
    const running = slipway;
    const { builds } = await seedApp(running, 'hot', 2);

    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        running.call<Created>('POST', '/apps/hot/releases', { body: { slug: builds[index % 2], description: `burst ${index}` } }),
      ),
    );
    const elapsedMs = performance.now() - started;

    const created = answers.filter((answer) => answer.status === 201).map((answer) => answer.body);
    const refused = answers.filter((answer) => answer.status !== 201);
    console.log(`200 in flight on one app: ${created.length} × 201, ${refused.length} refused, all answered in ${Math.round(elapsedMs)} ms`);
    expect(refused.filter((answer) => ![409, 503].includes(answer.status) || !answer.headers.get('retry-after'))).toEqual([]);
    // Refusals, if any, come well before the 15 s function timeout.
    expect(elapsedMs).toBeLessThan(14_000);

    const stored = (await releasesByApp()).get('hot') ?? [];
    expect(releaseIntegrityProblems(stored)).toEqual([]);
    expect(stored.map((release) => release.id).sort()).toEqual(created.map((release) => release.id).sort());
    expect(created.map((release) => release.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: created.length }, (_, index) => index + 1),
    );
    // Nothing half-claimed is left behind: no intent, and no version claim still open.
    const items = await scanTable();
    expect(items.filter((item) => item.type === 'release_intent')).toEqual([]);
    expect(items.find((item) => item.type === 'release_sequence')).toMatchObject({ last_version: created.length, claims: {} });
  });
});
