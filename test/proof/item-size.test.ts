import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BUILD_METADATA_BYTES, MAX_COMMITS_BYTES } from '../../shared/api/builds';
import { MAX_BUILD_COMMITS } from '../../shared/domain/shipped-commits';
import { MAX_NOTES_BYTES, MAX_RELEASE_METADATA_BYTES } from '../../shared/api/releases';
import { MAX_PROGRESS_MESSAGE_BYTES, mergeProgress } from '../../shared/domain/rollout';
import { DYNAMODB_ITEM_LIMIT, itemSize } from '../support/item-size';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { scanTable } from '../support/table-census';

/**
 * The largest items the API lets a user build, field by field at its bound with 4-byte characters
 * (each counts 4 bytes in DynamoDB but 2 UTF-16 units in JavaScript and 1 character in a naive bound).
 */
const WIDE = '𝄞';
const wide = (bytes: number) => WIDE.repeat(Math.floor(bytes / 4));
const wideUrl = (bytes: number) => {
  const base = 'https://ci.example.com/';
  return `${base}${wide(bytes - base.length)}`;
};
const padded = (prefix: string, length: number) => `${prefix}${'x'.repeat(length - prefix.length)}`;
/** A JSON object of one key whose text is `bytes` long in UTF-8. */
const wideObject = (bytes: number) => ({ k: wide(bytes - '{"k":""}'.length) });
/** As many commits as a build may list, their JSON text filling `bytes`. */
const widestCommits = (bytes: number) => {
  const shell = (index: number) => ({ sha: index.toString(16).padStart(40, 'f'), author: wide(40), committed_at: '2026-11-30T00:00:00.000Z', message: '' });
  const count = MAX_BUILD_COMMITS;
  const overhead = Buffer.byteLength(JSON.stringify(Array.from({ length: count }, (_, index) => shell(index))));
  const each = Math.floor((bytes - overhead) / count);
  return Array.from({ length: count }, (_, index) => ({ ...shell(index), message: wide(Math.min(each, 1024)) }));
};

let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway();
});
afterAll(() => slipway.close());

