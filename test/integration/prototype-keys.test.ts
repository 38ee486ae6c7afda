import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { rolloutsOf, seedApp, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';

/**
 * Names users choose become object keys: config var names, metadata keys (at any depth), hook options,
 * status contexts. Those Object.prototype has (`constructor`, `toString`, …) are names like any other: stored,
 * returned, released, delivered, over HTTP with real rollouts, never a 500 nor a false conflict.
 */
let slipway: SlipwayWithEcs;

beforeAll(async () => {
  slipway = await startSlipwayWithEcs();
});
afterAll(() => slipway?.close());

/** Names Object.prototype has, or that reach it; every one is a valid config var name and metadata key. */
const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'] as const;
/** Option names are lowercase letters and `_`. */
const OPTION_NAMES = ['__proto__', 'constructor', 'prototype'] as const;
/** A status context has no `_`: `__proto__` is no context. */
const CONTEXTS = NAMES.filter((name) => name !== '__proto__');

/** A map of each name to `valueFor(name)`, each an own key (`__proto__` too). Bodies are sent as its JSON. */
const mapOf = <V>(names: readonly string[], valueFor: (name: string) => V): Record<string, V> =>
  Object.fromEntries(names.map((name) => [name, valueFor(name)]));

/**
 * Metadata that trips a naive DynamoDB marshaller: `constructor` values shaped like what it tests for
 * (`{name: 'Map'}` reads as a Map) and the same names one level down.
 */
const trickyMetadata = (names: readonly string[]) => ({
  ...mapOf(names, (name) => (name === 'constructor' ? { name: 'Map' } : `${name}-value`)),
  nested: mapOf(names, (name) => ({ name: name === 'constructor' ? 'String' : name, list: [mapOf(names, () => 1)] })),
});

const settled = async (id: string) => {
  const execution = await rolloutsOf(slipway).stepFunctions.finished(id);
  expect(execution.status).toBe('SUCCEEDED');
};

const containerEnvironment = async (service: string) => {
  const { services } = await slipway.ecs.send(new DescribeServicesCommand({ cluster: 'local', services: [service] }));
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const { taskDefinition } = await slipway.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: primary?.taskDefinition }));
  return taskDefinition?.containerDefinitions?.[0]?.environment ?? [];
};

