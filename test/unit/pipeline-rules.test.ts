import { describe, expect, it } from 'vitest';
import type { StatusCheck } from '../../shared/domain/model';
import { directReleaseRefusal, nextStageOf, upstreamStageOf, type PipelineCoupling, type Stage } from '../../shared/domain/pipeline';
import {
  assertPromotionTargets,
  assertSafePromotion,
  assertSourceInPipeline,
  planPromotion,
  promotionStatusOf,
  settleTargets,
  unsafeTargetOf,
} from '../../shared/domain/promotion';
import { releaseFixture } from '../support/fixtures';

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

const check = (context: string, state: StatusCheck['state']): StatusCheck => ({
  id: context,
  context,
  name: context,
  state,
  description: null,
  target_url: null,
  image_url: null,
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

  it('plans each target release with the source image and slug', () => {
    expect(planPromotion(releaseFixture({ version: 7, slug: { id: 'b7' }, image: 'img@sha256:1' }))).toEqual({
      slugId: 'b7',
      image: 'img@sha256:1',
      description: 'Promotion of web v7',
      trigger: 'promotion',
    });
  });

  it('records per target the release it got or why it got none', () => {
    const pending = (name: string) => ({ app: { id: name, name }, release: null, status: 'pending' as const, error_message: null });
    const settled = settleTargets(
      [pending('a'), pending('b')],
      [
        { status: 'fulfilled', value: { id: 'r9', version: 9 } },
        { status: 'rejected', reason: new Error('Too many concurrent releases to b; retry shortly.') },
      ],
    );
    expect(settled).toEqual([
      { app: { id: 'a', name: 'a' }, release: { id: 'r9', version: 9 }, status: 'succeeded', error_message: null },
      { app: { id: 'b', name: 'b' }, release: null, status: 'failed', error_message: 'Too many concurrent releases to b; retry shortly.' },
    ]);
    expect(promotionStatusOf(settled)).toBe('failed');
  });

  it('settles a promotion from its targets', () => {
    expect(promotionStatusOf([{ status: 'succeeded' }, { status: 'pending' }])).toBe('pending');
    expect(promotionStatusOf([{ status: 'succeeded' }, { status: 'failed' }])).toBe('failed');
    expect(promotionStatusOf([{ status: 'succeeded' }, { status: 'succeeded' }])).toBe('completed');
  });
});
