import * as z from 'zod/mini';
import { ROLES } from '../domain/access';
import { Timestamp, Uuid } from './common';

/** What the API answers about API keys, apart from the requests (api-keys.ts): the functions that parse those construct none of this at a cold start. */

export const ApiKeyResponse = z
  .object({
    id: Uuid,
    role: z.enum(ROLES),
    apps: z.nullable(z.array(z.string())),
    email: z.string(),
    created_at: Timestamp(),
    revoked_at: z.nullable(Timestamp()),
  })
  .register(z.globalRegistry, { id: 'ApiKey' });
export type ApiKeyResponse = z.infer<typeof ApiKeyResponse>;

export const CreatedApiKeyResponse = z
  .extend(ApiKeyResponse, {
    key: z.string().check(z.meta({ description: 'The key itself, shown only in this response; Slipway keeps only its SHA-256.' })),
  })
  .register(z.globalRegistry, { id: 'CreatedApiKey' });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const WhoamiResponse = z
  .object({
    key_id: Uuid,
    role: z.enum(ROLES),
    apps: z.nullable(z.array(z.string())).check(z.meta({ description: 'The apps the key is limited to; null for all apps.' })),
    email: z.string(),
  })
  .register(z.globalRegistry, { id: 'Whoami' });
export type WhoamiResponse = z.infer<typeof WhoamiResponse>;
