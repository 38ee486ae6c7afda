import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoCalls } from '../../bench/dynamo-census';
import type { Release } from '../../shared/domain/model';
import { remainingMs } from '../../shared/runtime/deadline';
import { getStore } from '../../shared/store/client';
import { appKey, promotionKey } from '../../shared/store/keys';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Read requests cost at most two DynamoDB reads, the key's included: what a route answers from is read
 * with the key, or together in one BatchGetItem after it. The answers stay what they were.
 */
let slipway: TestSlipway;
let census: ReturnType<typeof countDynamoCalls>;
let promotionId: string;
beforeAll(async () => {
  slipway = await startTestSlipway();
  const { builds } = await seedApp(slipway, 'cost-dev', 1);
  await slipway.call('POST', '/apps', { body: { name: 'cost-stg', cluster: 'eu-stg', service: 'cost-stg-svc' } });
  const release = (await slipway.call<Release>('POST', '/apps/cost-dev/releases', { body: { slug: builds[0] } })).body;
  await settleAsSucceeded(release);
  await slipway.call('POST', '/pipelines', { body: { name: 'cost-flow' } });
  await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'cost-flow', app: 'cost-dev', stage: 'development' } });
  await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'cost-flow', app: 'cost-stg', stage: 'staging' } });
  const promotion = await slipway.call<{ id: string }>('POST', '/pipeline-promotions', {
    body: { pipeline: { name: 'cost-flow' }, source: { app: { name: 'cost-dev' } }, targets: [{ app: { name: 'cost-stg' } }] },
  });
  expect(promotion.status).toBe(201);
  promotionId = promotion.body.id;
  // Only what requests do: the local event sweeper's background reads run outside any invocation.
  census = countDynamoCalls(getStore().client, 'readCostsTestCensus', () => Number.isFinite(remainingMs()));
});
afterAll(() => slipway.close());

/** Drops an attribute the way items stored before Slipway kept it look. */
const forget = (key: { pk: string; sk: string }, path: string[]) =>
  getStore().client.send(
    new UpdateCommand({
      TableName: getStore().tableName,
      Key: key,
      UpdateExpression: `REMOVE ${path.map((_, index) => `#n${index}`).join('.')}`,
      ExpressionAttributeNames: Object.fromEntries(path.map((name, index) => [`#n${index}`, name])),
    }),
  );

describe('reads per read request', () => {
  it('GET /apps/{app}: the key and the app, then the lock, the current release and its build together', async () => {
    census.take();
    const got = await slipway.call('GET', '/apps/cost-dev');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ image: 'registry.local/cost-dev:v1', current_release: { version: 1, status: 'succeeded' }, rollout_in_flight: null });
    expect(census.take()).toMatchObject({ reads: 2, commands: ['BatchGetItem', 'BatchGetItem'] });
  });

  it('GET /apps/{app} on an app whose pointer moved before it kept the build: the same answer, the build read after', async () => {
    const before = (await slipway.call('GET', '/apps/cost-dev')).body;
    await forget(appKey('cost-dev'), ['current_release_build_id']);
    census.take();
    const got = await slipway.call('GET', '/apps/cost-dev');
    expect(got.body).toEqual(before);
    expect(census.take()).toMatchObject({ reads: 3, commands: ['BatchGetItem', 'BatchGetItem', 'GetItem'] });
  });

  it('GET /pipelines/{pipeline}/pipeline-couplings: the key and the pipeline, then its couplings', async () => {
    census.take();
    const got = await slipway.call<{ app: { name: string }; stage: string }[]>('GET', '/pipelines/cost-flow/pipeline-couplings');
    expect(got.body.map((coupling) => [coupling.app.name, coupling.stage])).toEqual([
      ['cost-dev', 'development'],
      ['cost-stg', 'staging'],
    ]);
    expect(census.take()).toMatchObject({ reads: 2, commands: ['BatchGetItem', 'Query'] });
    expect((await slipway.call('GET', '/pipelines/no-such-flow/pipeline-couplings')).status).toBe(404);
  });

  it('GET /pipeline-promotions/{promotion}: the key and the promotion, then its targets\' releases', async () => {
    census.take();
    const got = await slipway.call('GET', `/pipeline-promotions/${promotionId}`);
    expect(got.body).toMatchObject({
      source: { app: { name: 'cost-dev' }, space: { name: 'local' } },
      targets: [{ app: { name: 'cost-stg' }, status: 'pending' }],
    });
    expect(got.body.source).not.toHaveProperty('cluster');
    expect(census.take()).toMatchObject({ reads: 2, commands: ['BatchGetItem', 'BatchGetItem'] });
  });

  it('GET /pipeline-promotions/{promotion} stored before promotions kept the source cluster: the app is read with the releases', async () => {
    await forget(promotionKey(promotionId), ['source', 'cluster']);
    census.take();
    const got = await slipway.call('GET', `/pipeline-promotions/${promotionId}`);
    expect(got.body).toMatchObject({ source: { space: { name: 'local' } } });
    expect(census.take()).toMatchObject({ reads: 2, commands: ['BatchGetItem', 'BatchGetItem'] });
  });
});
