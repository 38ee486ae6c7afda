import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../shared/api/error-responses';
import type { Release } from '../../shared/domain/model';
import { ROUTES, routeKeyOf, type Route } from '../../shared/api/routes';
import { seedApp, settleAsSucceeded, startTestSlipway, type TestSlipway } from '../support/local-slipway';
import { countByType } from '../support/table-census';

/**
 * Property-based fuzz of every route in the route table: whatever arrives in the path, query, body or
 * Idempotency-Key, from whichever caller, Slipway answers below 500, refuses with the JSON error envelope,
 * and a refusal leaves no record behind.
 */

const RUNS_PER_ROUTE = 40;

let slipway: TestSlipway;
/** A developer key limited to an app the fuzz never targets by name. */
let narrowKey: string;
/** Real values per path parameter name, so many requests get past the lookups to the validation behind them. */
const known: Record<string, string[]> = {};
/** A valid body per route, which the fuzz then bends one field at a time. */
const validBodies: Record<string, Record<string, unknown>> = {};

/** Creates one of everything, so each route has real ids to find and the fuzz reaches its validation. */
beforeAll(async () => {
  slipway = await startTestSlipway();
  const created = async (method: string, path: string, body: unknown) => {
    const response = await slipway.call(method, path, { body });
    if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string };
  };
  const { app, builds } = await seedApp(slipway, 'fuzz-target', 2);
  await seedApp(slipway, 'fuzz-down', 1);
  await seedApp(slipway, 'fuzz-spare', 1);
  narrowKey = await slipway.keyFor('developer', ['fuzz-spare']);
  // A key of its own for the fuzz to find (and perhaps revoke), never the admin key it runs with.
  const spareKey = await created('POST', '/api-keys', { role: 'pipeline', email: 'spare@fuzz.local' });
  const release = await created('POST', '/apps/fuzz-target/releases', { slug: builds[0] });
  await created('POST', '/apps', { name: 'fuzz-external' });
  const signal = await created('POST', '/v1/signals/releases', { version: 'v1', commits: ['abcdef1'], deliverables: ['fuzz-external'] });
  // Rollouts are off here (their background writes would blur the census): the release ends as its
  // rollout's Finish step ends a completed deployment, so it may be promoted.
  await settleAsSucceeded(release as Pick<Release, 'id' | 'version' | 'app'>);
  await created('POST', `/apps/fuzz-target/releases/${release.id}/statuses`, { context: 'ci/test', name: 'CI', state: 'success' });
  const pipeline = await created('POST', '/pipelines', { name: 'fuzz-pipe' });
  const coupling = await created('POST', '/pipeline-couplings', { pipeline: 'fuzz-pipe', app: 'fuzz-target', stage: 'review' });
  await created('POST', '/pipeline-couplings', { pipeline: 'fuzz-pipe', app: 'fuzz-down', stage: 'development' });
  const promotion = await created('POST', '/pipeline-promotions', {
    pipeline: { name: 'fuzz-pipe' },
    source: { app: { name: 'fuzz-target' }, release: { id: release.id } },
    targets: [{ app: { name: 'fuzz-down' } }],
    safe: false,
  });
  Object.assign(known, {
    app: [app.name, app.id],
    build: builds,
    slug: builds,
    release: [release.id, '1'],
    context: [encodeURIComponent('ci/test')],
    pipeline: [pipeline.id, 'fuzz-pipe'],
    coupling: [coupling.id],
    promotion: [promotion.id],
    key: [spareKey.id],
    signal: [signal.id],
  });
  Object.assign(validBodies, {
    'POST /apps': { name: 'fuzz-made', cluster: 'local', service: 'fuzz-svc', container: 'web', auto_release: false },
    'POST /apps/{app}/builds': { image: `registry.local/fuzz@sha256:${'b'.repeat(64)}`, sha: 'abcdef1', branch: 'main' },
    'PATCH /apps/{app}/builds/{build}': { status: 'succeeded' },
    'POST /apps/{app}/releases': { slug: builds[1], description: 'fuzzed' },
    'POST /apps/{app}/releases/{release}/statuses': {
      context: 'ci/fuzz',
      name: 'Fuzz',
      state: 'pending',
      description: 'fuzzing',
      target_url: 'https://ci.local/1',
      image_url: 'https://ci.local/badge.svg',
    },
    'PATCH /apps/{app}/releases/{release}/statuses/{context}': { state: 'failure', description: 'refuzzed' },
    'POST /api-keys': { role: 'developer', apps: ['fuzz-target'], email: 'dev@fuzz.local' },
    'PATCH /apps/{app}/releases/{release}': { status: 'succeeded', finished_at: '2026-11-24T10:00:00Z' },
    'POST /v1/signals/releases': { version: 'v2', commits: ['abcdef2'], name: 'fuzz', date: '2026-11-24T10:00:00Z', deliverables: ['fuzz-external'] },
    'PATCH /v1/signals/releases/{signal}': { status: 'success' },
    'POST /components/{app}/deployments': { version: 'v3', result: 'success', host: 'h1', stage: 'prod', meta_data: { a: 1 } },
    'POST /pipelines': { name: 'fuzz-pipe-two', description: 'fuzzed' },
    'POST /pipeline-couplings': {
      pipeline: 'fuzz-pipe',
      app: 'fuzz-spare',
      stage: 'staging',
      required_status_checks: { contexts: ['ci/test'] },
    },
    'POST /pipeline-promotions': {
      pipeline: { name: 'fuzz-pipe' },
      source: { app: { name: 'fuzz-target' }, release: { id: release.id } },
      targets: [{ app: { name: 'fuzz-down' } }],
      safe: true,
    },
  });
});
afterAll(() => slipway.close());

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066evil',
  '\ufeff',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  'İı',
  '../../etc/passwd',
  '%00',
  '<script>',
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, sent as it is written
  '${jndi:x}',
  '__proto__',
  'constructor',
  'null',
  '-1',
  '1e309',
  '0x10',
  '9'.repeat(40),
];

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(...ODD_STRINGS),
  fc.constantFrom(300, 5_000, 70_000).map((length) => 'ẞ'.repeat(length)),
);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  text,
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, true, false, null),
  fc.constant(Array.from({ length: 500 }, () => ({}))),
  fc.constant(JSON.parse('['.repeat(2_000) + ']'.repeat(2_000)) as unknown),
);

