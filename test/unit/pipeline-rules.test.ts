import { describe, expect, it } from 'vitest';
import type { ReleaseStatus } from '../../shared/domain/model';
import { directReleaseRefusal, nextStageOf, upstreamStageOf, type PipelineCoupling, type Stage } from '../../shared/domain/pipeline';
import {
  assertPromotionTargets,
  assertSafePromotion,
  assertSourceInPipeline,
  planPromotion,
  assertPromotableSource,
  promotionStatusOf,
  targetReleaseIdOf,
  unsafeTargetOf,
  viewPromotion,
  type PromotionRecord,
} from '../../shared/domain/promotion';
import { releaseFixture, statusCheckFixture as check } from '../../shared/fixtures/model';

const PIPELINE = { id: 'p1', name: 'shop' };

const coupling = (app: string, stage: Stage, contexts: string[] = [], pipeline = PIPELINE): PipelineCoupling => ({
  id: `c-${app}`,
  pipeline,
  app: { id: app, name: app },
  stage,
  required_status_checks: { contexts },
  created_at: '2026-11-24T00:00:00.000Z',
  updated_at: '2026-11-24T00:00:00.000Z',
});

/** Asserts the rule refuses with these properties of its DomainError. */
const refused = (properties: Record<string, unknown>) => expect.objectContaining(properties);

describe('stages', () => {
  const couplings = [coupling('rev', 'review'), coupling('stg', 'staging'), coupling('prod', 'production')];

  it('finds the nearest populated stage upstream, skipping empty ones', () => {
    expect(upstreamStageOf('review', couplings)).toBeNull();
    expect(upstreamStageOf('development', couplings)).toBe('review');
    expect(upstreamStageOf('staging', couplings)).toBe('review');
    expect(upstreamStageOf('production', couplings)).toBe('staging');
  });

  it('finds the next populated stage downstream, if any', () => {
    expect(nextStageOf('review', couplings)).toBe('staging');
    expect(nextStageOf('staging', couplings)).toBe('production');
    expect(nextStageOf('production', couplings)).toBeNull();
  });
});

describe('the 422 rule', () => {
  it('lets uncoupled apps and apps at the first populated stage release directly', () => {
    const couplings = [coupling('stg', 'staging'), coupling('prod', 'production')];
    expect(directReleaseRefusal(undefined, couplings)).toBeNull();
    expect(directReleaseRefusal(couplings[0], couplings)).toBeNull();
  });

  it('refuses downstream apps, naming the pipeline, stage and upstream stage', () => {
    const couplings = [coupling('dev', 'development'), coupling('prod', 'production')];
    const refusal = directReleaseRefusal(couplings[1], couplings);
    expect(refusal).toMatchObject({
      kind: 'unprocessable',
      code: 'downstream_pipeline_app',
      details: { app: 'prod', pipeline: PIPELINE, stage: 'production', upstream_stage: 'development' },
    });
    expect(refusal?.message).toMatch(/shop.*production|production.*shop/);
  });
});

