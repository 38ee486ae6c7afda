import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_STATES, type CheckState } from '../../shared/domain/model';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
let build: string;
const APP = 'checked';

beforeAll(async () => {
  slipway = await startTestSlipway();
  build = (await seedApp(slipway, APP, 1)).builds[0] as string;
});
afterAll(() => slipway.close());

const newRelease = async (): Promise<{ id: string; version: number }> =>
  (await slipway.call('POST', `/apps/${APP}/releases`, { body: { slug: build } })).body;

/** Created one after another, so tests about racing statuses do not also race release versions. */
const newReleases = async (count: number) => {
  const releases: { id: string; version: number }[] = [];
  for (let index = 0; index < count; index++) releases.push(await newRelease());
  return releases;
};

const statusesPath = (release: { id: string }) => `/apps/${APP}/releases/${release.id}/statuses`;

const post = (release: { id: string }, context: string, state: CheckState) =>
  slipway.call('POST', statusesPath(release), { body: { context, name: `check ${context}`, state } });

/** What API.md says `state` must be, written out independently of the implementation. */
const expectedState = (states: readonly CheckState[]): CheckState =>
  states.includes('error')
    ? 'error'
    : states.includes('failure')
      ? 'failure'
      : states.includes('pending') || states.length === 0
        ? 'pending'
        : 'success';

/** The aggregate as GET .../statuses reports it, checked against the release object it embeds. */
const stateOf = async (release: { id: string }) => {
  const { body } = await slipway.call('GET', statusesPath(release));
  expect(body.release.state).toBe(body.state);
  return body.state as CheckState;
};

/** Every sequence of three states: each multiset of states in each order it can arrive in. */
const SEQUENCES: CheckState[][] = CHECK_STATES.flatMap((a) => CHECK_STATES.flatMap((b) => CHECK_STATES.map((c) => [a, b, c])));

describe('release statuses', () => {
  it('creates, updates and lists statuses with the aggregated state', async () => {
    const release = await newRelease();
    expect((await slipway.call('GET', statusesPath(release))).body).toMatchObject({ state: 'pending', statuses: [] });

    const body = {
      context: 'ci/unit',
      name: 'Unit tests',
      state: 'success',
      description: 'all green',
      target_url: 'https://ci.example.com/runs/1',
      image_url: 'http://ci.example.com/badge.svg',
    };
    const created = await slipway.call('POST', statusesPath(release), { body });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...body, id: expect.any(String), created_at: expect.any(String), updated_at: expect.any(String) });
    const location = created.headers.get('location');
    expect(location).toBe(`${statusesPath(release)}/ci%2Funit`);
    expect((await slipway.call('GET', location as string)).body).toEqual(created.body);
    expect(await stateOf(release)).toBe('success');

    await post(release, 'qa.smoke+eu', 'pending');
    expect(await stateOf(release)).toBe('pending');
    const patched = await slipway.call('PATCH', `${statusesPath(release)}/qa.smoke+eu`, { body: { state: 'failure', description: 'smoke failed' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ context: 'qa.smoke+eu', state: 'failure', description: 'smoke failed', name: 'check qa.smoke+eu' });

    const listed = await slipway.call('GET', statusesPath(release));
    expect(listed.body.state).toBe('failure');
    expect(listed.body.release).toMatchObject({ id: release.id, version: release.version, state: 'failure' });
    expect(listed.body.statuses.map((status: { context: string }) => status.context)).toEqual(['ci/unit', 'qa.smoke+eu']);
    expect((await slipway.call('GET', `/apps/${APP}/releases/${release.version}/statuses`)).body).toEqual(listed.body);
    expect((await slipway.call('GET', `/apps/${APP}/releases/${release.id}`)).body.state).toBe('failure');
  });

  it('refuses a duplicate context (409), an unknown context (404) and bad input (422), changing nothing', async () => {
    const release = await newRelease();
    await post(release, 'ci/unit', 'success');
    const snapshot = (await slipway.call('GET', statusesPath(release))).body;

    const duplicate = await post(release, 'ci/unit', 'failure');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('status_context_exists');
    for (const context of ['ci%2Flint', 'x', 'bad%20context']) {
      for (const method of ['PATCH', 'GET']) {
        const unknown = await slipway.call(method, `${statusesPath(release)}/${context}`, method === 'PATCH' ? { body: { state: 'error' } } : {});
        expect([unknown.status, unknown.body.error.code]).toEqual([404, 'status_not_found']);
      }
    }
    const invalid: Record<string, unknown>[] = [
      { context: 'ci', name: 'n', state: 'success' },
      { context: 'ci unit', name: 'n', state: 'success' },
      { context: 'c'.repeat(64), name: 'n', state: 'success' },
      { context: 'ci/other', name: 'n', state: 'green' },
      { context: 'ci/other', state: 'success' },
      { context: 'ci/other', name: 'n', state: 'success', target_url: 'ftp://ci.example.com' },
      { context: 'ci/other', name: 'n', state: 'success', image_url: 'javascript:alert(1)' },
      { context: 'ci/other', name: 'n', state: 'success', extra: true },
    ];
    for (const body of invalid) {
      const response = await slipway.call('POST', statusesPath(release), { body });
      expect([response.status, response.body.error.code]).toEqual([422, 'validation_failed']);
    }
    for (const body of [{}, { state: 'green' }, { context: 'ci/lint' }, { target_url: 'file:///etc/passwd' }]) {
      const response = await slipway.call('PATCH', `${statusesPath(release)}/ci%2Funit`, { body });
      expect([response.status, response.body.error.code]).toEqual([422, 'validation_failed']);
    }
    const unknownRelease = await slipway.call('POST', `/apps/${APP}/releases/999/statuses`, {
      body: { context: 'ci/unit', name: 'n', state: 'success' },
    });
    expect(unknownRelease.status).toBe(404);
    expect((await slipway.call('GET', statusesPath(release))).body).toEqual(snapshot);
  });

  it('lets pipeline keys post statuses for their apps only, and developers read but not post', async () => {
    const release = await newRelease();
    const developer = await slipway.keyFor('developer');
    const otherPipeline = await slipway.keyFor('pipeline', ['someone-else']);
    const pipeline = await slipway.keyFor('pipeline', [APP]);
    const body = { context: 'ci/unit', name: 'Unit', state: 'success' };
    expect((await slipway.call('POST', statusesPath(release), { body, key: developer })).status).toBe(403);
    expect((await slipway.call('POST', statusesPath(release), { body, key: otherPipeline })).status).toBe(404);
    expect((await slipway.call('POST', statusesPath(release), { body, key: pipeline })).status).toBe(201);
    expect((await slipway.call('GET', statusesPath(release), { key: developer })).body.statuses).toHaveLength(1);
  });
});