type Body = { json: unknown } | { raw: string } | undefined;

const bodyFor = (routeKey: string): fc.Arbitrary<Body> => {
  const base = validBodies[routeKey] ?? {};
  const fields = Object.keys(base);
  const bent: fc.Arbitrary<Record<string, unknown>>[] = [fc.record({ extra: nastyValue }).map((extra) => ({ ...base, ...extra }))];
  if (fields.length > 0) {
    bent.push(
      fc.tuple(fc.constantFrom(...fields), nastyValue).map(([field, value]) => ({ ...base, [field]: value })),
      fc.constantFrom(...fields).map((field) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== field))),
    );
  }
  return fc.oneof(
    fc.constant(undefined),
    fc.oneof(...bent).map((json) => ({ json })),
    nastyValue.map((json) => ({ json })),
    fc.oneof(text, fc.constantFrom('{', '{"a":', '[1,]', 'nul', '{"__proto__":{"x":1}}', '\u0000')).map((raw) => ({ raw })),
  );
};

const QUERY_KEYS = ['limit', 'cursor', 'status', 'since', 'access_token', 'page', ''];

/**
 * Query values stay under Node's 16 KiB header limit (API Gateway's is lower still): beyond it the
 * transport refuses the request before Slipway sees it, which says nothing about Slipway.
 */
const urlText = text.filter((value) => encodeURIComponent(value.toWellFormed()).length <= 2_000);

const query: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
    fc.oneof(urlText, fc.constantFrom('0', '1', '1001', '-5', '2.5', 'NaN', 'queued', 'SUCCEEDED', '2026-13-45T99:00:00Z')),
  ),
  { maxLength: 4 },
);

/**
 * Path segments past DynamoDB's key limits (1,021 characters of an app name once were a 500) and values
 * one step from valid: a UUID with a bad digit, a name in capitals, a version of 0.
 */
