import type { AppDetailResponse, AppResponse } from '../../shared/api/apps';
import type { WhoamiResponse } from '../../shared/api/api-keys';
import type { BuildResponse } from '../../shared/api/builds';
import type { CouplingResponse, CreatePromotionRequest, PipelineResponse, PromotionResponse } from '../../shared/api/pipelines';
import type { MetricsResponse } from '../../shared/api/metrics';
import type { ReleaseResponse } from '../../shared/api/releases';
import type { ReleaseStatusesResponse } from '../../shared/api/statuses';
import type { input } from 'zod';
import type { MetricsScope } from './route';

export type { AppDetailResponse, AppResponse, BuildResponse, MetricsResponse, CouplingResponse, PipelineResponse, PromotionResponse, ReleaseResponse, ReleaseStatusesResponse, WhoamiResponse };
export type PromotionRequest = input<typeof CreatePromotionRequest>;

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

type ErrorBody = { error?: { code?: string; message?: string }; message?: string };

/** Pages are requested explicitly, so the page does not depend on the API's default page. */
const PAGE_SIZE = 1000;

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
    /** Every release of the app, oldest first. */
    releases: async (app: string): Promise<ReleaseResponse[]> => {
      const all: ReleaseResponse[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { body: ReleaseResponse[]; headers: Headers } = await request<ReleaseResponse[]>('GET', `/apps/${segment(app)}/releases?${query}`);
        all.push(...page.body);
        cursor = page.headers.get('next-cursor');
      } while (cursor);
      return all.sort((a, b) => a.version - b.version);
    },
    /**
     * The app's newest releases, newest first: `pages` pages of `limit`, each read with the cursor the one before
     * gave. `more` tells whether older releases remain.
     */
    newestReleases: async (app: string, limit: number, pages: number): Promise<{ releases: ReleaseResponse[]; more: boolean }> => {
      const releases: ReleaseResponse[] = [];
      let cursor: string | null = null;
      for (let read = 0; read < pages && (read === 0 || cursor); read++) {
        const query: string = `order=desc&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { body: ReleaseResponse[]; headers: Headers } = await request<ReleaseResponse[]>('GET', `/apps/${segment(app)}/releases?${query}`);
        releases.push(...page.body);
        cursor = page.headers.get('next-cursor');
      }
      return { releases, more: cursor !== null };
    },
    appDetail: (app: string) => get<AppDetailResponse>(`/apps/${segment(app)}`),
    builds: (app: string) => get<BuildResponse[]>(`/apps/${segment(app)}/builds?limit=${PAGE_SIZE}`),
    statuses: (app: string, release: string) => get<ReleaseStatusesResponse>(`/apps/${segment(app)}/releases/${segment(release)}/statuses`),
    rollBack: async (app: string, release: string) =>
      (await request<ReleaseResponse>('POST', `/apps/${segment(app)}/releases`, { release })).body,
    pipelines: () => get<PipelineResponse[]>('/pipelines'),
    couplings: (pipeline: string) => get<CouplingResponse[]>(`/pipelines/${segment(pipeline)}/pipeline-couplings`),
    /** DORA's four keys over `window` ending now, and the window in buckets of `step`: one request. */
    metrics: (scope: MetricsScope, window: string, step: string) =>
      get<MetricsResponse>(`/${scope.kind}/${segment(scope.name)}/metrics?window=${window}&step=${step}`),
    promote: async (promotion: PromotionRequest) => (await request<PromotionResponse>('POST', '/pipeline-promotions', promotion)).body,
  };
};

export type Api = ReturnType<typeof createApi>;
