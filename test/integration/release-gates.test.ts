import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SlipwayEvent } from '../../shared/api/events';
import { handler as reconcileQueues } from '../../functions/rollout-reconcile';
import { lambdaContext } from '../../local/lambda-context';
import { subscribe } from '../../shared/events/bus';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';
import { appReleases } from '../support/app-releases';

/**
 * Gates, bakes and operators' actions on canary, linear and blue/green releases, end to end: the ECS simulator
 * holds each deployment with PAUSE lifecycle hooks (its minute is 300 ms here), Slipway answers them.
 */
let slipway: SlipwayWithEcs;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 300 });
  unsubscribe = subscribe(async (event) => {
    seen.push(SlipwayEvent.parse(event));
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

type Gate = { waiting_for: string[]; since: string; until: string | null };
type Rollout = {
  phase: string | null;
  traffic_percent: number | null;
  phase_ends_at: string | null;
  message: string | null;
  gate: Gate | null;
  approved_by: { actor: string } | null;
  promoted_by: { actor: string } | null;
  aborted_by: { actor: string } | null;
};
type Release = { id: string; version: number; status: string; current: boolean; rollout: Rollout | null };

const { releaseOn, read, settled, reaching } = appReleases<Release>(() => slipway);
const act = (app: string, id: string, action: string, options: { key?: string; headers?: Record<string, string> } = {}) =>
  slipway.call<Release & { error?: { code: string; message: string } }>('POST', `/apps/${app}/releases/${id}/actions/${action}`, options);
const post = (app: string, id: string, context: string, state: string) =>
  slipway.call('POST', `/apps/${app}/releases/${id}/statuses`, { body: { context, state, name: context } });
const trafficOn = (app: string) => rolloutsOf(slipway).ecs.trafficOf('local', `${app}-svc`)?.map((share) => share.percent);
const eventOf = (type: SlipwayEvent['type'], releaseId: string) =>
  until(type, async () => seen.find((event) => event.type === type && (event.data as { id?: string }).id === releaseId));

describe('a canary gated on a status check and an approval', () => {
  it('holds 10 % until the check succeeded and an operator approved, showing what it waits for, then completes', async () => {
    const gate = { checks: ['ci/smoke'], approval: true, timeout_minutes: 60 };
    const release = await releaseOn('gated', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1, gate });

    const waiting = await reaching('gated', release.id, 'the gate', (r) => r.rollout?.phase === 'awaiting_approval');
    expect(waiting.status).toBe('pending');
    expect(waiting.rollout).toMatchObject({
      traffic_percent: 10,
      phase_ends_at: expect.any(String),
      gate: { waiting_for: ['ci/smoke', 'approval'], since: expect.any(String), until: waiting.rollout?.phase_ends_at },
    });
    expect(trafficOn('gated')).toEqual([90, 10]);

    expect((await post('gated', release.id, 'ci/smoke', 'success')).status).toBe(201);
    const checked = await reaching('gated', release.id, 'the check seen by the gate', (r) => r.rollout?.gate?.waiting_for.length === 1);
    expect(checked.rollout?.gate?.waiting_for).toEqual(['approval']);
    expect(trafficOn('gated')).toEqual([90, 10]);

    const developer = await slipway.keyFor('developer', ['gated']);
    const refused = await act('gated', release.id, 'approve', { key: developer });
    expect(refused.status).toBe(403);

    const approved = await act('gated', release.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body.rollout?.approved_by).toMatchObject({ actor: expect.any(String) });
    const done = await settled('gated', release.id);
    expect(done).toMatchObject({ status: 'succeeded', current: true, rollout: { phase: 'completed', traffic_percent: 100, gate: null } });
    expect(trafficOn('gated')).toHaveLength(1);

    const awaiting = await eventOf('release.awaiting_approval', release.id);
    expect((awaiting.data as Release).rollout?.gate?.waiting_for).toContain('approval');
    await eventOf('release.phase_changed', release.id);
  });

  it('rolls back at once when a gate check fails: the release says which, and 10 % was all it ever had', async () => {
    const release = await releaseOn('redgate', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1, gate: { checks: ['ci/smoke'] } });
    await reaching('redgate', release.id, 'the gate', (r) => r.rollout?.phase === 'awaiting_approval');
    expect((await post('redgate', release.id, 'ci/smoke', 'failure')).status).toBe(201);
    const failed = await settled('redgate', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toBe('Status check ci/smoke is failure: the gate rolled the release back.');
    expect(trafficOn('redgate')).toEqual([100]);
  });

  it('rolls back at 10 % when an alarm goes off while the gate waits, in the alarm\'s words, not as a timed-out gate', async () => {
    const gate = { checks: ['ci/smoke'], approval: true, timeout_minutes: 600 };
    const release = await releaseOn('alarmed', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 600, alarms: ['alarmed-5xx'], gate });
    await reaching('alarmed', release.id, 'the canary bake', (r) => r.rollout?.phase === 'canary' && r.rollout.gate !== null);
    expect(trafficOn('alarmed')).toEqual([90, 10]);
    const alarm = await fetch(`${rolloutsOf(slipway).ecs.endpoint}/simulator/alarms/alarmed-5xx`, { method: 'POST', body: JSON.stringify({ state: 'ALARM' }) });
    expect(alarm.status).toBe(200);
    const failed = await settled('alarmed', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toMatch(/CloudWatch alarm alarmed-5xx went into ALARM/);
    expect(trafficOn('alarmed')).toEqual([100]);
  });

  it('rolls back when the gate times out, saying what it waited for', async () => {
    // Long enough (in 300 ms minutes) for Slipway to see the gate wait on a loaded machine before it times out.
    const release = await releaseOn('slowgate', { strategy: 'blue_green', gate: { checks: ['qa/signoff'], timeout_minutes: 15 } });
    await reaching('slowgate', release.id, 'the gate', (r) => r.rollout?.gate !== null && r.rollout?.gate !== undefined);
    const failed = await settled('slowgate', release.id);
    expect(failed).toMatchObject({ status: 'failed', rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toBe('The gate timed out waiting for qa/signoff: ECS rolled the release back.');
  });
});

describe("operators' actions", () => {
  it('promote skips the rest of a long canary bake and shifts all traffic now; a replay under the same key answers the same', async () => {
    const release = await releaseOn('hurry', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 600 });
    const canary = await reaching('hurry', release.id, 'the canary bake', (r) => r.rollout?.phase === 'canary');
    expect(canary.rollout?.traffic_percent).toBe(10);
    const headers = { 'idempotency-key': `promote-${release.id}` };
    const promoted = await act('hurry', release.id, 'promote', { headers });
    expect(promoted.status).toBe(200);
    expect(promoted.body.rollout?.promoted_by).toMatchObject({ actor: expect.any(String) });
    const replayed = await act('hurry', release.id, 'promote', { headers });
    expect(replayed.status).toBe(200);
    expect(replayed.body.rollout?.promoted_by).toEqual(promoted.body.rollout?.promoted_by);
    expect(await settled('hurry', release.id)).toMatchObject({ status: 'succeeded', current: true });
  });

  it('abort rolls a linear release back mid-step: it fails saying who aborted it', async () => {
    const release = await releaseOn('stop', { strategy: 'linear', step_percent: 25, step_bake_minutes: 400 });
    await reaching('stop', release.id, 'the first step', (r) => r.rollout?.phase === 'shifting' && r.rollout.traffic_percent === 25);
    const aborted = await act('stop', release.id, 'abort');
    expect(aborted.status).toBe(200);
    const failed = await settled('stop', release.id);
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0, aborted_by: { actor: expect.any(String) } } });
    expect(failed.rollout?.message).toMatch(/^Aborted by .+\.$/);
    expect(trafficOn('stop')).toEqual([100]);
    expect((await act('stop', release.id, 'abort')).body.error).toMatchObject({ code: 'release_not_at_gate' });
  });

  it('are refused with 409 where there is no gate or bake: a rolling release, a gate without approval, a settled release', async () => {
    const rolling = await releaseOn('plain', { strategy: 'rolling' });
    const refusedRolling = await act('plain', rolling.id, 'promote');
    expect(refusedRolling.status).toBe(409);
    expect(refusedRolling.body.error?.message).toContain('rolling strategy');
    await settled('plain', rolling.id);
    expect((await act('plain', rolling.id, 'abort')).status).toBe(409);

    const noApproval = await releaseOn('checksonly', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 600, gate: { checks: ['ci'] } });
    await reaching('checksonly', noApproval.id, 'the canary bake', (r) => r.rollout?.phase === 'canary');
    const refused = await act('checksonly', noApproval.id, 'approve');
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain('asks for no approval');
    expect((await act('checksonly', noApproval.id, 'abort')).status).toBe(200);
    expect(await settled('checksonly', noApproval.id)).toMatchObject({ status: 'failed' });
  });
});

