import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { authorize, type ApiKeyRecord, type Principal, type Role } from '../domain/access';
import { notFound } from '../domain/errors';
import {
  findApiKeyByHash,
  findApiKeyById,
  findApiKeyWith,
  insertApiKey,
  listApiKeyRecords,
  markApiKeyRevoked,
} from '../store/api-keys-store';
import type { ItemRead } from '../store/batch-get';

const KEY_PREFIX = 'slw_';

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

export type NewApiKey = { key: string; record: ApiKeyRecord };

/** Mints a key; the caller shows `key` once, only its hash is stored. */
export const createApiKey = async (options: { role: Role; apps?: string[] | null; email?: string }): Promise<NewApiKey> => {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const record: ApiKeyRecord = {
    id,
    key_hash: sha256(key),
    role: options.role,
    apps: options.apps && options.apps.length > 0 ? [...options.apps] : null,
    email: options.email ?? `${options.role}-${id.slice(0, 8)}@keys.slipway`,
    created_at: new Date().toISOString(),
  };
  await insertApiKey(record);
  return { key, record };
};

/**
 * Resolves a presented key to its principal (undefined for anything that is not a live key). Given the
 * item the request's path names, reads it in the same call; `named.found` is that item, if it exists.
 */
/** An item read with the caller's key: `found` is undefined when there is none at its key. */
export type Found<T> = { found: T | undefined };

export const authenticate = async <T>(
  presented: string | undefined,
  named?: ItemRead<T>,
): Promise<{ principal: Principal | undefined; named?: Found<T> }> => {
  if (!presented?.startsWith(KEY_PREFIX) || presented.length > 128) return { principal: undefined };
  const presentedHash = sha256(presented);
  const { key: record, named: read } =
    named === undefined
      ? { key: await findApiKeyByHash(presentedHash), named: undefined }
      : await findApiKeyWith(presentedHash, named).then(({ key, named: found }) => ({ key, named: { found } }));
  // The lookup is by hash; comparing in constant time as well keeps timing flat whatever the store does.
  if (!record || !timingSafeEqual(Buffer.from(record.key_hash, 'hex'), Buffer.from(presentedHash, 'hex'))) {
    return { principal: undefined };
  }
  if (record.revoked_at) return { principal: undefined };
  const principal: Principal = { keyId: record.id, role: record.role, apps: record.apps, email: record.email };
  return read ? { principal, named: read } : { principal };
};

export const listApiKeys = (): Promise<ApiKeyRecord[]> => listApiKeyRecords();

/** Revokes a key by its id; from then on it authenticates nobody. Revoking twice is harmless. */
export const revokeApiKey = async (id: string): Promise<ApiKeyRecord> => {
  const record = await findApiKeyById(id);
  if (!record) throw notFound('api_key', id);
  return markApiKeyRevoked(record, new Date().toISOString());
};

export const requireKeyManager = (principal: Principal): void => authorize(principal, 'keys:manage');
