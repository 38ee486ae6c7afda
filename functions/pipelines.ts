import { CreateCouplingRequest, CreatePipelineRequest, CreatePromotionRequest } from '../shared/api/pipelines';
import { MetricsQuery, metricsWindowOf } from '../shared/api/metrics';
import { presentCoupling, presentMetrics, presentPipeline, presentPromotion } from '../shared/api/presenters';
import { PROMETHEUS_CONTENT_TYPE, pipelineExposition } from '../shared/api/prometheus';
import { actorOf, authorize, mayAccessApp, onlyAccessibleApps } from '../shared/domain/access';
import { notFound } from '../shared/domain/errors';
import { stageSuccessors } from '../shared/domain/pipeline';
import { httpFunction } from '../shared/http/http-function';
import { authenticatePipelinesCaller, type PipelinesCaller } from '../shared/operations/pipeline-authentication';
import { parseInput } from '../shared/http/request';
import { createOnce } from '../shared/http/create-once';
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
import { pipelineDeliveryMetrics } from '../shared/operations/metrics';
import { promote, resumePromotion } from '../shared/operations/promotions';
import { relayNotedEventsInBackground } from '../shared/events/relay';

export const handler = httpFunction<'pipelines', PipelinesCaller>({
  'POST /pipelines': async ({ body, principal }) => {
    authorize(principal, 'pipelines:manage');
    const pipeline = await createPipeline(parseInput(CreatePipelineRequest(), body, 'body'));
    return { status: 201, body: presentPipeline(pipeline), headers: { location: `/pipelines/${pipeline.id}` } };
  },
  'GET /pipelines': async ({ principal }) => {
    authorize(principal, 'read');
    return { status: 200, body: (await getPipelines()).map(presentPipeline) };
  },
  'GET /pipelines/{pipeline}': async ({ principal, pathPipeline }) => {
    authorize(principal, 'read');
    return { status: 200, body: presentPipeline(await pathPipeline()) };
  },
  'GET /pipelines/{pipeline}/metrics': async ({ query, principal, pathPipeline }) => {
    authorize(principal, 'read');
    const pipeline = await pathPipeline();
    const { format, ...asked } = parseInput(MetricsQuery(), query, 'query');
    const { window, stepSeconds } = metricsWindowOf(asked);
    const report = await pipelineDeliveryMetrics(pipeline, principal, window, stepSeconds);
    if (format === 'json') return { status: 200, body: presentMetrics(report, pipeline) };
    return { status: 200, text: pipelineExposition(report, pipeline.name), headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } };
  },
  'GET /pipelines/{pipeline}/pipeline-couplings': async ({ principal, pathPipeline }) => {
    authorize(principal, 'read');
    const pipeline = await pathPipeline();
    return { status: 200, body: onlyAccessibleApps(principal, await getPipelineCouplings(pipeline)).map(presentCoupling) };
  },
  'POST /pipeline-couplings': async ({ body, principal }) => {
    authorize(principal, 'pipelines:manage');
    const request = parseInput(CreateCouplingRequest(), body, 'body');
    const [pipeline, app] = await Promise.all([requirePipeline(request.pipeline), requireApp(request.app, principal)]);
    const coupling = await coupleApp(pipeline, app, request, actorOf(principal));
    return { status: 201, body: presentCoupling(coupling), headers: { location: `/apps/${app.name}/pipeline-couplings` } };
  },
  'DELETE /pipeline-couplings/{coupling}': async ({ params, principal }) => {
    authorize(principal, 'pipelines:manage');
    const coupling = await requireCoupling(params.coupling ?? '');
    await uncoupleApp(coupling, actorOf(principal));
    return { status: 200, body: presentCoupling(coupling) };
  },
  'GET /apps/{app}/pipeline-couplings': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: presentCoupling(await requireAppCoupling(app)) };
  },
  'POST /pipeline-promotions': async (http) => {
    const { body, principal, context } = http;
    const request = parseInput(CreatePromotionRequest(), body, 'body');
    await assertNamedPairsAgree(request.named_pairs, principal);
    // Pipeline tooling retries; a retried promotion must not release every target a second time.
    const { status, value: promotion } = await createOnce(http, {
      operation: 'POST /pipeline-promotions',
      resource: request.pipeline,
      request,
      run: (id) => promote(request, principal, { id, leaseMs: context.getRemainingTimeInMillis() }),
      resume: (id) => resumePromotion(id, context.getRemainingTimeInMillis()),
    });
    return {
      status,
      body: presentPromotion(promotion),
      headers: { location: `/pipeline-promotions/${promotion.id}` },
    };
  },
  'GET /pipeline-promotions/{promotion}': async ({ principal, pathPromotion }) => {
    authorize(principal, 'read');
    const promotion = await pathPromotion();
    // Seen through its source app; targets in apps the key does not cover are left out.
    if (!mayAccessApp(principal, promotion.source.app.name)) throw notFound('pipeline_promotion', promotion.id);
    return { status: 200, body: presentPromotion({ ...promotion, targets: onlyAccessibleApps(principal, promotion.targets) }) };
  },
  'GET /pipeline-stages': async ({ principal }) => {
    authorize(principal, 'read');
    return { status: 200, body: stageSuccessors() };
  },
}, authenticatePipelinesCaller, { afterRequest: relayNotedEventsInBackground });