describe('promotion targets', () => {
  const dev = coupling('dev', 'development');
  const stgA = coupling('stg-a', 'staging');
  const stgB = coupling('stg-b', 'staging');
  const prod = coupling('prod', 'production');
  const couplings = [dev, stgA, stgB, prod];
  const candidate = (c: PipelineCoupling) => ({ app: c.app, coupling: c });

  it('accepts every app at the next populated stage', () => {
    expect(assertPromotionTargets(dev, couplings, [candidate(stgA), candidate(stgB)])).toEqual([stgA, stgB]);
  });

  it('reports every target at another stage, in another pipeline or in none', () => {
    const elsewhere = coupling('else', 'staging', [], { id: 'p2', name: 'other' });
    expect(() =>
      assertPromotionTargets(dev, couplings, [
        candidate(stgA),
        candidate(prod),
        candidate(elsewhere),
        { app: { id: 'loose', name: 'loose' }, coupling: undefined },
      ]),
    ).toThrow(
      refused({
        kind: 'unprocessable',
        code: 'invalid_promotion_target',
        details: expect.objectContaining({
          expected_stage: 'staging',
          targets: [
            { app: 'prod', stage: 'production', pipeline: PIPELINE },
            { app: 'else', stage: null, pipeline: { id: 'p2', name: 'other' } },
            { app: 'loose', stage: null, pipeline: null },
          ],
        }),
      }),
    );
  });

  it('refuses promoting from the last populated stage and naming a target twice', () => {
    expect(() => assertPromotionTargets(prod, couplings, [candidate(dev)])).toThrow(refused({ code: 'invalid_promotion_target' }));
    expect(() => assertPromotionTargets(dev, couplings, [candidate(stgA), candidate(stgA)])).toThrow(
      refused({ code: 'duplicate_promotion_target' }),
    );
  });

  it('requires the source to be coupled to the named pipeline', () => {
    expect(assertSourceInPipeline(PIPELINE, dev.app, dev)).toBe(dev);
    expect(() => assertSourceInPipeline(PIPELINE, dev.app, undefined)).toThrow(refused({ code: 'source_not_in_pipeline' }));
    const other = coupling('dev', 'development', [], { id: 'p2', name: 'other' });
    expect(() => assertSourceInPipeline(PIPELINE, dev.app, other)).toThrow(refused({ code: 'source_not_in_pipeline' }));
  });
});

