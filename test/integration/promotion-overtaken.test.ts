import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayEvent } from '../../shared/api/events';
import { subscribe } from '../../shared/events/bus';
import { findPromotion } from '../../shared/store/promotions-store';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * A promotion whose target release a rollback supersedes ends as promptly as one whose target rolled out:
 * its end (`finished_at`) and `promotion.finished` come within seconds of the rollback, not at the
 * reconciler's next pass. `timeScale` 0.1 puts that pass 30 s after start, past this whole file, so only
 * the rollouts themselves can finish these promotions. A `slow` image deploys one batch every 3 s.
 */
let slipway: SlipwayWithEcs;
const finishedEvents: SlipwayEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ slowBatchIntervalMs: 3_000 }, { timeScale: 0.1 });
  unsubscribe = subscribe(async (event) => {
    const parsed = SlipwayEvent.parse(event);
    if (parsed.type === 'promotion.finished') finishedEvents.push(parsed);
  });
});
afterAll(async () => {
  unsubscribe?.();
  await slipway?.close();
});

/** Well within the reconciler's first pass, and long enough for a rollout's last steps on a busy machine. */
const PROMPTLY = { timeoutMs: 5_000, intervalMs: 25 };

type Release = { id: string; version: number; status: string; superseded_by: { id: string } | null; rollout: { deployment_id: string | null } | null };
type Promotion = { id: string; status: string; targets: { app: { name: string }; status: string; release: { id: string } }[] };

const read = async (app: string, ref: string | number) => (await slipway.call<Release>('GET', `/apps/${app}/releases/${ref}`)).body;

const appWithImages = async (name: string, images: string[]): Promise<string[]> => {
  expect((await slipway.call('POST', '/apps', { body: { name, cluster: 'local', service: `${name}-svc` } })).status).toBe(201);
  const builds = [];
  for (const image of images) builds.push((await slipway.call<{ id: string }>('POST', `/apps/${name}/builds`, { body: { image } })).body.id);
  return builds;
};

const release = async (app: string, body: Record<string, unknown>) => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body });
  expect(created.status).toBe(201);
  return created.body;
};

const succeeded = async (app: string, id: string) => {
  await rolloutsOf(slipway).stepFunctions.finished(id);
  expect((await read(app, id)).status).toBe('succeeded');
};

/** Starts the release and waits until ECS is deploying it. */
const inFlight = async (app: string, slug: string) => {
  const started = await release(app, { slug });
  await until(`${app} v${started.version} to reach ECS`, async () => ((await read(app, started.id)).rollout?.deployment_id ? true : undefined), PROMPTLY);
  return started;
};

/** An app with v1 (image `:good`) live and a build of `:held-slow`; returns that build's id. */
const appWithGoodV1 = async (name: string): Promise<string> => {
  const [good, slow] = await appWithImages(name, [`registry.local/${name}:good`, `registry.local/${name}:held-slow`]);
  await succeeded(name, (await release(name, { slug: good })).id);
  return slow ?? '';
};

/**
 * Couples `source` at development (its current release made of `sourceImage`) and `targets` at staging;
 * returns each target's coupling id.
 */
const pipelineOf = async (name: string, source: string, sourceImage: string, targets: string[]) => {
  expect((await slipway.call('POST', '/pipelines', { body: { name } })).status).toBe(201);
  const [sourceBuild] = await appWithImages(source, [sourceImage]);
  await succeeded(source, (await release(source, { slug: sourceBuild })).id);
  const couple = (app: string, stage: string) => slipway.call<{ id: string }>('POST', '/pipeline-couplings', { body: { pipeline: name, app, stage } });
  expect((await couple(source, 'development')).status).toBe(201);
  const couplings: Record<string, string> = {};
  for (const app of targets) couplings[app] = (await couple(app, 'staging')).body.id;
  return couplings;
};

const promote = async (pipeline: string, source: string, targets: string[]) => {
  const promoted = await slipway.call<Promotion>('POST', '/pipeline-promotions', {
    body: { pipeline: { name: pipeline }, source: { app: { name: source } }, targets: targets.map((name) => ({ app: { name } })) },
  });
  expect(promoted.status).toBe(201);
  return promoted.body;
};

const targetRelease = (promotion: Promotion, app: string) => promotion.targets.find((target) => target.app.name === app)?.release.id ?? '';

/** Rolls `app` back to v1, which overtakes its queue; only an app out of the pipeline may be released directly. */
const rollBack = async (app: string, coupling: string | undefined) => {
  expect((await slipway.call('DELETE', `/pipeline-couplings/${coupling}`)).status).toBe(200);
  return release(app, { release: 'v1' });
};

/** The promotion's end as recorded and announced, within PROMPTLY of the call. */
const promptEnd = async (id: string) => {
  const event = await until(`promotion.finished of ${id}`, async () => finishedEvents.find((seen) => (seen.data as { id: string }).id === id), PROMPTLY);
  expect((await findPromotion(id))?.finished_at).toEqual(expect.any(String));
  return { event, promotion: (await slipway.call<Promotion>('GET', `/pipeline-promotions/${id}`)).body };
};

describe('a promotion whose target release a rollback supersedes', () => {
  it('ends at once when that release was queued behind a slow rollout', async () => {
    const held = await inFlight('oq-held', await appWithGoodV1('oq-held'));
    await appWithGoodV1('oq-free');
    const couplings = await pipelineOf('overtaken-queued', 'oq-dev', 'registry.local/oq-dev:v1', ['oq-held', 'oq-free']);
    const promotion = await promote('overtaken-queued', 'oq-dev', ['oq-held', 'oq-free']);
    const queued = targetRelease(promotion, 'oq-held');
    expect((await read('oq-held', queued)).status).toBe('queued');

    const rollback = await rollBack('oq-held', couplings['oq-held']);
    const { event, promotion: ended } = await promptEnd(promotion.id);
    expect(await read('oq-held', queued)).toMatchObject({ status: 'failed', superseded_by: { id: rollback.id } });
    expect((await read('oq-held', held.id)).superseded_by).toMatchObject({ id: rollback.id });
    expect(ended).toMatchObject({ status: 'partially_failed' });
    expect(event.data).toMatchObject({
      status: 'partially_failed',
      targets: [
        { app: { name: 'oq-held' }, status: 'failed' },
        { app: { name: 'oq-free' }, status: 'succeeded' },
      ],
    });
    await succeeded('oq-held', rollback.id);
  });

  it('ends at once when that release was itself rolling out', async () => {
    await appWithGoodV1('ol-target');
    // No tasks to replace: the source's slow image is live after one batch.
    await rolloutsOf(slipway).ecs.ensureService('local', 'ol-dev-svc', { desiredCount: 0 });
    const couplings = await pipelineOf('overtaken-live', 'ol-dev', 'registry.local/ol-dev:v1-slow', ['ol-target']);
    const promotion = await promote('overtaken-live', 'ol-dev', ['ol-target']);
    const rolling = targetRelease(promotion, 'ol-target');
    await until('the promoted release to reach ECS', async () => ((await read('ol-target', rolling)).rollout?.deployment_id ? true : undefined), PROMPTLY);

    const rollback = await rollBack('ol-target', couplings['ol-target']);
    const { event, promotion: ended } = await promptEnd(promotion.id);
    expect(await read('ol-target', rolling)).toMatchObject({ status: 'failed', superseded_by: { id: rollback.id } });
    expect(ended).toMatchObject({ status: 'failed' });
    expect(event.data).toMatchObject({ status: 'failed', targets: [{ app: { name: 'ol-target' }, status: 'failed' }] });
    await succeeded('ol-target', rollback.id);
  });
});
