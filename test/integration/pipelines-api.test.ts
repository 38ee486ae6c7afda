import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { handler as reconcile } from '../../functions/rollout-reconcile';
import { lambdaContext } from '../../local/lambda-context';
import type { App } from '../../shared/domain/model';
import type { Principal } from '../../shared/domain/access';
import { planPromotion, targetReleaseIdOf } from '../../shared/domain/promotion';
import { requireApp } from '../../shared/operations/apps';
import { recordRelease, requireRelease } from '../../shared/operations/releases';
import { insertPromotion } from '../../shared/store/promotions-store';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

let slipway: TestSlipway;
beforeAll(async () => {
  // Real rollouts, fast: a promotion's source must have succeeded, and its targets' statuses follow their rollouts.
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } } });
});
afterAll(() => slipway.close());

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

const createPipeline = async (name = unique('pipe')) => {
  const response = await slipway.call('POST', '/pipelines', { body: { name } });
  expect(response.status).toBe(201);
  return response.body as { id: string; name: string };
};

const couple = async (pipeline: string, app: string, stage: string, contexts?: string[]) => {
  const response = await slipway.call('POST', '/pipeline-couplings', {
    body: { pipeline, app, stage, ...(contexts ? { required_status_checks: { contexts } } : {}) },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};

const releasesOf = async (app: string) => (await slipway.call('GET', `/apps/${app}/releases`)).body as Record<string, any>[];

const postStatus = (app: string, release: string, context: string, state: string) =>
  slipway.call('POST', `/apps/${app}/releases/${release}/statuses`, { body: { context, name: context, state } });

/** Releases the build and waits for its rollout to end; returns the release as it then stands. */
const releaseSettled = async (app: string, slug: string | undefined) => {
  const created = await slipway.call('POST', `/apps/${app}/releases`, { body: { slug } });
  expect(created.status).toBe(201);
  return settledRelease(app, created.body.id);
};

const settledRelease = async (app: string, id: string) => {
  await slipway.rollouts?.stepFunctions.finished(id);
  return (await slipway.call('GET', `/apps/${app}/releases/${id}`)).body as Record<string, any>;
};

/** A pipeline with one app per given stage; each app gets one succeeded build. */
const pipelineWith = async (stages: Record<string, string[]>, contexts: Record<string, string[]> = {}) => {
  const pipeline = await createPipeline();
  const apps: Record<string, { name: string; build: string }> = {};
  for (const [stage, names] of Object.entries(stages)) {
    for (const role of names) {
      const name = unique(role);
      const { builds } = await seedApp(slipway, name, 1);
      await couple(pipeline.name, name, stage, contexts[role]);
      apps[role] = { name, build: builds[0] as string };
    }
  }
  return { pipeline, apps };
};

describe('pipelines', () => {
  it('creates a pipeline, finds it by id and by name, lists it and refuses a duplicate name', async () => {
    const name = unique('shop');
    const created = await slipway.call('POST', '/pipelines', { body: { name, description: 'the shop' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, description: 'the shop', id: expect.any(String) });
    expect(created.headers.get('location')).toBe(`/pipelines/${created.body.id}`);

    expect((await slipway.call('GET', `/pipelines/${created.body.id}`)).body).toEqual(created.body);
    expect((await slipway.call('GET', `/pipelines/${name}`)).body).toEqual(created.body);
    const list = await slipway.call('GET', '/pipelines');
    expect(list.body).toContainEqual(created.body);

    const duplicate = await slipway.call('POST', '/pipelines', { body: { name } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('pipeline_name_taken');
    const unknown = await slipway.call('GET', '/pipelines/no-such-pipeline');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('pipeline_not_found');
  });

  it.each([
    ['a bad name', { name: 'Bad Name' }],
    ['a missing name', {}],
    ['an unknown field', { name: 'fine-name', colour: 'red' }],
    ['a too long description', { name: 'fine-name', description: 'x'.repeat(1025) }],
  ])('refuses %s with 422 and writes nothing', async (_, body) => {
    const before = (await slipway.call('GET', '/pipelines')).body.length;
    const response = await slipway.call('POST', '/pipelines', { body });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_failed');
    expect((await slipway.call('GET', '/pipelines')).body.length).toBe(before);
  });

  it('lets only admins manage pipelines', async () => {
    const developer = await slipway.keyFor('developer');
    const refused = await slipway.call('POST', '/pipelines', { body: { name: unique('nope') }, key: developer });
    expect(refused.status).toBe(403);
    expect((await slipway.call('GET', '/pipelines', { key: developer })).status).toBe(200);
  });
});

describe('pipeline couplings', () => {
  it('couples apps in stage order, one pipeline per app, and uncouples them', async () => {
    const pipeline = await createPipeline();
    const prod = unique('prod');
    const dev = unique('dev');
    await seedApp(slipway, prod, 0);
    await seedApp(slipway, dev, 0);
    const prodCoupling = await slipway.call('POST', '/pipeline-couplings', {
      body: { pipeline: pipeline.id, app: prod, stage: 'production', required_status_checks: { contexts: ['ci/unit', 'qa+smoke'] } },
    });
    expect(prodCoupling.status).toBe(201);
    expect(prodCoupling.body).toMatchObject({
      pipeline: { id: pipeline.id, name: pipeline.name },
      app: { name: prod },
      stage: 'production',
      required_status_checks: { contexts: ['ci/unit', 'qa+smoke'] },
    });
    const devCoupling = await couple(pipeline.name, dev, 'development');

    const listed = await slipway.call('GET', `/pipelines/${pipeline.id}/pipeline-couplings`);
    expect(listed.body.map((coupling: { app: { name: string } }) => coupling.app.name)).toEqual([dev, prod]);
    expect((await slipway.call('GET', `/apps/${prod}/pipeline-couplings`)).body).toEqual(prodCoupling.body);

    const other = await createPipeline();
    const second = await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: other.name, app: dev, stage: 'staging' } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'app_already_coupled', details: { pipeline: { id: pipeline.id } } });

    const removed = await slipway.call('DELETE', `/pipeline-couplings/${devCoupling.id}`);
    expect(removed.status).toBe(200);
    expect((await slipway.call('DELETE', `/pipeline-couplings/${devCoupling.id}`)).status).toBe(404);
    const gone = await slipway.call('GET', `/apps/${dev}/pipeline-couplings`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('pipeline_coupling_not_found');
    expect((await slipway.call('GET', `/pipelines/${pipeline.id}/pipeline-couplings`)).body).toHaveLength(1);
    expect((await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: other.name, app: dev, stage: 'staging' } })).status).toBe(201);
  });

  it.each([
    ['an unknown stage', { stage: 'qa' }, 422, 'validation_failed'],
    ['a bad context', { required_status_checks: { contexts: ['no spaces allowed'] } }, 422, 'validation_failed'],
    ['a too short context', { required_status_checks: { contexts: ['ci'] } }, 422, 'validation_failed'],
    ['repeated contexts', { required_status_checks: { contexts: ['ci/unit', 'ci/unit'] } }, 422, 'validation_failed'],
    ['an unknown pipeline', { pipeline: 'no-such-pipeline' }, 404, 'pipeline_not_found'],
    ['an unknown app', { app: 'no-such-app' }, 404, 'app_not_found'],
    ['an unknown field', { extra: 1 }, 422, 'validation_failed'],
  ])('refuses %s and couples nothing', async (_, override, status, code) => {
    const pipeline = await createPipeline();
    const app = unique('lonely');
    await seedApp(slipway, app, 0);
    const response = await slipway.call('POST', '/pipeline-couplings', {
      body: { pipeline: pipeline.name, app, stage: 'staging', ...override },
    });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect((await slipway.call('GET', `/apps/${app}/pipeline-couplings`)).status).toBe(404);
    expect((await slipway.call('GET', `/pipelines/${pipeline.id}/pipeline-couplings`)).body).toEqual([]);
  });
});

