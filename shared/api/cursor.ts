import { DomainError } from '../domain/errors';

/** Opaque page cursors: the last version a page returned, so the next page starts right after it. */
export const encodeCursor = (lastVersion: number): string =>
  Buffer.from(JSON.stringify({ v: lastVersion })).toString('base64url');

export const decodeCursor = (cursor: string): number => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'v' in parsed) {
      const version = parsed.v;
      if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 && version < 1e10) return version;
    }
  } catch {
    // fall through to the uniform refusal below
  }
  throw new DomainError('bad_request', 'invalid_cursor', 'The cursor is not one this API issued; start again without it.', {
    cursor,
  });
};
