/**
 * Every refusal the domain can make. The HTTP layer maps `kind` to a status code, so domain rules stay
 * free of transport concerns while each error still carries a stable machine-readable `code`.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  /** Nothing was done, and the same request is expected to succeed shortly: 503 with Retry-After. */
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Set on refusals that will pass by themselves: how long the caller should wait before retrying. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * A change that was begun and will be completed, which this request could not confirm in its time: 503
 * with Retry-After like `unavailable`, but not a refusal, as something was written. A retry under the same
 * Idempotency-Key finishes the very same change and answers for it.
 */
export class UnconfirmedChange extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown>, retryAfterSeconds: number) {
    super('unavailable', code, message, details, retryAfterSeconds);
    this.name = 'UnconfirmedChange';
  }
}

export const notFound = (resource: string, reference: string): DomainError =>
  new DomainError('not_found', `${resource}_not_found`, `No ${resource.replaceAll('_', ' ')} matches '${reference}'.`, {
    [resource]: reference,
  });

/** Whether `error` is a refusal for something that does not exist (rather than any other failure). */
export const isNotFound = (error: unknown): error is DomainError => error instanceof DomainError && error.kind === 'not_found';

export const conflict = (
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  options: { retryAfterSeconds?: number } = {},
): DomainError => new DomainError('conflict', code, message, details, options.retryAfterSeconds);

export const unprocessable = (code: string, message: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError('unprocessable', code, message, details);

export const unavailable = (code: string, message: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError('unavailable', code, message, details);