describe('the 422 rule for downstream apps', () => {
  it('refuses direct deploys and rollbacks downstream, naming pipeline and stage, and writes nothing', async () => {
    const pipeline = await createPipeline();
    const staging = unique('stg');
    const { builds } = await seedApp(slipway, staging, 1);
    // Released before it joined the pipeline, so there is something to roll back to.
    const before = await slipway.call('POST', `/apps/${staging}/releases`, { body: { slug: builds[0] } });
    const dev = unique('dev');
    const devBuilds = (await seedApp(slipway, dev, 1)).builds;
    await couple(pipeline.name, dev, 'development');
    await couple(pipeline.name, staging, 'staging');

    const deploy = await slipway.call('POST', `/apps/${staging}/releases`, { body: { slug: builds[0] } });
    const rollback = await slipway.call('POST', `/apps/${staging}/releases`, { body: { release: before.body.id } });
    // The stage is the answer whatever was sent: a slug or release that does not exist is refused the same way.
    const unknownSlug = await slipway.call('POST', `/apps/${staging}/releases`, { body: { slug: randomUUID() } });
    const unknownRelease = await slipway.call('POST', `/apps/${staging}/releases`, { body: { release: randomUUID() } });
    for (const response of [deploy, rollback, unknownSlug, unknownRelease]) {
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('downstream_pipeline_app');
      expect(response.body.error.message).toContain(pipeline.name);
      expect(response.body.error.message).toContain('staging');
      expect(response.body.error.details).toMatchObject({
        pipeline: { id: pipeline.id, name: pipeline.name },
        stage: 'staging',
        upstream_stage: 'development',
      });
    }
    expect(await releasesOf(staging)).toHaveLength(1);
    expect((await slipway.call('POST', `/apps/${dev}/releases`, { body: { slug: devBuilds[0] } })).status).toBe(201);
  });

  it('lets apps at the first populated stage, uncoupled apps and uncoupled-again apps release freely', async () => {
    const { apps } = await pipelineWith({ staging: ['stg'], production: ['prod'] });
    const first = await slipway.call('POST', `/apps/${apps.stg?.name}/releases`, { body: { slug: apps.stg?.build } });
    expect(first.status).toBe(201);
    expect((await slipway.call('POST', `/apps/${apps.prod?.name}/releases`, { body: { slug: apps.prod?.build } })).status).toBe(422);

    const loose = unique('loose');
    const { builds } = await seedApp(slipway, loose, 1);
    expect((await slipway.call('POST', `/apps/${loose}/releases`, { body: { slug: builds[0] } })).status).toBe(201);

    const coupling = await slipway.call('GET', `/apps/${apps.prod?.name}/pipeline-couplings`);
    await slipway.call('DELETE', `/pipeline-couplings/${coupling.body.id}`);
    expect((await slipway.call('POST', `/apps/${apps.prod?.name}/releases`, { body: { slug: apps.prod?.build } })).status).toBe(201);
  });
});