describe('state aggregation in every order', () => {
  it('matches the aggregate after each status posted one by one, for every sequence of three states', async () => {
    const releases = await newReleases(SEQUENCES.length);
    // Each release sees its statuses strictly one after another; different releases proceed side by side.
    await Promise.all(
      SEQUENCES.map(async (states, sequence) => {
        const release = releases[sequence] as { id: string };
        expect(await stateOf(release)).toBe('pending');
        for (const [index, state] of states.entries()) {
          expect((await post(release, `ctx-${index}`, state)).status).toBe(201);
          expect(await stateOf(release)).toBe(expectedState(states.slice(0, index + 1)));
        }
      }),
    );
  });

  it('matches the aggregate when statuses arrive concurrently and then move concurrently, for every sequence', async () => {
    const releases = await newReleases(SEQUENCES.length);
    await Promise.all(
      SEQUENCES.map(async (states, sequence) => {
        const release = releases[sequence] as { id: string };
        const posted = await Promise.all(states.map((state, index) => post(release, `ctx-${index}`, state)));
        expect(posted.map((response) => response.status)).toEqual([201, 201, 201]);
        expect(await stateOf(release)).toBe(expectedState(states));

        // Each release then moves to another sequence, so every state is also reached by concurrent updates.
        const finalStates = SEQUENCES[SEQUENCES.length - 1 - sequence] as CheckState[];
        const patched = await Promise.all(
          finalStates.map((state, index) => slipway.call('PATCH', `${statusesPath(release)}/ctx-${index}`, { body: { state } })),
        );
        expect(patched.map((response) => response.status)).toEqual([200, 200, 200]);
        const { body } = await slipway.call('GET', statusesPath(release));
        expect(body.state).toBe(expectedState(finalStates));
        expect(body.release.state).toBe(body.state);
        const listed = body.statuses as { context: string; state: string }[];
        expect(Object.fromEntries(listed.map((status) => [status.context, status.state]))).toEqual(
          Object.fromEntries(finalStates.map((state, index) => [`ctx-${index}`, state])),
        );
      }),
    );
  });

  it('loses no status when ten contexts are posted at once', async () => {
    const release = await newRelease();
    const contexts = Array.from({ length: 10 }, (_, index) => `ci/job-${index}`);
    const responses = await Promise.all(contexts.map((context) => post(release, context, 'success')));
    expect(responses.every((response) => response.status === 201)).toBe(true);
    const listed = (await slipway.call('GET', statusesPath(release))).body;
    expect(listed.statuses.map((status: { context: string }) => status.context).sort()).toEqual([...contexts].sort());
    expect(listed.state).toBe('success');
  });
});