describe('a canary whose execution is lost mid-bake', () => {
  it('is rolled back by the next decider of its queue, never left at 10 % with nothing watching it', async () => {
    const release = await releaseOn('orphan', { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 600 });
    await reaching('orphan', release.id, 'the canary bake', (r) => r.rollout?.phase === 'canary' && r.rollout.phase_ends_at !== null);
    expect(trafficOn('orphan')).toEqual([90, 10]);
    const executions = rolloutsOf(slipway).stepFunctions;
    const sfn = new SFNClient({ endpoint: executions.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await sfn.send(new StopExecutionCommand({ executionArn: executions.execution(release.id)?.executionArn }));
    expect((await executions.finished(release.id)).status).toBe('ABORTED');

    await reconcileQueues({}, lambdaContext('rollout-reconcile'));
    const failed = await reaching('orphan', release.id, 'the release settled', (r) => r.status !== 'pending');
    expect(failed).toMatchObject({ status: 'failed', current: false, rollout: { phase: 'rolling_back', traffic_percent: 0 } });
    expect(failed.rollout?.message).toContain('ECS was told to roll it back');
    await until('the traffic back on the old revision', async () => (trafficOn('orphan')?.length === 1 ? true : undefined));
    expect(trafficOn('orphan')).toEqual([100]);
  });
});

describe('a canary stopped by its alarm, in the delivery metrics', () => {
  it('counts as a failed change, and automatic rollback leaves it be: the previous release never stopped serving', async () => {
    const created = await slipway.call('POST', '/apps', { body: { name: 'metered', cluster: 'local', service: 'metered-svc', auto_rollback: true } });
    expect(created.status).toBe(201);
    const first = await slipway.call('POST', '/apps/metered/builds', { body: { image: 'registry.local/metered:v1', sha: 'abcdef1' } });
    const v1 = (await slipway.call<Release>('POST', '/apps/metered/releases', { body: { slug: first.body.id } })).body;
    expect(await settled('metered', v1.id)).toMatchObject({ status: 'succeeded' });
    const canary = { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 600, alarms: ['metered-5xx'] };
    expect((await slipway.call('PATCH', '/apps/metered', { body: { deployment: canary } })).status).toBe(200);
    const second = await slipway.call('POST', '/apps/metered/builds', { body: { image: 'registry.local/metered:v2', sha: 'abcdef2' } });
    const v2 = (await slipway.call<Release>('POST', '/apps/metered/releases', { body: { slug: second.body.id } })).body;
    await reaching('metered', v2.id, 'the canary bake', (r) => r.rollout?.phase === 'canary');
    const alarm = await fetch(`${rolloutsOf(slipway).ecs.endpoint}/simulator/alarms/metered-5xx`, { method: 'POST', body: JSON.stringify({ state: 'ALARM' }) });
    expect(alarm.status).toBe(200);
    expect(await settled('metered', v2.id)).toMatchObject({ status: 'failed', current: false });

    const metrics = (await slipway.call<{ change_failure_rate: { failures: number; releases: number } }>('GET', '/apps/metered/metrics?window=7d')).body;
    expect(metrics.change_failure_rate).toMatchObject({ failures: 1, releases: 2 });
    const releases = (await slipway.call<(Release & { trigger: string })[]>('GET', '/apps/metered/releases')).body;
    expect(releases.map((release) => release.trigger)).not.toContain('auto_rollback');
    expect((await read('metered', v1.id)).current).toBe(true);
  });
});