describe('promotions', () => {
  it('carries a build from development through staging to production', async () => {
    const { pipeline, apps } = await pipelineWith(
      { development: ['dev'], staging: ['stg'], production: ['eu', 'us'] },
      { stg: ['ci/unit'], eu: ['ci/unit', 'qa/e2e'], us: ['qa/e2e'] },
    );
    const dev = apps.dev?.name as string;
    const stg = apps.stg?.name as string;
    const devRelease = { body: await releaseSettled(dev, apps.dev?.build) };
    expect(devRelease.body.status).toBe('succeeded');
    await postStatus(dev, devRelease.body.id, 'ci/unit', 'success');

    const toStaging = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { id: pipeline.id }, source: { app: { name: dev }, release: { id: devRelease.body.id } }, targets: [{ app: { name: stg } }] },
    });
    expect(toStaging.status).toBe(201);
    expect(toStaging.headers.get('location')).toBe(`/pipeline-promotions/${toStaging.body.id}`);
    expect(toStaging.body).toMatchObject({
      pipeline: { id: pipeline.id, name: pipeline.name },
      source: { app: { name: dev }, release: { id: devRelease.body.id, version: 1 } },
      targets: [{ app: { name: stg }, status: 'pending', error_message: null, release: { version: 1 } }],
      status: 'pending',
      safe: true,
    });
    const stagingRelease = await settledRelease(stg, toStaging.body.targets[0].release.id);
    expect((await slipway.call('GET', `/pipeline-promotions/${toStaging.body.id}`)).body).toMatchObject({
      targets: [{ status: 'succeeded', error_message: null }],
      status: 'succeeded',
    });
    expect(stagingRelease).toMatchObject({
      id: toStaging.body.targets[0].release.id,
      slug: { id: apps.dev?.build },
      trigger: 'promotion',
      description: `Promotion of ${dev} v1`,
    });

    await postStatus(stg, stagingRelease?.id, 'ci/unit', 'success');
    await postStatus(stg, stagingRelease?.id, 'qa/e2e', 'pending');
    const early = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { name: pipeline.name }, source: { app: { id: stg }, release: { id: stagingRelease?.id } }, targets: [{ app: { name: apps.eu?.name } }, { app: { name: apps.us?.name } }] },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('unsafe_promotion');

    await slipway.call('PATCH', `/apps/${stg}/releases/${stagingRelease?.id}/statuses/qa%2Fe2e`, { body: { state: 'success' } });
    const toProduction = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { name: pipeline.name }, source: { app: { id: stg }, release: { id: stagingRelease?.id } }, targets: [{ app: { name: apps.eu?.name } }, { app: { name: apps.us?.name } }] },
    });
    expect(toProduction.status).toBe(201);
    for (const target of toProduction.body.targets) await settledRelease(target.app.name, target.release.id);
    for (const target of ['eu', 'us']) {
      const releases = await releasesOf(apps[target]?.name as string);
      expect(releases).toHaveLength(1);
      expect(releases[0]).toMatchObject({ slug: { id: apps.dev?.build }, trigger: 'promotion', description: `Promotion of ${stg} v1` });
    }
    const fetched = await slipway.call('GET', `/pipeline-promotions/${toProduction.body.id}`);
    expect(fetched.body).toMatchObject({ id: toProduction.body.id, status: 'succeeded' });
    expect(fetched.body.targets.map((target: { status: string }) => target.status)).toEqual(['succeeded', 'succeeded']);
    expect((await slipway.call('GET', '/pipeline-promotions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses an unsafe promotion with every missing and failing context per target and releases nothing', async () => {
    const { pipeline, apps } = await pipelineWith(
      { development: ['dev'], staging: ['a', 'b'] },
      { a: ['ci/unit', 'ci/lint'], b: ['qa/e2e'] },
    );
    const dev = apps.dev?.name as string;
    const release = { body: await releaseSettled(dev, apps.dev?.build) };
    await postStatus(dev, release.body.id, 'ci/unit', 'failure');
    await postStatus(dev, release.body.id, 'qa/e2e', 'success');
    const body = {
      pipeline: { id: pipeline.name },
      source: { app: { name: dev }, release: { id: release.body.id } },
      targets: [{ app: { name: apps.a?.name } }, { app: { name: apps.b?.name } }],
    };
    const unsafe = await slipway.call('POST', '/pipeline-promotions', { body });
    expect(unsafe.status).toBe(409);
    expect(unsafe.body.error.code).toBe('unsafe_promotion');
    expect(unsafe.body.error.details.targets).toEqual([
      { app: apps.a?.name, missing: ['ci/lint'], failing: [{ context: 'ci/unit', state: 'failure' }] },
    ]);
    expect(await releasesOf(apps.a?.name as string)).toEqual([]);
    expect(await releasesOf(apps.b?.name as string)).toEqual([]);

    const forced = await slipway.call('POST', '/pipeline-promotions', { body: { ...body, safe: false } });
    expect(forced.status).toBe(201);
    expect(forced.body.safe).toBe(false);
    expect(await releasesOf(apps.a?.name as string)).toHaveLength(1);
  });

  it('refuses targets that are not at the next populated stage, and other bad requests, writing nothing', async () => {
    const { pipeline, apps } = await pipelineWith({ review: ['rev'], staging: ['stg'], production: ['prod'] });
    const loose = unique('loose');
    await seedApp(slipway, loose, 0);
    const rev = apps.rev?.name as string;
    // Its only release fails, so it has no current release to promote either.
    slipway.rollouts?.ecs.setServiceHealth('local', `${rev}-svc`, false);
    const release = { body: await releaseSettled(rev, apps.rev?.build) };
    const promote = (override: Record<string, unknown>) =>
      slipway.call('POST', '/pipeline-promotions', {
        body: {
          pipeline: { name: pipeline.name },
          source: { app: { name: rev }, release: { id: release.body.id } },
          targets: [{ app: { name: apps.stg?.name } }],
          ...override,
        },
      });

    const skipping = await promote({ targets: [{ app: { name: apps.stg?.name } }, { app: { name: apps.prod?.name } }] });
    expect(skipping.status).toBe(422);
    expect(skipping.body.error).toMatchObject({
      code: 'invalid_promotion_target',
      details: { expected_stage: 'staging', targets: [{ app: apps.prod?.name, stage: 'production' }] },
    });
    const uncoupled = await promote({ targets: [{ app: { name: loose } }] });
    expect(uncoupled.body.error).toMatchObject({ code: 'invalid_promotion_target', details: { targets: [{ app: loose, stage: null }] } });

    const cases: [Record<string, unknown>, number, string][] = [
      [{ targets: [{ app: { name: apps.stg?.name } }, { app: { id: apps.stg?.name } }] }, 422, 'duplicate_promotion_target'],
      [{ source: { app: { name: loose } } }, 422, 'source_not_in_pipeline'],
      [{ source: { app: { name: apps.prod?.name } }, targets: [{ app: { name: rev } }] }, 422, 'invalid_promotion_target'],
      [{ source: { app: { name: rev } } }, 409, 'no_current_release'],
      [{ source: { app: { name: rev }, release: { id: '00000000-0000-4000-8000-000000000000' } } }, 404, 'release_not_found'],
      [{ pipeline: { name: 'no-such-pipeline' } }, 404, 'pipeline_not_found'],
      [{ targets: [{ app: { name: 'no-such-app' } }] }, 404, 'app_not_found'],
      [{ targets: [] }, 422, 'validation_failed'],
      [{ pipeline: { id: pipeline.id, name: 'another-line' } }, 422, 'reference_mismatch'],
      [{ safe: 'yes' }, 422, 'validation_failed'],
      [{ source: { app: { name: rev }, release: { id: 'v1' } } }, 422, 'validation_failed'],
    ];
    for (const [override, status, code] of cases) {
      const response = await promote(override);
      expect([response.status, response.body.error.code]).toEqual([status, code]);
    }
    for (const app of [apps.stg?.name, apps.prod?.name, loose]) expect(await releasesOf(app as string)).toEqual([]);
  });

  it('lets a pipeline key promote within its apps only, and never a developer key', async () => {
    const { pipeline, apps } = await pipelineWith({ development: ['dev'], staging: ['stg'] });
    const dev = apps.dev?.name as string;
    const release = { body: await releaseSettled(dev, apps.dev?.build) };
    const body = {
      pipeline: { name: pipeline.name },
      source: { app: { name: dev }, release: { id: release.body.id } },
      targets: [{ app: { name: apps.stg?.name } }],
    };
    const developer = await slipway.keyFor('developer');
    expect((await slipway.call('POST', '/pipeline-promotions', { body, key: developer })).status).toBe(403);
    const narrow = await slipway.keyFor('pipeline', [dev]);
    const outOfScope = await slipway.call('POST', '/pipeline-promotions', { body, key: narrow });
    expect(outOfScope.status).toBe(404);
    expect(outOfScope.body.error.code).toBe('app_not_found');
    expect(await releasesOf(apps.stg?.name as string)).toEqual([]);
    const pipelineKey = await slipway.keyFor('pipeline', [dev, apps.stg?.name as string]);
    expect((await slipway.call('POST', '/pipeline-promotions', { body, key: pipelineKey })).status).toBe(201);
  });

  it('makes a retried promotion with the same Idempotency-Key answer 303, releasing each target once', async () => {
    const { pipeline, apps } = await pipelineWith({ development: ['idem-dev'], staging: ['idem-stg'] });
    const dev = apps['idem-dev']?.name as string;
    const stg = apps['idem-stg']?.name as string;
    const source = { body: await releaseSettled(dev, apps['idem-dev']?.build) };
    const body = { pipeline: { id: pipeline.id }, source: { app: { name: dev }, release: { id: source.body.id } }, targets: [{ app: { name: stg } }] };
    const headers = { 'idempotency-key': `promote-${source.body.id}` };

    const first = await slipway.call('POST', '/pipeline-promotions', { body, headers });
    const retried = await slipway.call('POST', '/pipeline-promotions', { body, headers });
    expect([first.status, retried.status]).toEqual([201, 303]);
    expect(retried.headers.get('location')).toBe(`/pipeline-promotions/${first.body.id}`);
    expect(retried.body.id).toBe(first.body.id);
    expect(await releasesOf(stg)).toHaveLength(1);

    const otherBody = await slipway.call('POST', '/pipeline-promotions', { body: { ...body, safe: false }, headers });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error.code).toBe('idempotency_key_mismatch');
    expect(await releasesOf(stg)).toHaveLength(1);
  });

  it('refuses to promote a release that has not succeeded (409) and releases nothing', async () => {
    const { pipeline, apps } = await pipelineWith({ development: ['dev'], staging: ['stg'] });
    const dev = apps.dev?.name as string;
    const stg = apps.stg?.name as string;
    const ecs = slipway.rollouts?.ecs;
    ecs?.setServiceHealth('local', `${dev}-svc`, false);
    const failed = await releaseSettled(dev, apps.dev?.build);
    ecs?.setServiceHealth('local', `${dev}-svc`, true);
    const queued = await slipway.call('POST', `/apps/${dev}/releases`, { body: { slug: apps.dev?.build } });
    for (const release of [failed, queued.body]) {
      const refused = await slipway.call('POST', '/pipeline-promotions', {
        body: { pipeline: { id: pipeline.id }, source: { app: { name: dev }, release: { id: release.id } }, targets: [{ app: { name: stg } }] },
      });
      expect([refused.status, refused.body.error.code]).toEqual([409, 'source_release_not_succeeded']);
      expect(refused.body.error.details).toMatchObject({ release_version: release.version });
    }
    expect(failed.status).toBe('failed');
    expect(await releasesOf(stg)).toEqual([]);
  });

  it('reports a target whose rollout fails as failed, with the reason, and the promotion as partially failed', async () => {
    const { pipeline, apps } = await pipelineWith({ development: ['dev'], production: ['eu', 'us'] });
    const dev = apps.dev?.name as string;
    const source = await releaseSettled(dev, apps.dev?.build);
    slipway.rollouts?.ecs.setServiceHealth('local', `${apps.us?.name}-svc`, false);
    const promoted = await slipway.call('POST', '/pipeline-promotions', {
      body: { pipeline: { id: pipeline.id }, source: { app: { name: dev }, release: { id: source.id } }, targets: [{ app: { name: apps.eu?.name } }, { app: { name: apps.us?.name } }] },
    });
    expect(promoted.status).toBe(201);
    for (const target of promoted.body.targets) await settledRelease(target.app.name, target.release.id);

    const fetched = (await slipway.call('GET', `/pipeline-promotions/${promoted.body.id}`)).body;
    expect(fetched.status).toBe('partially_failed');
    expect(fetched.targets[0]).toMatchObject({ app: { name: apps.eu?.name }, status: 'succeeded', error_message: null });
    expect(fetched.targets[1]).toMatchObject({ app: { name: apps.us?.name }, status: 'failed' });
    expect(fetched.targets[1].error_message).toMatch(/^Release v1 failed/);
  });

  it('has the reconciler carry a promotion cut short by a crash to its end, releasing no target twice', async () => {
    const unscopedAdmin: Principal = { keyId: 'test', role: 'admin', apps: null, email: 'admin@example.com' };
    const { pipeline, apps } = await pipelineWith({ development: ['dev'], staging: ['a', 'b'] });
    const source = await releaseSettled(apps.dev?.name as string, apps.dev?.build);
    const [devApp, appA, appB] = await Promise.all(['dev', 'a', 'b'].map((role) => requireApp(apps[role]?.name as string, unscopedAdmin)));
    // What a promotion request leaves when its process dies after releasing target a: an open record whose
    // lease belongs to a process that is gone, and a's release under the id derived for it.
    const id = randomUUID();
    const sourceRelease = await requireRelease(devApp as App, String(source.version));
    const releasedBeforeCrash = await recordRelease(appA as App, planPromotion(sourceRelease, id), { id: 'k', email: 'ci@example.com' }, targetReleaseIdOf(id, (appA as App).id));
    const at = new Date().toISOString();
    await insertPromotion({
      id,
      pipeline: { id: pipeline.id, name: pipeline.name },
      source: { app: { id: source.app.id, name: source.app.name }, release: { id: source.id, version: source.version } },
      targets: [appA, appB].map((app) => ({ app: { id: (app as App).id, name: (app as App).name }, release: null, error_message: null })),
      safe: true,
      user: { id: 'k', email: 'ci@example.com' },
      created_at: at,
      updated_at: at,
      lease: { holder: 'a-process-that-died', until: Date.now() + 60_000 },
    });
    expect((await slipway.call('GET', `/pipeline-promotions/${id}`)).body).toMatchObject({
      status: 'pending',
      targets: [{ release: null, status: 'pending' }, { release: null, status: 'pending' }],
    });

    await reconcile({}, lambdaContext('rollout-reconcile'));
    await reconcile({}, lambdaContext('rollout-reconcile'));
    const carried = (await slipway.call('GET', `/pipeline-promotions/${id}`)).body;
    expect(carried.targets[0].release.id).toBe(releasedBeforeCrash.id);
    for (const target of carried.targets) await settledRelease(target.app.name, target.release.id);
    expect((await slipway.call('GET', `/pipeline-promotions/${id}`)).body).toMatchObject({
      status: 'succeeded',
      targets: [{ status: 'succeeded' }, { status: 'succeeded' }],
    });
    for (const app of [appA, appB]) expect(await releasesOf((app as App).name)).toHaveLength(1);
  });
});
