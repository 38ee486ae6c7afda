import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlipwayEvent } from '../../shared/api/events';
import { subscribe } from '../../shared/events/bus';
import { promotionFinishedEvent } from '../../shared/domain/events';
import type { PipelineCoupling } from '../../shared/domain/pipeline';
import { finishPromotionOf } from '../../shared/operations/promotions';
import { mutateRelease } from '../../shared/store/releases-store';
import { takeNotedOutboxes } from '../../shared/store/outbox-store';
import { getStore } from '../../shared/store/client';
import { couplingKey } from '../../shared/store/keys';
import { insertCoupling, recordUncoupling } from '../../shared/store/pipelines-store';
import { SWEEP_INTERVAL_MS } from '../../local/event-sweeper';
import { seedApp, settleAsSucceeded, settleRollout, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The outbox's promise: an event is committed with its change, so a process that dies between the commit
 * and its own publish cannot lose it (the sweeper publishes it) and a change that was never committed
 * announces nothing. The crash is simulated at the exact point it would hurt: after the conditional write,
 * before the in-request relay (whose noted keys a dead process would have lost).
 */
let slipway: TestSlipway;
const seen: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startTestSlipway();
  unsubscribe = subscribe(async (event) => {
    seen.push(event);
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

const waitFor = async (condition: () => boolean, ms: number) => {
  for (let waited = 0; waited < ms && !condition(); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
};

const ops = { id: 'k-ops', email: 'ops@example.com' };
type Release = { id: string; version: number; app: { id: string; name: string } };

/** A pipeline `name` with `name-dev` (development, a succeeded release) and `name-stg` (staging) coupled to it. */
const pipelineWithRelease = async (name: string) => {
  expect((await slipway.call('POST', '/pipelines', { body: { name } })).status).toBe(201);
  const dev = await seedApp(slipway, `${name}-dev`, 1);
  await seedApp(slipway, `${name}-stg`, 0);
  const couplings: PipelineCoupling[] = [];
  for (const [app, stage] of [
    [`${name}-dev`, 'development'],
    [`${name}-stg`, 'staging'],
  ] as const) {
    const coupled = await slipway.call<PipelineCoupling>('POST', '/pipeline-couplings', { body: { pipeline: name, app, stage } });
    expect(coupled.status).toBe(201);
    couplings.push(coupled.body);
  }
  const source = (await slipway.call<Release>('POST', `/apps/${name}-dev/releases`, { body: { slug: dev.builds[0] } })).body;
  await settleAsSucceeded(source);
  return { couplings };
};

const eventsOf = (type: SlipwayEvent['type'], id: string) => seen.filter((event) => event.type === type && (event.data as { id: string }).id === id);

describe('the event outbox', () => {
  it('publishes a committed change whose process died before publishing it, through the sweeper', async () => {
    const { app, builds } = await seedApp(slipway, 'outbox-crash', 1);
    const created = await slipway.call<{ id: string; version: number }>('POST', '/apps/outbox-crash/releases', { body: { slug: builds[0] } });
    const appId = (app as { id: string }).id;

    const committedAt = Date.now();
    await mutateRelease(
      appId,
      created.body.version,
      () => ({ status: 'failed', finished_at: new Date().toISOString() }),
      null,
    );
    takeNotedOutboxes(); // the crash: the in-request relay never runs
    expect(seen.some((event) => event.type === 'release.failed')).toBe(false);

    await waitFor(() => seen.some((event) => event.type === 'release.failed'), 4 * SWEEP_INTERVAL_MS);
    const failed = seen.filter((event) => event.type === 'release.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ app: { name: 'outbox-crash' }, actor: null, data: { id: created.body.id, status: 'failed' } });
    expect(Date.now() - committedAt).toBeLessThan(4 * SWEEP_INTERVAL_MS);
  });

  it('announces nothing for a change that was not committed', async () => {
    const { builds } = await seedApp(slipway, 'outbox-refused', 1);
    const refused = await slipway.call('POST', '/apps/outbox-refused/releases', { body: { slug: builds[0], description: 'x'.repeat(5000) } });
    expect(refused.status).toBe(422);
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_INTERVAL_MS));
    expect(seen.filter((event) => event.app?.name === 'outbox-refused').map((event) => event.type)).toEqual(['build.created', 'build.succeeded']);
  });

  it('finishes a promotion once, with the outcome of each target, even if the finishing process died before publishing', async () => {
    await pipelineWithRelease('outbox-promo');
    const promotion = await slipway.call<{ id: string; targets: { app: Release['app']; release: Release }[] }>('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'outbox-promo' }, source: { app: { name: 'outbox-promo-dev' } }, targets: [{ app: { name: 'outbox-promo-stg' } }] },
    });
    expect(promotion.status).toBe(201);
    const target = promotion.body.targets[0] as { app: Release['app']; release: Release };
    const settled = await settleRollout({ ...target.release, app: target.app }, 'FAILED');

    // The Finish step's second half, then the crash before its relay.
    await finishPromotionOf(settled);
    takeNotedOutboxes();
    expect(eventsOf('promotion.finished', promotion.body.id)).toHaveLength(0);
    await waitFor(() => eventsOf('promotion.finished', promotion.body.id).length > 0, 4 * SWEEP_INTERVAL_MS);
    const [finished, ...more] = eventsOf('promotion.finished', promotion.body.id);
    expect(more).toHaveLength(0);
    expect(finished).toMatchObject({
      id: promotionFinishedEvent(promotion.body.id).id,
      app: { name: 'outbox-promo-dev' },
      actor: null,
      data: { status: 'failed', targets: [{ app: { name: 'outbox-promo-stg' }, status: 'failed', error_message: expect.stringContaining('failed') }] },
    });

    // A retried Finish step (or the reconciler) finds the end recorded: its conditional write records no second event.
    await finishPromotionOf(settled);
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_INTERVAL_MS));
    expect(eventsOf('promotion.finished', promotion.body.id)).toHaveLength(1);
  });

  it('announces an uncoupling committed by a process that died before publishing it, and re-coupling loses none of it', async () => {
    const { couplings } = await pipelineWithRelease('outbox-flow');
    const staging = couplings[1] as PipelineCoupling;
    expect(await recordUncoupling(staging, ops, new Date().toISOString())).toBe(true);
    takeNotedOutboxes();
    // The app is free at once, though its uncoupling is not announced yet; coupling it again keeps that event.
    expect((await slipway.call('GET', '/apps/outbox-flow-stg/pipeline-couplings')).status).toBe(404);
    const again = { ...staging, id: '0b0c6a9e-9a53-4c8e-8d61-2f0d8a6b7c11', stage: 'production' as const };
    await insertCoupling(again, ops);
    takeNotedOutboxes();

    await waitFor(() => eventsOf('pipeline.coupled', again.id).length > 0, 4 * SWEEP_INTERVAL_MS);
    const flow = seen.filter((event) => event.app?.name === 'outbox-flow-stg' && event.type.startsWith('pipeline.'));
    expect(flow.map((event) => [event.type, (event.data as { id: string }).id])).toEqual([
      ['pipeline.coupled', staging.id],
      ['pipeline.uncoupled', staging.id],
      ['pipeline.coupled', again.id],
    ]);
    expect(flow[1]).toMatchObject({ actor: ops, data: { stage: 'staging', pipeline: { name: 'outbox-flow' } } });
    expect((await slipway.call('GET', '/apps/outbox-flow-stg/pipeline-couplings')).body).toMatchObject({ id: again.id, stage: 'production' });
  });

  it('announces an uncoupling once: a refused one (already uncoupled) records nothing, and the tombstone goes once relayed', async () => {
    const { couplings } = await pipelineWithRelease('outbox-once');
    const staging = couplings[1] as PipelineCoupling;
    expect((await slipway.call('DELETE', `/pipeline-couplings/${staging.id}`)).status).toBe(200);
    await waitFor(() => eventsOf('pipeline.uncoupled', staging.id).length > 0, 4 * SWEEP_INTERVAL_MS);
    expect(await recordUncoupling(staging, ops, new Date().toISOString())).toBe(false);
    expect((await slipway.call('DELETE', `/pipeline-couplings/${staging.id}`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_INTERVAL_MS));
    expect(eventsOf('pipeline.uncoupled', staging.id)).toHaveLength(1);
    const { client, tableName } = getStore();
    expect((await client.send(new GetCommand({ TableName: tableName, Key: couplingKey(staging.app.id), ConsistentRead: true }))).Item).toBeUndefined();
  });
});