const ODD_SEGMENTS = fc.oneof(
  fc.constantFrom(1_021, 1_025, 2_049, 8_000).map((length) => 'a'.repeat(length)),
  fc.constantFrom(600, 3_000).map((length) => encodeURIComponent('é'.repeat(length))),
  fc.uuid().map((uuid) => `${uuid.slice(0, -1)}g`),
  fc.uuid().map((uuid) => uuid.toUpperCase()),
  fc.constantFrom('0', '01', '99999999999', 'Fuzz-Target', 'ab', `${'a'.repeat(63)}b`),
);

/** A path segment: a real value, text to percent-encode, raw bytes the encoder would never produce, or an odd one. */
const segmentFor = (name: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...(known[name] ?? ['x'])),
    ODD_SEGMENTS,
    fc.oneof(urlText, fc.uuid(), fc.integer().map(String)).map((value) => encodeURIComponent(value.toWellFormed())),
    fc
      .array(fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C3%28', '%00', '%2F', ';', '@', '~', 'a', '..'), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join('')),
  );

const pathFor = (route: Route): fc.Arbitrary<string> => {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  return fc.tuple(...names.map(segmentFor)).map((segments) => {
    let index = 0;
    return route.path.replace(/\{\w+\}/g, () => segments[index++] ?? '');
  });
};

type Answer = { status: number; contentType: string; body: unknown };

type Caller = 'admin' | 'anonymous' | 'forged' | 'malformed' | 'narrow';

/**
 * Mostly the admin key, so requests get past authorization; sometimes no key, a forged one or too
 * narrow a one. Named rather than the keys themselves, so a counterexample never prints a key.
 */
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('admin' as const) },
  { weight: 1, arbitrary: fc.constantFrom('anonymous' as const, 'forged' as const, 'malformed' as const, 'narrow' as const) },
);

const keyOf = (who: Caller): string | null =>
  ({ admin: slipway.adminKey, anonymous: null, forged: 'slw_forged', malformed: 'not-a-key', narrow: narrowKey })[who];

/**
 * An Idempotency-Key header, sometimes: printable ASCII (what a header can carry), including empty,
 * overlong and reused values, so retries of the same request show up as well.
 */
const idempotencyKey: fc.Arbitrary<string | undefined> = fc.option(
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
    fc.constantFrom('', 'same-key', 'same-key', 'k'.repeat(300), 'with space'),
  ),
  { nil: undefined },
);

const send = async (
  method: string,
  path: string,
  pairs: [string, string][],
  body: Body,
  who: Caller,
  idempotency?: string,
): Promise<Answer> => {
  const key = keyOf(who);
  const search = new URLSearchParams(pairs).toString();
  const response = await fetch(`${slipway.url}${path}${search ? `?${search}` : ''}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(idempotency === undefined ? {} : { 'idempotency-key': idempotency }),
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: 'raw' in body ? body.raw : JSON.stringify(body.json) }),
  });
  const raw = await response.text();
  let parsed: unknown = raw;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    // left as text: the assertions below report a non-JSON error body
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: parsed };
};

describe.each(ROUTES.map((route) => [routeKeyOf(route), route] as const))('fuzzing %s', (routeKey, route) => {
  it('never answers 5xx, refuses with the JSON error shape and writes nothing when it refuses', async () => {
    let counts = await countByType();
    const body = route.method === 'GET' ? fc.constant(undefined) : bodyFor(routeKey);
    await fc.assert(
      fc.asyncProperty(pathFor(route), query, body, caller, idempotencyKey, async (path, pairs, sent, who, idempotency) => {
        const answer = await send(route.method, path, pairs, sent, who, idempotency);
        const before = counts;
        counts = await countByType();

        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        if (answer.status >= 400) {
          expect(answer.contentType).toMatch(/^application\/json/);
          expect(ErrorResponse.safeParse(answer.body).success, JSON.stringify(answer.body)).toBe(true);
          expect(counts, 'a refused request changed what is stored').toEqual(before);
        }
      }),
      { numRuns: RUNS_PER_ROUTE },
    );
  });
});