describe('item sizes in UTF-8 bytes', () => {
  it('one byte over a bound is refused with a 4xx before anything is stored', async () => {
    await slipway.call('POST', '/apps', { body: { name: 'bytes-edge', cluster: 'c', service: 's' } });
    const build = (await slipway.call<{ id: string }>('POST', '/apps/bytes-edge/builds', { body: { image: 'registry.local/e:v1' } })).body;
    const over = await slipway.call('POST', '/apps/bytes-edge/releases', { body: { slug: build.id, description: `${wide(1024)}x` } });
    expect(over.status).toBe(422);
    const atBound = await slipway.call('POST', '/apps/bytes-edge/releases', { body: { slug: build.id, description: wide(1024) } });
    expect(atBound.status).toBe(201);
  });

  it('the largest release the API lets a user build, with the rollout\'s final writes, stays well under 400 KB', async () => {
    const app = 'a'.repeat(63);
    expect(
      (await slipway.call('POST', '/apps', { body: { name: app, cluster: padded('c', 255), service: padded('s', 255), container: padded('k', 255) } }))
        .status,
    ).toBe(201);
    const build = await slipway.call<{ id: string }>('POST', `/apps/${app}/builds`, {
      body: {
        image: `registry.local/${'r'.repeat(400)}:${'t'.repeat(60)}`,
        sha: 'f'.repeat(64),
        branch: wide(255),
        repo: wide(1024),
        version: wide(255),
        author: wide(255),
        message: wide(4096),
        tag: wide(255),
        commits: widestCommits(MAX_COMMITS_BYTES),
        metadata: wideObject(MAX_BUILD_METADATA_BYTES),
      },
    });
    expect(build.status).toBe(201);
    // An app's first release ships every commit its build lists: the most a release can copy.
    const release = await slipway.call<{ id: string }>('POST', `/apps/${app}/releases`, {
      body: { slug: build.body.id, description: wide(1024), notes: wide(MAX_NOTES_BYTES), metadata: wideObject(MAX_RELEASE_METADATA_BYTES) },
    });
    expect(release.status).toBe(201);

    let accepted = 0;
    let refusal: { status: number; body: { error: { code: string } } } | undefined;
    for (let index = 0; index < 60 && !refusal; index++) {
      const posted = await slipway.call<{ error: { code: string } }>('POST', `/apps/${app}/releases/${release.body.id}/statuses`, {
        body: {
          context: padded(`ci/${index}-`, 63),
          name: wide(255),
          state: 'pending',
          description: wide(1024),
          target_url: wideUrl(2048),
          image_url: wideUrl(2048),
        },
      });
      if (posted.status === 201) accepted += 1;
      else refusal = posted;
    }
    expect(refusal?.status).toBe(413);
    expect(refusal?.body.error.code).toBe('statuses_too_large');

    const stored = (await scanTable()).find((item) => item.type === 'release' && item.id === release.body.id);
    if (!stored) throw new Error('release item not found');
    // The rollout's last writes to the release: status, times, state and progress at their largest.
    const settled = {
      ...stored,
      status: 'succeeded',
      state: 'pending',
      started_at: new Date().toISOString(),
      finished_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      revision: 99_999_999,
      rollout: mergeProgress(null, {
        desired: 99_999,
        running_new: 99_999,
        failed_tasks: 99_999,
        deployment_id: `ecs-svc/${'9'.repeat(19)}`,
        task_definition_arn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${'f'.repeat(255)}:99999`,
        message: wide(4 * MAX_PROGRESS_MESSAGE_BYTES),
      }),
    };
    const size = itemSize(settled);
    console.log(`largest release item: ${accepted} statuses, ${size} bytes settled (${itemSize(stored)} as stored)`);
    expect(size).toBeLessThan(0.75 * DYNAMODB_ITEM_LIMIT);
  });

  it('apps, builds, pipelines, couplings and keys at their bounds stay far under 400 KB', async () => {
    const contexts = Array.from({ length: 20 }, (_, index) => padded(`ci/${index}-`, 63));
    expect((await slipway.call('POST', '/pipelines', { body: { name: 'p'.repeat(63), description: wide(1024) } })).status).toBe(201);
    expect(
      (
        await slipway.call('POST', '/pipeline-couplings', {
          body: { pipeline: 'p'.repeat(63), app: 'a'.repeat(63), stage: 'production', required_status_checks: { contexts } },
        })
      ).status,
    ).toBe(201);
    const apps = Array.from({ length: 100 }, (_, index) => padded(`k${index}-`, 63));
    const key = await slipway.call('POST', '/api-keys', { body: { role: 'developer', apps, email: `${'e'.repeat(64)}@${'d'.repeat(60)}.example.com` } });
    expect(key.status).toBe(201);

    const largest = new Map<string, number>();
    for (const item of await scanTable()) {
      const type = item.type ?? 'untyped';
      largest.set(type, Math.max(largest.get(type) ?? 0, itemSize(item)));
    }
    console.log(`largest item by type: ${JSON.stringify(Object.fromEntries(largest))}`);
    for (const type of ['app', 'pipeline', 'pipeline_coupling', 'api_key', 'release_index']) {
      expect(largest.get(type), type).toBeLessThan(DYNAMODB_ITEM_LIMIT / 10);
    }
    // Builds carry their commits and metadata (at most 64 KiB of request body in all).
    expect(largest.get('build')).toBeLessThan(DYNAMODB_ITEM_LIMIT / 5);
  });

  it('the largest config version the API lets a user build stays far under 400 KB', async () => {
    await slipway.call('POST', '/apps', { body: { name: 'bytes-config', cluster: 'c', service: 's' } });
    let refusal: { status: number; body: { error: { code: string } } } | undefined;
    let vars = 0;
    for (let round = 0; round < 20 && !refusal; round++) {
      const body = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [padded(`V${round}_${index}_`, 256), wide(1024)]));
      const changed = await slipway.call<{ error: { code: string } }>('PATCH', '/apps/bytes-config/config-vars', { body });
      if (changed.status === 200) vars += 10;
      else refusal = changed;
    }
    expect(refusal?.status).toBe(413);
    expect(refusal?.body.error.code).toBe('config_too_large');
    const configs = (await scanTable()).filter((item) => item.type === 'config');
    const size = Math.max(...configs.map(itemSize));
    console.log(`largest config version: ${vars} vars, ${size} bytes`);
    expect(size).toBeLessThan(DYNAMODB_ITEM_LIMIT / 4);
  });
});
