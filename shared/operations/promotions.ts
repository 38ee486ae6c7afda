import { randomUUID } from 'node:crypto';
import type { CreatePromotionRequest } from '../api/pipelines';
import { actorOf, authorize, type Principal } from '../domain/access';
import { conflict, notFound } from '../domain/errors';
import type { App, Release } from '../domain/model';
import {
  assertPromotionTargets,
  assertSafePromotion,
  assertSourceInPipeline,
  planPromotion,
  promotionStatusOf,
  settleTargets,
  type Promotion,
} from '../domain/promotion';
import { findPromotion, insertPromotion, saveSettledPromotion } from '../store/promotions-store';
import { requireApp } from './apps';
import { findAppCoupling, getPipelineCouplings, requirePipeline } from './pipelines';
import { recordRelease, requireRelease, requireReleaseById } from './releases';

const appRef = (app: App) => ({ id: app.id, name: app.name });

/** The named release, else the app's current one; promoting "nothing yet deployed" is refused. */
const sourceReleaseOf = async (app: App, releaseId: string | undefined): Promise<Release> => {
  if (releaseId !== undefined) return requireReleaseById(app, releaseId);
  if (app.current_release_version === null) {
    throw conflict('no_current_release', `App ${app.name} has no current (succeeded) release to promote; name a release instead.`, {
      app: app.name,
    });
  }
  return requireRelease(app, String(app.current_release_version));
};

/**
 * `POST /pipeline-promotions`. Everything is checked before anything is written (who may do it, where the
 * apps sit, which release, whether it is safe), so a refused promotion leaves no trace. Each target then
 * gets a normal release through `recordRelease`; one target failing does not undo the others, and the
 * record says which target got which release and why any did not.
 */
export const promote = async (request: CreatePromotionRequest, principal: Principal): Promise<Promotion> => {
  authorize(principal, 'promotions:create');
  const pipeline = await requirePipeline(request.pipeline);
  const sourceApp = await requireApp(request.source.app, principal);
  authorize(principal, 'read', sourceApp.name);
  const targetApps = await Promise.all(request.targets.map((target) => requireApp(target.app, principal)));
  for (const app of targetApps) authorize(principal, 'promotions:create', app.name);

  const sourceCoupling = assertSourceInPipeline(pipeline, appRef(sourceApp), await findAppCoupling(sourceApp));
  const [pipelineCouplings, targetCouplings] = await Promise.all([
    getPipelineCouplings(pipeline),
    Promise.all(targetApps.map(findAppCoupling)),
  ]);
  const targets = assertPromotionTargets(
    sourceCoupling,
    pipelineCouplings,
    targetApps.map((app, index) => ({ app: appRef(app), coupling: targetCouplings[index] })),
  );
  const sourceRelease = await sourceReleaseOf(sourceApp, request.source.release?.id);
  if (request.safe) assertSafePromotion(targets, sourceRelease);

  const at = new Date().toISOString();
  const pending: Promotion = {
    id: randomUUID(),
    pipeline: { id: pipeline.id, name: pipeline.name },
    source: { app: appRef(sourceApp), release: { id: sourceRelease.id, version: sourceRelease.version } },
    targets: targetApps.map((app) => ({ app: appRef(app), release: null, status: 'pending', error_message: null })),
    status: 'pending',
    safe: request.safe,
    user: actorOf(principal),
    created_at: at,
    updated_at: at,
  };
  await insertPromotion(pending);

  const plan = planPromotion(sourceRelease);
  const outcomes = await Promise.allSettled(targetApps.map((app) => recordRelease(app, plan, pending.user)));
  const settledTargets = settleTargets(pending.targets, outcomes);
  const settled: Promotion = {
    ...pending,
    targets: settledTargets,
    status: promotionStatusOf(settledTargets),
    updated_at: new Date().toISOString(),
  };
  await saveSettledPromotion(settled);
  return settled;
};

export const requirePromotion = async (id: string): Promise<Promotion> => {
  const promotion = await findPromotion(id);
  if (!promotion) throw notFound('pipeline_promotion', id);
  return promotion;
};
