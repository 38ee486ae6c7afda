import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_STATES } from '../../shared/domain/model';
import { claimAutoRelease } from '../../shared/store/auto-release-store';
import { claimReleaseVersion } from '../../shared/store/releases-store';
import { releaseFixture } from '../../shared/fixtures/model';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * Pipelines with real rollouts (local Step Functions + ECS simulator): promotions of the source app's
 * current release, and status checks that race the rollout's own final write of `state`.
 */
let slipway: TestSlipway;
beforeAll(async () => {
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterAll(async () => {
  await slipway?.close();
});

type Release = { id: string; version: number; status: string; state: string; current: boolean; slug: { id: string }; trigger: string };

/** Waits for the release's rollout execution to end, then reads the release as a client would. */
const settled = async (app: string, id: string): Promise<Release> => {
  if (!slipway.rollouts) throw new Error('rollouts are not running');
  expect((await slipway.rollouts.stepFunctions.finished(id)).status).toBe('SUCCEEDED');
  return (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
};

const promoteCurrent = async (pipeline: string, source: string, targets: string[]) => {
  const response = await slipway.call('POST', '/pipeline-promotions', {
    body: { pipeline: { name: pipeline }, source: { app: { name: source } }, targets: targets.map((name) => ({ app: { name } })) },
  });
  expect(response.status).toBe(201);
  return response.body as { source: { release: { id: string } }; targets: { app: { name: string }; release: { id: string } }[] };
};

describe('a build flows dev -> staging -> production with rollouts', () => {
  it('promotes the current release of each stage, so every stage gets the very build development released', async () => {
    await slipway.call('POST', '/pipelines', { body: { name: 'flow' } });
    const { builds } = await seedApp(slipway, 'flow-dev', 1);
    for (const [app, stage, contexts] of [
      ['flow-dev', 'development', []],
      ['flow-stg', 'staging', ['ci/unit']],
      ['flow-prod', 'production', ['ci/unit', 'qa/e2e']],
    ] as const) {
      if (app !== 'flow-dev') await seedApp(slipway, app, 0);
      const coupled = await slipway.call('POST', '/pipeline-couplings', {
        body: { pipeline: 'flow', app, stage, required_status_checks: { contexts } },
      });
      expect(coupled.status).toBe(201);
    }

    const none = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { name: 'flow' }, source: { app: { name: 'flow-dev' } }, targets: [{ app: { name: 'flow-stg' } }] },
    });
    expect([none.status, none.body.error.code]).toEqual([409, 'no_current_release']);

    const devRelease = (await slipway.call<Release>('POST', '/apps/flow-dev/releases', { body: { slug: builds[0] } })).body;
    expect(await settled('flow-dev', devRelease.id)).toMatchObject({ status: 'succeeded', current: true });
    await slipway.call('POST', `/apps/flow-dev/releases/${devRelease.id}/statuses`, { body: { context: 'ci/unit', name: 'Unit', state: 'success' } });

    const toStaging = await promoteCurrent('flow', 'flow-dev', ['flow-stg']);
    expect(toStaging.source.release.id).toBe(devRelease.id);
    const staging = await settled('flow-stg', toStaging.targets[0]?.release.id as string);
    expect(staging).toMatchObject({ status: 'succeeded', current: true, trigger: 'promotion', slug: { id: builds[0] } });

    for (const context of ['ci/unit', 'qa/e2e']) {
      await slipway.call('POST', `/apps/flow-stg/releases/${staging.id}/statuses`, { body: { context, name: context, state: 'success' } });
    }
    const toProduction = await promoteCurrent('flow', 'flow-stg', ['flow-prod']);
    const production = await settled('flow-prod', toProduction.targets[0]?.release.id as string);
    expect(production).toMatchObject({ status: 'succeeded', current: true, trigger: 'promotion', slug: { id: builds[0] } });
    expect((await slipway.call('GET', '/apps/flow-prod/releases')).body).toHaveLength(1);
  });
});

describe('state while a release rolls out', () => {
  it('equals the aggregate of statuses posted during the rollout, whatever the rollout writes last', async () => {
    const { builds } = await seedApp(slipway, 'racing-checks', 1);
    const releases: Release[] = [];
    for (const _ of CHECK_STATES) {
      releases.push((await slipway.call<Release>('POST', '/apps/racing-checks/releases', { body: { slug: builds[0] } })).body);
    }
    // Release i gets the first i+1 check states, posted while the rollouts run.
    await Promise.all(
      releases.map(async (release, index) => {
        const states = CHECK_STATES.slice(0, index + 1);
        for (const [position, state] of states.entries()) {
          await slipway.call('POST', `/apps/racing-checks/releases/${release.id}/statuses`, {
            body: { context: `check-${position}`, name: 'check', state },
          });
        }
      }),
    );
    const expected = ['pending', 'pending', 'failure', 'error'];
    for (const [index, release] of releases.entries()) {
      const done = await settled('racing-checks', release.id);
      const statuses = await slipway.call('GET', `/apps/racing-checks/releases/${release.id}/statuses`);
      expect([done.status, done.state, statuses.body.state]).toEqual(['succeeded', expected[index], expected[index]]);
    }
  });
});

describe('auto-release with rollouts', () => {
  it('rolls out a release that a crashed auto-release wrote but never started', async () => {
    const app = (
      await slipway.call('POST', '/apps', { body: { name: 'auto-crash', cluster: 'local', service: 'auto-crash-svc', auto_release: true } })
    ).body;
    const build = (
      await slipway.call('POST', '/apps/auto-crash/builds', { body: { image: 'registry.local/auto-crash:v1', status: 'pending' } })
    ).body;
    // What the crashed request left: its claim (lease run out) and its queued release, with no rollout started.
    const releaseId = crypto.randomUUID();
    await claimAutoRelease({ app_id: app.id, build_id: build.id, release_id: releaseId, status: 'claimed', lease_until: 0, release_version: null });
    const orphan = releaseFixture({ id: releaseId, app: { id: app.id, name: app.name }, slug: { id: build.id }, trigger: 'auto' });
    expect(await claimReleaseVersion(orphan)).toBe(true);

    expect((await slipway.call('PATCH', `/apps/auto-crash/builds/${build.id}`, { body: { status: 'succeeded' } })).status).toBe(200);
    expect(await settled('auto-crash', releaseId)).toMatchObject({ status: 'succeeded', current: true });
    expect((await slipway.call('GET', '/apps/auto-crash/releases')).body).toHaveLength(1);
  });
});
