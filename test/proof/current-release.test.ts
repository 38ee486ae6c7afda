import { afterEach, describe, expect, it } from 'vitest';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

type Listed = { id: string; version: number; status: string; current: boolean };

let slipway: TestSlipway | undefined;
afterEach(async () => {
  await slipway?.close();
  slipway = undefined;
});

/** What one list read says is wrong about `current`: it must be exactly the newest succeeded release. */
const currentProblems = (releases: readonly Listed[]): string[] => {
  const newestSucceeded = Math.max(0, ...releases.filter((release) => release.status === 'succeeded').map((release) => release.version));
  const current = releases.filter((release) => release.current).map((release) => release.version);
  const expected = newestSucceeded > 0 ? [newestSucceeded] : [];
  return JSON.stringify(current) === JSON.stringify(expected)
    ? []
    : [`current ${JSON.stringify(current)} while the newest succeeded is ${newestSucceeded || 'none'}`];
};

describe('current at every read', () => {
  it('readers polling through concurrent rollouts always see the newest succeeded release as the one current', async () => {
    slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
    const running = slipway;
    const apps = ['exact-a', 'exact-b', 'exact-c'];
    const seeded = await Promise.all(apps.map(async (name) => ({ name, builds: (await seedApp(running, name, 2)).builds })));

    const created = (
      await Promise.all(
        seeded.flatMap(({ name, builds }) =>
          Array.from({ length: 8 }, (_, index) =>
            running.call<Listed>('POST', `/apps/${name}/releases`, { body: { slug: builds[index % 2] } }),
          ),
        ),
      )
    ).map((answer) => answer.body);
    const settled = Promise.all(created.map((release) => running.rollouts?.stepFunctions.finished(release.id)));

    let done = false;
    void settled.finally(() => {
      done = true;
    });
    const problems: string[] = [];
    let reads = 0;
    const reader = async (app: string) => {
      let lastCurrent = 0;
      while (!done) {
        const listed = (await running.call<Listed[]>('GET', `/apps/${app}/releases?limit=100`)).body;
        reads += 1;
        problems.push(...currentProblems(listed).map((problem) => `${app}: ${problem}`));
        const current = listed.find((release) => release.current)?.version ?? 0;
        if (current < lastCurrent) problems.push(`${app}: current went back from v${lastCurrent} to v${current}`);
        lastCurrent = current;
        if (current > 0) {
          // The release just seen current, read alone right after, is still current or superseded by a newer success.
          const single = (await running.call<Listed>('GET', `/apps/${app}/releases/${current}`)).body;
          reads += 1;
          if (!single.current && single.status === 'succeeded') {
            const after = (await running.call<Listed[]>('GET', `/apps/${app}/releases?limit=100`)).body;
            if ((after.find((release) => release.current)?.version ?? 0) <= current) problems.push(`${app}: v${current} lost current`);
          }
        }
      }
    };
    await Promise.all(apps.flatMap((app) => [reader(app), reader(app)]));
    await settled;

    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(50);
    for (const app of apps) {
      const listed = (await running.call<Listed[]>('GET', `/apps/${app}/releases?limit=100`)).body;
      expect(currentProblems(listed)).toEqual([]);
      expect(listed.find((release) => release.current)?.version).toBe(8);
    }
    // 24 rollouts and six readers polling as fast as they can share one process: allow for a loaded machine.
  }, 90_000);
});
