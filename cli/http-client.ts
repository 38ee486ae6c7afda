import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { ErrorResponse } from '../shared/api/error-responses';
import { ApiRefusal, CliError, EXIT } from './exit-codes';
import type { Connection } from './config';

export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Makes a POST safe to retry: the server answers a replay with 303 to what the first attempt made. */
  idempotencyKey?: string;
};

const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000];
const REQUEST_TIMEOUT_MS = 30_000;

/** fetch says only "fetch failed"; its cause says why (ECONNREFUSED, ENOTFOUND, a timeout). */
const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ((error.cause as NodeJS.ErrnoException).code ?? error.cause.message) : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
};

/** Transient answers: Slipway briefly unavailable, or our own earlier attempt still being processed. */
const isTransient = (status: number, body: unknown) =>
  status === 503 ||
  (status === 409 && ErrorResponse.safeParse(body).data?.error.code === 'idempotency_key_in_flight');

/**
 * JSON over HTTP with the API key. Reads (GET) and idempotent writes are retried on network errors and
 * transient answers; other writes are sent once, since a lost answer could hide a write that happened.
 */
export class HttpClient {
  constructor(private readonly connection: Connection) {}

  /** Which Slipway did not answer: the endpoint comes from a profile or the environment, and may not be the one meant. */
  private unreachable(detail: string) {
    return new CliError(EXIT.timedOutOrUnknown, `Slipway at ${this.connection.url} did not answer: ${detail}`);
  }

  async request<S extends z.core.$ZodType>(method: string, path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    return (await this.exchange(method, path, schema, options)).body;
  }

  /** A GET of one page of a list, with the cursor of the next page when there is one. */
  async page<S extends z.core.$ZodType>(path: string, schema: S, query: RequestOptions['query']) {
    const { body, headers } = await this.exchange('GET', path, schema, { query });
    return { items: body, nextCursor: headers.get('next-cursor') ?? undefined };
  }

  /** The answer's body with its headers, for the calls whose answer says more there (Next-Cursor, Location). */
  async exchange<S extends z.core.$ZodType>(method: string, path: string, schema: S, options: RequestOptions) {
    const retryable = method === 'GET' || options.idempotencyKey !== undefined;
    for (let attempt = 0; ; attempt++) {
      const delay = RETRY_DELAYS_MS[attempt];
      try {
        const { status, body, headers } = await this.send(method, path, options);
        if (retryable && delay !== undefined && isTransient(status, body)) {
          await sleep(delay);
          continue;
        }
        return { body: this.accept(status, body, schema, `${method} ${path}`), headers };
      } catch (error) {
        if (error instanceof CliError) throw error;
        if (!retryable || delay === undefined) throw this.unreachable(reasonOf(error));
        await sleep(delay);
      }
    }
  }

  private async send(method: string, path: string, options: RequestOptions) {
    // The endpoint may carry a base path (an API Gateway stage), so paths are appended, not resolved.
    const url = new URL(`${this.connection.url.replace(/\/+$/, '')}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: {
        authorization: `Bearer ${this.connection.key}`,
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body, headers: response.headers };
  }

  /**
   * Checks the answer against the API's schema but returns it as sent: the schemas strip fields they do not
   * know, and `--json` promises the API's objects unchanged. Any zod schema: the API's are zod/mini (small Lambda bundles), the CLI's own classic.
   */
  private accept<S extends z.core.$ZodType>(status: number, body: unknown, schema: S, call: string): z.infer<S> {
    if (status >= 200 && status < 300) {
      const parsed = z.safeParse(schema, body);
      if (!parsed.success) throw this.unreachable(`${call} answered ${status} with an unexpected body`);
      return body as z.infer<S>;
    }
    const error = ErrorResponse.safeParse(body);
    if (status >= 400 && status < 500 && error.success) throw new ApiRefusal(status, body as ErrorResponse);
    if (status >= 400 && status < 500) throw new CliError(EXIT.refused, `Refused by Slipway (${status}) on ${call}`);
    throw this.unreachable(`${call} answered ${status}${error.success ? ` ${error.data.error.code}: ${error.data.error.message}` : ''}`);
  }
}
