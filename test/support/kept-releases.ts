import { expect } from 'vitest';
import { until } from './until';

type Call = (method: string, path: string) => Promise<{ status: number; body: any }>;
type Listed = { id: string; version: number; status: string; started_at: string | null };

const listed = async (call: Call, app: string): Promise<Listed[]> => (await call('GET', `/apps/${app}/releases?limit=1000`)).body as Listed[];

/**
 * What Slipway answered, it kept: the releases it answered 201 or 303 for (by id) are exactly the app's
 * releases, at versions 1..n with no gap, each found by its id and by its version, and each rolled out in its
 * turn: it started (a kill may cut its rollout short, so it may end `unknown`), after every lower version.
 */
export const expectAnsweredReleasesKept = async (call: Call, app: string, answeredIds: readonly string[]): Promise<void> => {
  const releases = await listed(call, app);
  expect(releases.map((release) => release.version), app).toEqual(answeredIds.map((_, index) => index + 1));
  expect(releases.map((release) => release.id).sort(), app).toEqual([...answeredIds].sort());
  for (const release of releases) {
    const byId = await call('GET', `/apps/${app}/releases/${release.id}`);
    const byVersion = await call('GET', `/apps/${app}/releases/${release.version}`);
    expect([byId.status, byVersion.status], `${app} v${release.version}`).toEqual([200, 200]);
    expect(byVersion.body.id, `${app} v${release.version}`).toBe(release.id);
  }
  const settled = await until(
    async () => `${app}'s releases to roll out: ${JSON.stringify((await listed(call, app)).map((release) => [release.version, release.status]))}`,
    async () => {
      const now = await listed(call, app);
      return now.every((release) => !['queued', 'pending'].includes(release.status)) ? now : undefined;
    },
    { timeoutMs: 120_000 },
  );
  const starts = settled.map((release) => release.started_at);
  expect(starts.every((start) => start !== null), `${app}: every release started: ${JSON.stringify(settled)}`).toBe(true);
  const times = starts.map((start) => Date.parse(start as string));
  expect(times, `${app}: releases started in version order`).toEqual([...times].sort((a, b) => a - b));
};
