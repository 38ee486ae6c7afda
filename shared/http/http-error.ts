/** Refusals only HTTP can make: of a method a path does not take, or of a body's media type. */
export type HttpErrorKind = 'method_not_allowed' | 'unsupported_media_type';

export class HttpError extends Error {
  readonly retryAfterSeconds = undefined;

  constructor(
    readonly kind: HttpErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
