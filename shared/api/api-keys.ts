import * as z from 'zod';
import { ROLES } from '../domain/access';
import { AppName, Timestamp, Uuid, boundedBytes } from './common';

export const CreateApiKeyRequest = z
  .strictObject({
    role: z.enum(ROLES),
    apps: z.array(AppName).min(1).max(100).optional().meta({ description: 'Limit the key to these apps; omit for all apps.' }),
    email: boundedBytes(z.email(), 254).optional().meta({ description: 'Who holds the key; recorded as the user of what it does.' }),
  })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKeyResponse = z
  .object({
    id: Uuid,
    role: z.enum(ROLES),
    apps: z.array(z.string()).nullable(),
    email: z.string(),
    created_at: Timestamp,
    revoked_at: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyResponse = z.infer<typeof ApiKeyResponse>;

export const CreatedApiKeyResponse = ApiKeyResponse.extend({
  key: z.string().meta({ description: 'The key itself, shown only in this response; Slipway keeps only its SHA-256.' }),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const WhoamiResponse = z
  .object({
    key_id: Uuid,
    role: z.enum(ROLES),
    apps: z.array(z.string()).nullable().meta({ description: 'The apps the key is limited to; null for all apps.' }),
    email: z.string(),
  })
  .meta({ id: 'Whoami' });
export type WhoamiResponse = z.infer<typeof WhoamiResponse>;