describe('names Object.prototype has are keys like any other', () => {
  it('config vars: set, read, released into the container, diffed and unset', async () => {
    const { builds } = await seedApp(slipway, 'proto-cfg', 1);
    const first = await slipway.call('POST', '/apps/proto-cfg/releases', { body: { slug: builds[0] } });
    await settled(first.body.id);
    const set = await slipway.call('PATCH', '/apps/proto-cfg/config-vars', { body: mapOf(NAMES, (name) => `${name}-value`) });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual(mapOf(NAMES, (name) => `${name}-value`));
    expect((await slipway.call('GET', '/apps/proto-cfg/config-vars')).body).toEqual(mapOf(NAMES, (name) => `${name}-value`));
    const released = (set.headers.get('location') ?? '').split('/').pop() ?? '';
    await settled(released);
    const environment = await containerEnvironment('proto-cfg-svc');
    for (const name of NAMES) expect(environment).toContainEqual({ name, value: `${name}-value` });

    const diff = await slipway.call('GET', '/apps/proto-cfg/releases/2/config-diff?against=1');
    expect(diff.status).toBe(200);
    expect(diff.body.added).toEqual(mapOf(NAMES, (name) => `${name}-value`));
    expect(Object.keys(diff.body.removed)).toEqual([]);

    const unset = await slipway.call('PATCH', '/apps/proto-cfg/config-vars', { body: mapOf(NAMES.filter((name) => name !== 'constructor'), () => null) });
    expect(unset.status).toBe(200);
    expect(Object.entries(unset.body)).toEqual([['constructor', 'constructor-value']]);
    const invalid = await slipway.call('PATCH', '/apps/proto-cfg/config-vars', { rawBody: '{"__proto__":42}' });
    expect(invalid).toMatchObject({ status: 422, body: { error: { code: 'validation_failed', details: { issues: [{ path: 'body.__proto__' }] } } } });
  });

  it('build and release metadata: stored and returned exactly, at any depth', async () => {
    await seedApp(slipway, 'proto-meta', 0);
    const metadata = trickyMetadata(NAMES);
    const build = await slipway.call('POST', '/apps/proto-meta/builds', { body: { image: 'registry.local/proto:v1', metadata } });
    expect(build.status, JSON.stringify(build.body)).toBe(201);
    expect(build.body.metadata).toEqual(metadata);
    expect((await slipway.call('GET', `/apps/proto-meta/builds/${build.body.id}`)).body.metadata).toEqual(metadata);
    expect((await slipway.call('GET', `/slugs/${build.body.id}`)).body.metadata).toEqual(metadata);

    const release = await slipway.call('POST', '/apps/proto-meta/releases', { body: { slug: build.body.id, metadata } });
    expect(release.status, JSON.stringify(release.body)).toBe(201);
    expect(release.body.metadata).toEqual(metadata);
    await settled(release.body.id);
    const [listed] = (await slipway.call('GET', '/apps/proto-meta/releases')).body;
    expect(listed.metadata).toEqual(metadata);
  });

  it('hook options: created, read and changed', async () => {
    await seedApp(slipway, 'proto-hook', 0);
    const options = mapOf(OPTION_NAMES, (name) => `${name}-value`);
    const hook = await slipway.call('POST', '/apps/proto-hook/hooks', { body: { url: 'http://127.0.0.1:9/', events: ['*'], options } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    expect(hook.body.options).toEqual(options);
    expect((await slipway.call('GET', `/apps/proto-hook/hooks/${hook.body.id}`)).body.options).toEqual(options);
    const changed = mapOf(OPTION_NAMES, (name) => `${name}-changed`);
    const patched = await slipway.call('PATCH', `/apps/proto-hook/hooks/${hook.body.id}`, { body: { options: changed } });
    expect(patched).toMatchObject({ status: 200, body: { options: changed } });
    expect((await slipway.call('GET', '/apps/proto-hook/hooks')).body[0].options).toEqual(changed);
  });

  it('status checks: each such context is posted once (then 409), read, patched and listed', async () => {
    const { builds } = await seedApp(slipway, 'proto-checks', 1);
    const release = await slipway.call('POST', '/apps/proto-checks/releases', { body: { slug: builds[0] } });
    const statuses = `/apps/proto-checks/releases/${release.body.id}/statuses`;
    for (const context of CONTEXTS) {
      const posted = await slipway.call('POST', statuses, { body: { context, name: context, state: 'success' } });
      expect(posted.status, `${context}: ${JSON.stringify(posted.body)}`).toBe(201);
      expect(posted.body).toMatchObject({ context, name: context, state: 'success' });
      const again = await slipway.call('POST', statuses, { body: { context, name: context, state: 'success' } });
      expect(again.body.error.code, context).toBe('status_context_exists');
      expect((await slipway.call('GET', `${statuses}/${context}`)).body).toMatchObject({ context, name: context });
    }
    expect((await slipway.call('PATCH', `${statuses}/constructor`, { body: { state: 'failure' } })).body).toMatchObject({ context: 'constructor', state: 'failure' });
    const listed = await slipway.call('GET', statuses);
    expect(listed.body.state).toBe('failure');
    expect(listed.body.statuses.map((status: { context: string }) => status.context)).toEqual(CONTEXTS);
    const proto = await slipway.call('POST', statuses, { body: { context: '__proto__', name: 'x', state: 'success' } });
    expect(proto).toMatchObject({ status: 422, body: { error: { code: 'validation_failed' } } });
  });

  it('form bodies keep them too', async () => {
    const { builds } = await seedApp(slipway, 'proto-form', 1);
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const config = await slipway.call('PATCH', '/apps/proto-form/config-vars', { rawBody: '__proto__=a&constructor=b&prototype=c&toString=d', headers });
    expect(config.status, JSON.stringify(config.body)).toBe(200);
    expect(config.body).toEqual(JSON.parse('{"__proto__":"a","constructor":"b","prototype":"c","toString":"d"}'));
    const hook = await slipway.call('POST', '/apps/proto-form/hooks', {
      rawBody: 'url=http%3A%2F%2F127.0.0.1%3A9%2F&events[]=*&options[__proto__]=x&options[constructor]=y',
      headers,
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    expect(hook.body.options).toEqual(JSON.parse('{"__proto__":"x","constructor":"y"}'));
    const release = await slipway.call('POST', '/apps/proto-form/releases', {
      rawBody: `slug=${builds[0]}&metadata[__proto__][constructor]=1&metadata[prototype]=2`,
      headers,
    });
    expect(release.status, JSON.stringify(release.body)).toBe(201);
    expect(release.body.metadata).toEqual(JSON.parse('{"__proto__":{"constructor":"1"},"prototype":"2"}'));
    expect((await slipway.call('GET', `/apps/proto-form/releases/${release.body.id}`)).body.metadata).toEqual(release.body.metadata);
  });

  it('a hook delivers an event whose data carries such keys, and logs it', async () => {
    const { builds } = await seedApp(slipway, 'proto-deliver', 1);
    const receiver = await startReceiver(() => ({ status: 204 }));
    try {
      const hook = await slipway.call('POST', '/apps/proto-deliver/hooks', { body: { url: receiver.url, events: ['release.created'] } });
      const metadata = trickyMetadata(NAMES);
      const release = await slipway.call('POST', '/apps/proto-deliver/releases', { body: { slug: builds[0], metadata } });
      expect(release.status).toBe(201);
      const [received] = await waitFor(async () => receiver.received, (list) => list.length > 0);
      expect(JSON.parse(received?.body ?? '{}').data.metadata).toEqual(metadata);
      const log = await waitFor(
        async () => (await slipway.call('GET', `/apps/proto-deliver/hooks/${hook.body.id}/deliveries`)).body,
        (deliveries) => deliveries[0]?.outcome === 'delivered',
      );
      expect(log[0]).toMatchObject({ outcome: 'delivered', status_code: 204, event: { type: 'release.created' } });
    } finally {
      await receiver.close();
    }
  });
});