describe('safe promotions', () => {
  const release = releaseFixture({
    version: 4,
    checks: { 'ci/unit': check('ci/unit', 'success'), 'ci/lint': check('ci/lint', 'pending'), 'qa/e2e': check('qa/e2e', 'error') },
  });

  it('lists the missing and the not-successful required contexts of a target', () => {
    expect(unsafeTargetOf(coupling('a', 'staging', ['ci/unit']), release)).toBeNull();
    expect(unsafeTargetOf(coupling('a', 'staging', []), release)).toBeNull();
    expect(unsafeTargetOf(coupling('a', 'staging', ['ci/unit', 'ci/lint', 'qa/e2e', 'sec/scan']), release)).toEqual({
      app: 'a',
      missing: ['sec/scan'],
      failing: [
        { context: 'ci/lint', state: 'pending' },
        { context: 'qa/e2e', state: 'error' },
      ],
    });
  });

  it("counts a required context named like an Object.prototype member as missing until it is posted", () => {
    expect(unsafeTargetOf(coupling('a', 'staging', ['constructor', 'toString']), release)).toEqual({ app: 'a', missing: ['constructor', 'toString'], failing: [] });
    const posted = releaseFixture({ checks: { constructor: check('constructor', 'success') } });
    expect(unsafeTargetOf(coupling('a', 'staging', ['constructor']), posted)).toBeNull();
  });

  it('refuses the whole promotion with 409 when any target is not ready', () => {
    expect(() => assertSafePromotion([coupling('a', 'staging', ['ci/unit'])], release)).not.toThrow();
    expect(() =>
      assertSafePromotion([coupling('a', 'staging', ['ci/unit']), coupling('b', 'staging', ['sec/scan'])], release),
    ).toThrow(
      refused({
        kind: 'conflict',
        code: 'unsafe_promotion',
        details: { release_version: 4, targets: [{ app: 'b', missing: ['sec/scan'], failing: [] }] },
      }),
    );
  });

  it('plans each target release with the source image and slug, its notes and metadata, and the promotion it belongs to', () => {
    const source = releaseFixture({ version: 7, slug: { id: 'b7' }, image: 'img@sha256:1', notes: '<p>v7</p>', metadata: { ticket: 'OPS-7' } });
    expect(planPromotion(source, 'p-1')).toEqual({
      slugId: 'b7',
      image: 'img@sha256:1',
      description: 'Promotion of web v7',
      trigger: 'promotion',
      promotionId: 'p-1',
      notes: '<p>v7</p>',
      metadata: { ticket: 'OPS-7' },
    });
  });

  it('follows each target release to the end of its rollout, and sums the targets up', () => {
    const record: PromotionRecord = {
      id: '6a0d3f5e-8b1c-4c57-9d2e-1f0a2b3c4d5e',
      pipeline: PIPELINE,
      source: { app: { id: 'dev', name: 'dev' }, release: { id: 'r1', version: 1 } },
      targets: ['a', 'b', 'c'].map((name, index) => ({ app: { id: name, name }, release: { id: `r-${name}`, version: index + 1 }, error_message: null })),
      safe: true,
      user: { id: 'u', email: 'u@example.com' },
      created_at: '2026-11-30T00:00:00.000Z',
      updated_at: '2026-11-30T00:00:00.000Z',
      lease: null,
    };
    const release = (status: ReleaseStatus, message: string | null = null) => ({
      status,
      version: 1,
      rollout: { desired: 3, running_new: 0, failed_tasks: 3, message },
    });

    const rolling = viewPromotion(record, [release('succeeded'), release('pending'), release('queued')], 'eu-1');
    expect(rolling.targets.map((target) => target.status)).toEqual(['succeeded', 'pending', 'pending']);
    expect(rolling.status).toBe('pending');
    expect(rolling).not.toHaveProperty('lease');
    expect(rolling.source.cluster).toBe('eu-1');

    const ended = viewPromotion(record, [release('succeeded'), release('failed', 'circuit breaker tripped'), release('unknown')], 'eu-1');
    expect(ended.targets.map((target) => [target.status, target.error_message])).toEqual([
      ['succeeded', null],
      ['failed', 'Release v1 failed: circuit breaker tripped'],
      ['failed', 'Release v1 ended with its outcome unknown'],
    ]);
    expect(ended.status).toBe('partially_failed');
  });

  it('reports a target that could not be released as failed, and one not yet dispatched as pending', () => {
    const target = (error_message: string | null) => ({ app: { id: 'a', name: 'a' }, release: null, error_message });
    expect(promotionStatusOf([{ status: 'succeeded' }, { status: 'pending' }])).toBe('pending');
    expect(promotionStatusOf([{ status: 'succeeded' }, { status: 'succeeded' }])).toBe('succeeded');
    expect(promotionStatusOf([{ status: 'failed' }, { status: 'failed' }])).toBe('failed');
    const view = (error: string | null) =>
      viewPromotion(
        {
          id: 'p',
          pipeline: PIPELINE,
          source: { app: { id: 'dev', name: 'dev' }, release: { id: 'r1', version: 1 } },
          targets: [target(error)],
          safe: true,
          user: { id: 'u', email: 'u@example.com' },
          created_at: '',
          updated_at: '',
          lease: null,
        },
        [undefined],
        'eu-1',
      );
    expect(view('Too many concurrent releases to a; retry shortly.')).toMatchObject({ status: 'failed', targets: [{ status: 'failed' }] });
    expect(view(null)).toMatchObject({ status: 'pending', targets: [{ status: 'pending', error_message: null }] });
  });

  it('refuses to promote a release that has not succeeded', () => {
    for (const status of ['queued', 'pending', 'failed', 'unknown'] as const) {
      expect(() => assertPromotableSource(releaseFixture({ status, version: 4 }))).toThrow(
        expect.objectContaining({ kind: 'conflict', code: 'source_release_not_succeeded' }),
      );
    }
    expect(() => assertPromotableSource(releaseFixture({ status: 'succeeded' }))).not.toThrow();
  });

  it('names each target release after the promotion and the app, the same every time', () => {
    const promotion = '6a0d3f5e-8b1c-4c57-9d2e-1f0a2b3c4d5e';
    const id = targetReleaseIdOf(promotion, 'app-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(targetReleaseIdOf(promotion, 'app-1')).toBe(id);
    expect(targetReleaseIdOf(promotion, 'app-2')).not.toBe(id);
    expect(targetReleaseIdOf('0b7e8f4c-1d2a-4e3b-8c5d-6e7f8a9b0c1d', 'app-1')).not.toBe(id);
  });
});
