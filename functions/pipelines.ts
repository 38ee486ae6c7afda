import { CreateCouplingRequest, CreatePipelineRequest, CreatePromotionRequest } from '../shared/api/pipelines';
import { presentCoupling, presentPipeline, presentPromotion } from '../shared/api/presenters';
import { authorize } from '../shared/domain/access';
import { stageSuccessors } from '../shared/domain/pipeline';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { idempotencyKeyOf, runOnce } from '../shared/idempotency/idempotency';
import { requireApp } from '../shared/operations/apps';
import {
  assertNamedPairsAgree,
  coupleApp,
  createPipeline,
  getPipelineCouplings,
  getPipelines,
  requireAppCoupling,
  requireCoupling,
  requirePipeline,
  uncoupleApp,
} from '../shared/operations/pipelines';
import { promote, requirePromotion } from '../shared/operations/promotions';

export const handler = httpFunction<'pipelines'>({
  'POST /pipelines': async ({ body, principal }) => {
    authorize(principal, 'pipelines:manage');
    const pipeline = await createPipeline(parseInput(CreatePipelineRequest, body, 'body'));
    return { status: 201, body: presentPipeline(pipeline), headers: { location: `/pipelines/${pipeline.id}` } };
  },
  'GET /pipelines': async ({ principal }) => {
    authorize(principal, 'read');
    return { status: 200, body: (await getPipelines()).map(presentPipeline) };
  },
  'GET /pipelines/{pipeline}': async ({ params, principal }) => {
    authorize(principal, 'read');
    return { status: 200, body: presentPipeline(await requirePipeline(params.pipeline ?? '')) };
  },
  'GET /pipelines/{pipeline}/pipeline-couplings': async ({ params, principal }) => {
    authorize(principal, 'read');
    const pipeline = await requirePipeline(params.pipeline ?? '');
    return { status: 200, body: (await getPipelineCouplings(pipeline)).map(presentCoupling) };
  },
  'POST /pipeline-couplings': async ({ body, principal }) => {
    authorize(principal, 'pipelines:manage');
    const request = parseInput(CreateCouplingRequest, body, 'body');
    const [pipeline, app] = await Promise.all([requirePipeline(request.pipeline), requireApp(request.app)]);
    authorize(principal, 'pipelines:manage', app.name);
    const coupling = await coupleApp(pipeline, app, request);
    return { status: 201, body: presentCoupling(coupling), headers: { location: `/apps/${app.name}/pipeline-couplings` } };
  },
  'DELETE /pipeline-couplings/{coupling}': async ({ params, principal }) => {
    authorize(principal, 'pipelines:manage');
    const coupling = await requireCoupling(params.coupling ?? '');
    authorize(principal, 'pipelines:manage', coupling.app.name);
    await uncoupleApp(coupling);
    return { status: 200, body: presentCoupling(coupling) };
  },
  'GET /apps/{app}/pipeline-couplings': async ({ params, principal }) => {
    const app = await requireApp(params.app ?? '');
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentCoupling(await requireAppCoupling(app)) };
  },
  'POST /pipeline-promotions': async ({ body, headers, principal, context }) => {
    const request = parseInput(CreatePromotionRequest, body, 'body');
    await assertNamedPairsAgree(request.named_pairs);
    // Pipeline tooling retries; a retried promotion must not release every target a second time.
    const outcome = await runOnce({
      key: idempotencyKeyOf(headers),
      scope: { caller: principal.keyId, operation: 'POST /pipeline-promotions', resource: request.pipeline },
      request,
      context,
      run: () => promote(request, principal),
    });
    const promotion = outcome.replayed ? await requirePromotion(outcome.id) : outcome.value;
    return {
      status: outcome.replayed ? 303 : 201,
      body: presentPromotion(promotion, await requireApp(promotion.source.app.id)),
      headers: { location: `/pipeline-promotions/${promotion.id}` },
    };
  },
  'GET /pipeline-promotions/{promotion}': async ({ params, principal }) => {
    authorize(principal, 'read');
    const promotion = await requirePromotion(params.promotion ?? '');
    authorize(principal, 'read', promotion.source.app.name);
    return { status: 200, body: presentPromotion(promotion, await requireApp(promotion.source.app.id)) };
  },
  'GET /pipeline-stages': async ({ principal }) => {
    authorize(principal, 'read');
    return { status: 200, body: stageSuccessors() };
  },
});
