import { DomainError } from '../domain/errors';
import type { DeliveryCursor } from '../domain/hooks';

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
  throw invalidCursor(cursor);
};

const invalidCursor = (cursor: string) =>
  new DomainError('bad_request', 'invalid_cursor', 'The cursor is not one this API issued; start again without it.', { cursor });

/** A hook's delivery log pages by time: the cursor holds the last delivery a page returned. */
export const encodeDeliveryCursor = (last: DeliveryCursor): string =>
  Buffer.from(JSON.stringify({ t: last.created_at, i: last.id })).toString('base64url');

export const decodeDeliveryCursor = (cursor: string): DeliveryCursor => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 't' in parsed && 'i' in parsed) {
      const { t, i } = parsed;
      if (typeof t === 'string' && !Number.isNaN(Date.parse(t)) && typeof i === 'string' && /^[0-9a-f-]{36}$/.test(i)) return { created_at: t, id: i };
    }
  } catch {
    // fall through to the uniform refusal below
  }
  throw invalidCursor(cursor);
};
