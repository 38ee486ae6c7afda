import * as z from 'zod';
import type { CreateApiKeyRequest } from '../shared/api/api-keys';
import { ApiKeyResponse, CreatedApiKeyResponse, WhoamiResponse } from '../shared/api/api-key-responses';
import type { CreateAppRequest, UpdateAppRequest } from '../shared/api/apps';
import { AppDetailResponse, AppResponse } from '../shared/api/app-responses';
import type { CreateBuildRequest } from '../shared/api/builds';
import { BuildResponse } from '../shared/api/build-responses';
import type { CreateCouplingRequest, CreatePipelineRequest, CreatePromotionRequest } from '../shared/api/pipelines';
import { CouplingResponse, PipelineResponse, PromotionResponse } from '../shared/api/pipeline-responses';
import { MAX_PAGE_SIZE } from '../shared/domain/requests';
import type { CreateReleaseBody } from '../shared/api/releases';
import { ReleaseResponse } from '../shared/api/release-responses';
import { ReleasePhaseOutputResponse } from '../shared/api/release-phase-responses';
import type { ReleaseStatus } from '../shared/domain/model';
import type { ReleaseAction } from '../shared/domain/release-actions';
import type { CreateStatusRequest } from '../shared/api/statuses';
import { ReleaseStatusesResponse, StatusResponse } from '../shared/api/status-responses';
import type { UpdateConfigVarsRequest } from '../shared/api/config-vars';
import { ConfigVarsResponse } from '../shared/api/config-var-responses';
import { DeliveryResponse, HookResponse } from '../shared/api/hook-responses';
import type { HttpClient } from './http-client';

const segment = encodeURIComponent;

/** One method per API call the CLI makes, typed by the schemas the API itself serves. */
export class SlipwayApi {
  constructor(private readonly http: HttpClient) {}

  apps = () => this.http.request('GET', '/apps', z.array(AppResponse));
  app = (app: string) => this.http.request('GET', `/apps/${segment(app)}`, AppDetailResponse);
  createApp = (body: z.input<ReturnType<typeof CreateAppRequest>>) => this.http.request('POST', '/apps', AppResponse, { body });
  updateApp = (app: string, body: z.input<ReturnType<typeof UpdateAppRequest>>) => this.http.request('PATCH', `/apps/${segment(app)}`, AppResponse, { body });

  builds = (app: string, limit?: number) =>
    this.http.request('GET', `/apps/${segment(app)}/builds`, z.array(BuildResponse), { query: { limit } });
  /** A build by id whatever app registered it: a promoted release runs a build of the app upstream. */
  slug = (id: string) => this.http.request('GET', `/slugs/${segment(id)}`, BuildResponse);
  createBuild = (app: string, body: z.input<ReturnType<typeof CreateBuildRequest>>) =>
    this.http.request('POST', `/apps/${segment(app)}/builds`, BuildResponse, { body });

  /** The app's `count` newest releases (optionally of one status), newest first: pages of `order=desc`. */
  newestReleases = async (app: string, count: number, status?: ReleaseStatus) => {
    const releases: ReleaseResponse[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.http.page(`/apps/${segment(app)}/releases`, z.array(ReleaseResponse), {
        order: 'desc',
        limit: Math.min(count - releases.length, MAX_PAGE_SIZE),
        status,
        cursor,
      });
      releases.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && releases.length < count);
    return releases;
  };
  /** `release` is an id or a version number. */
  release = (app: string, release: string) =>
    this.http.request('GET', `/apps/${segment(app)}/releases/${segment(release)}`, ReleaseResponse);
  /** What the release's release phase printed so far (404 when it ran none, or logs nowhere Slipway can read). */
  releasePhaseOutput = (app: string, release: string) =>
    this.http.request('GET', `/apps/${segment(app)}/releases/${segment(release)}/release-phase/output`, ReleasePhaseOutputResponse);
  createRelease = (app: string, body: CreateReleaseBody, idempotencyKey: string) =>
    this.http.request('POST', `/apps/${segment(app)}/releases`, ReleaseResponse, { body, idempotencyKey });
  /** An operator's action on a release held at its bakes or gate; answers the release as ECS was told. */
  actOnRelease = (app: string, release: string, action: ReleaseAction, idempotencyKey: string) =>
    this.http.request('POST', `/apps/${segment(app)}/releases/${segment(release)}/actions/${action}`, ReleaseResponse, { idempotencyKey });

  configVars = (app: string) => this.http.request('GET', `/apps/${segment(app)}/config-vars`, ConfigVarsResponse);
  /** The new config, and the release it made: its answer's Location (none while the app has no current release). */
  changeConfigVars = async (app: string, body: z.input<ReturnType<typeof UpdateConfigVarsRequest>>, idempotencyKey: string) => {
    const answer = await this.http.exchange('PATCH', `/apps/${segment(app)}/config-vars`, ConfigVarsResponse, { body, idempotencyKey });
    const releaseId = answer.headers.get('location')?.split('/').at(-1);
    return { config: answer.body, release: releaseId ? await this.release(app, decodeURIComponent(releaseId)) : null };
  };

  statuses = (app: string, release: string) =>
    this.http.request('GET', `/apps/${segment(app)}/releases/${segment(release)}/statuses`, ReleaseStatusesResponse);
  postStatus = (app: string, release: string, body: z.input<ReturnType<typeof CreateStatusRequest>>) =>
    this.http.request('POST', `/apps/${segment(app)}/releases/${segment(release)}/statuses`, StatusResponse, { body });

  pipelines = () => this.http.request('GET', '/pipelines', z.array(PipelineResponse));
  pipeline = (pipeline: string) => this.http.request('GET', `/pipelines/${segment(pipeline)}`, PipelineResponse);
  createPipeline = (body: CreatePipelineRequest) => this.http.request('POST', '/pipelines', PipelineResponse, { body });
  pipelineCouplings = (pipeline: string) =>
    this.http.request('GET', `/pipelines/${segment(pipeline)}/pipeline-couplings`, z.array(CouplingResponse));
  appCoupling = (app: string) => this.http.request('GET', `/apps/${segment(app)}/pipeline-couplings`, CouplingResponse);
  couple = (body: z.input<ReturnType<typeof CreateCouplingRequest>>) =>
    this.http.request('POST', '/pipeline-couplings', CouplingResponse, { body });
  uncouple = (id: string) => this.http.request('DELETE', `/pipeline-couplings/${segment(id)}`, CouplingResponse);
  promote = (body: z.input<ReturnType<typeof CreatePromotionRequest>>, idempotencyKey: string) =>
    this.http.request('POST', '/pipeline-promotions', PromotionResponse, { body, idempotencyKey });
  promotion = (id: string) => this.http.request('GET', `/pipeline-promotions/${segment(id)}`, PromotionResponse);

  hooks = (app: string) => this.http.request('GET', `/apps/${segment(app)}/hooks`, z.array(HookResponse));
  /** One page of a hook's delivery log, newest first. */
  deliveries = (app: string, hook: string, limit: number, cursor?: string) =>
    this.http.page(`/apps/${segment(app)}/hooks/${segment(hook)}/deliveries`, z.array(DeliveryResponse), { limit, cursor });

  keys = () => this.http.request('GET', '/api-keys', z.array(ApiKeyResponse));
  createKey = (body: CreateApiKeyRequest) => this.http.request('POST', '/api-keys', CreatedApiKeyResponse, { body });
  revokeKey = (id: string) => this.http.request('DELETE', `/api-keys/${segment(id)}`, ApiKeyResponse);
  whoami = () => this.http.request('GET', '/whoami', WhoamiResponse);
}
