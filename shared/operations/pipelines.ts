import { randomUUID } from 'node:crypto';
import type { Principal } from '../domain/access';
import { DomainError, notFound, unprocessable } from '../domain/errors';
import type { Actor, App } from '../domain/model';
import { directReleaseRefusal, type Pipeline, type PipelineCoupling } from '../domain/pipeline';
import { isId } from '../domain/ids';
import type { NamedPair, NewCoupling, NewPipeline } from '../domain/requests';
import {
  findCouplingById,
  findCouplingOfApp,
  findPipelineById,
  findPipelineByName,
  insertCoupling,
  insertPipeline,
  listCouplingsOfPipeline,
  listPipelines,
  recordUncoupling,
} from '../store/pipelines-store';
import type { Found } from './api-keys';
import { requireApp } from './apps';


export const createPipeline = async (request: NewPipeline): Promise<Pipeline> => {
  const at = new Date().toISOString();
  const pipeline: Pipeline = {
    id: randomUUID(),
    name: request.name,
    description: request.description ?? null,
    created_at: at,
    updated_at: at,
  };
  await insertPipeline(pipeline);
  return pipeline;
};

/**
 * Refuses `{id, name}` pairs whose UUID and name belong to different pipelines or apps (a name in `id` was
 * already compared with `name` by the schema); an unknown id is a 404 as everywhere else.
 */
export const assertNamedPairsAgree = async (pairs: readonly NamedPair[], principal: Principal): Promise<void> => {
  const checked = await Promise.all(
    pairs
      .filter((pair) => isId(pair.id))
      .map(async (pair) => ({ ...pair, stored: (pair.kind === 'app' ? await requireApp(pair.id, principal) : await requirePipeline(pair.id)).name })),
  );
  const mismatch = checked.find((pair) => pair.stored !== pair.name);
  if (mismatch) {
    throw unprocessable('reference_mismatch', `The ${mismatch.kind} ${mismatch.id} is named ${mismatch.stored}, not ${mismatch.name}.`, {
      kind: mismatch.kind,
      id: mismatch.id,
      name: mismatch.name,
    });
  }
};

/** Pipelines, like apps, are addressed by id or name; `read` is the pipeline as read with the caller's key, by that name. */
export const requirePipeline = async (reference: string, read?: Found<Pipeline>): Promise<Pipeline> => {
  const pipeline = read ? read.found : isId(reference) ? await findPipelineById(reference) : await findPipelineByName(reference);
  if (!pipeline) throw notFound('pipeline', reference);
  return pipeline;
};

export const getPipelines = (): Promise<Pipeline[]> => listPipelines();

export const coupleApp = async (pipeline: Pipeline, app: App, request: NewCoupling, actor: Actor): Promise<PipelineCoupling> => {
  const at = new Date().toISOString();
  const coupling: PipelineCoupling = {
    id: randomUUID(),
    pipeline: { id: pipeline.id, name: pipeline.name },
    app: { id: app.id, name: app.name },
    stage: request.stage,
    required_status_checks: { contexts: request.required_status_checks.contexts },
    created_at: at,
    updated_at: at,
  };
  await insertCoupling(coupling, actor);
  return coupling;
};

export const findAppCoupling = (app: Pick<App, 'id'>): Promise<PipelineCoupling | undefined> => findCouplingOfApp(app.id);

export const requireAppCoupling = async (app: App): Promise<PipelineCoupling> => {
  const coupling = await findCouplingOfApp(app.id);
  if (!coupling) {
    throw new DomainError('not_found', 'pipeline_coupling_not_found', `App ${app.name} is not coupled to any pipeline.`, {
      app: app.name,
    });
  }
  return coupling;
};

export const requireCoupling = async (id: string): Promise<PipelineCoupling> => {
  const coupling = isId(id) ? await findCouplingById(id) : undefined;
  if (!coupling) throw notFound('pipeline_coupling', id);
  return coupling;
};

export const getPipelineCouplings = (pipeline: Pick<Pipeline, 'id'>): Promise<PipelineCoupling[]> =>
  listCouplingsOfPipeline(pipeline.id);

export const uncoupleApp = async (coupling: PipelineCoupling, actor: Actor): Promise<void> => {
  if (!(await recordUncoupling(coupling, actor, new Date().toISOString()))) throw notFound('pipeline_coupling', coupling.id);
};

/** The 422 rule for direct releases (deploys, rollbacks, auto-releases); one GetItem for an uncoupled app. */
export const directReleaseRefusalFor = async (app: Pick<App, 'id'>): Promise<DomainError | null> => {
  const coupling = await findCouplingOfApp(app.id);
  if (!coupling) return null;
  return directReleaseRefusal(coupling, await listCouplingsOfPipeline(coupling.pipeline.id));
};
