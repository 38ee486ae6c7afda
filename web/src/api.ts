import type { AppDetailResponse, AppResponse } from '../../shared/api/app-responses';
import type { WhoamiResponse } from '../../shared/api/api-key-responses';
import type { BuildResponse } from '../../shared/api/build-responses';
import type { DeliveryResponse, HookResponse } from '../../shared/api/hook-responses';
import type { CreatePromotionRequest } from '../../shared/api/pipelines';
import type { CouplingResponse, PipelineResponse, PromotionResponse } from '../../shared/api/pipeline-responses';
import type { MetricsResponse } from '../../shared/api/metrics-responses';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import type { ReleasePhaseOutputResponse } from '../../shared/api/release-phase-responses';
import type { ReleaseStatusesResponse } from '../../shared/api/status-responses';
import type { input } from 'zod';
import type { MetricsScope } from './route';

export type { ReleasePhaseOutputResponse };
export type { AppDetailResponse, AppResponse, BuildResponse, DeliveryResponse, HookResponse, MetricsResponse, CouplingResponse, PipelineResponse, PromotionResponse, ReleaseResponse, ReleaseStatusesResponse, WhoamiResponse };
export type PromotionRequest = input<ReturnType<typeof CreatePromotionRequest>>;

/** A refusal from the API, with its stable code and its sentence for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What `POST …/releases/{release}/actions/{action}` takes (shared/domain/release-actions.ts, a module the page cannot load). */
export type ReleaseAction = 'approve' | 'promote' | 'abort';

/** The release list's filters the dashboard uses. */
export type ReleaseFilter = { status?: ReleaseResponse['status']; current?: true };

type ErrorBody = { error?: { code?: string; message?: string }; message?: string };

const segment = (value: string) => encodeURIComponent(value);

/**
 * A client of the public API with one key, sent as a Bearer header and never in a URL. `onUnauthorized`
 * hears of a 401: the key was revoked while the page was open.
 */
export const createApi = (key: string, onUnauthorized: () => void = () => {}) => {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<{ body: T; headers: Headers }> => {
    const response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (response.status === 401) onUnauthorized();
    if (!response.ok) {
      const error = (parsed ?? {}) as ErrorBody;
      throw new ApiError(response.status, error.error?.code ?? 'http_error', error.error?.message ?? error.message ?? `HTTP ${response.status}`);
    }
    return { body: parsed as T, headers: response.headers };
  };
  const get = async <T>(path: string): Promise<T> => (await request<T>('GET', path)).body;

  return {
    whoami: () => get<WhoamiResponse>('/whoami'),
    apps: () => get<AppResponse[]>('/apps'),
    /**
     * The app's newest releases, newest first, of those `filter` keeps (`status[]`, `current=true`): `pages` pages
     * of `limit`, each read with the cursor the one before gave. `more` tells whether older releases remain.
     */
    newestReleases: async (app: string, limit: number, pages: number, filter: ReleaseFilter = {}): Promise<{ releases: ReleaseResponse[]; more: boolean }> => {
      const filters = `${filter.status ? `&status[]=${filter.status}` : ''}${filter.current ? '&current=true' : ''}`;
      const releases: ReleaseResponse[] = [];
      let cursor: string | null = null;
      for (let read = 0; read < pages && (read === 0 || cursor); read++) {
        const query: string = `order=desc&limit=${limit}${filters}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { body: ReleaseResponse[]; headers: Headers } = await request<ReleaseResponse[]>('GET', `/apps/${segment(app)}/releases?${query}`);
        releases.push(...page.body);
        cursor = page.headers.get('next-cursor');
      }
      return { releases, more: cursor !== null };
    },
    appDetail: (app: string) => get<AppDetailResponse>(`/apps/${segment(app)}`),
    build: (app: string, build: string) => get<BuildResponse>(`/apps/${segment(app)}/builds/${segment(build)}`),
    releasePhaseOutput: (app: string, release: string) =>
      get<ReleasePhaseOutputResponse>(`/apps/${segment(app)}/releases/${segment(release)}/release-phase/output`),
    statuses: (app: string, release: string) => get<ReleaseStatusesResponse>(`/apps/${segment(app)}/releases/${segment(release)}/statuses`),
    release: (app: string, version: number) => get<ReleaseResponse>(`/apps/${segment(app)}/releases/${version}`),
    /** `force`: to a release that never succeeded, which the API refuses without it. */
    rollBack: async (app: string, release: string, force = false) =>
      (await request<ReleaseResponse>('POST', `/apps/${segment(app)}/releases`, force ? { release, force } : { release })).body,
    hooks: (app: string) => get<HookResponse[]>(`/apps/${segment(app)}/hooks`),
    /** The hook's newest `limit` deliveries, newest first. */
    deliveries: (app: string, hook: string, limit: number) =>
      get<DeliveryResponse[]>(`/apps/${segment(app)}/hooks/${segment(hook)}/deliveries?limit=${limit}`),
    redeliver: async (app: string, hook: string, delivery: string) =>
      (await request<DeliveryResponse>('POST', `/apps/${segment(app)}/hooks/${segment(hook)}/deliveries/${segment(delivery)}/redeliver`)).body,
    /** An operator's approve, promote or abort of a release held at its bakes or gate. */
    actOnRelease: async (app: string, release: string, action: ReleaseAction) =>
      (await request<ReleaseResponse>('POST', `/apps/${segment(app)}/releases/${segment(release)}/actions/${action}`)).body,
    pipelines: () => get<PipelineResponse[]>('/pipelines'),
    couplings: (pipeline: string) => get<CouplingResponse[]>(`/pipelines/${segment(pipeline)}/pipeline-couplings`),
    /** DORA's four keys over `window` ending now, and the window in buckets of `step`: one request. */
    metrics: (scope: MetricsScope, window: string, step: string) =>
      get<MetricsResponse>(`/${scope.kind}/${segment(scope.name)}/metrics?window=${window}&step=${step}`),
    promote: async (promotion: PromotionRequest) => (await request<PromotionResponse>('POST', '/pipeline-promotions', promotion)).body,
  };
};

export type Api = ReturnType<typeof createApi>;
