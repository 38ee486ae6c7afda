import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { appReleases } from '../support/app-releases';

/**
 * A release's deadline counts its deployment's time on top of the longest its bakes and gate may hold it: here the
 * rollout deadline is 3 s, and a canary waits longer than that at its gate (300 ms simulated minutes) before an
 * operator approves it.
 */
let slipway: SlipwayWithEcs;
beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 300 }, { deadlineSeconds: 3 });
});
afterAll(() => slipway?.close());

type Release = { id: string; status: string; current: boolean; rollout: { phase: string | null; message: string | null } | null };
const { releaseOn, settled, reaching } = appReleases<Release>(() => slipway);

describe('a gate that waits longer than the rollout deadline', () => {
  it('is still waited for, and the release succeeds once approved', async () => {
    const release = await releaseOn('patient', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1, gate: { approval: true, timeout_minutes: 60 } });
    await reaching('patient', release.id, 'the gate', (r) => r.rollout?.phase === 'awaiting_approval');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect((await reaching('patient', release.id, 'still waiting', () => true)).status).toBe('pending');
    expect((await slipway.call('POST', `/apps/patient/releases/${release.id}/actions/approve`)).status).toBe(200);
    expect(await settled('patient', release.id)).toMatchObject({ status: 'succeeded', current: true });
  });
});
