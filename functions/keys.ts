import { CreateApiKeyRequest } from '../shared/api/api-keys';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { createApiKey, listApiKeys, requireKeyManager, revokeApiKey, summarizeApiKey } from '../shared/operations/api-keys';

/** The admin API for keys: the same operations as `npm run keys`. */
export const handler = httpFunction<'keys'>({
  'POST /api-keys': async ({ body, principal }) => {
    requireKeyManager(principal);
    const { key, record } = await createApiKey(parseInput(CreateApiKeyRequest, body, 'body'));
    return {
      status: 201,
      body: { ...summarizeApiKey(record), key },
      // The one response that carries a key must not linger in any cache.
      headers: { location: `/api-keys/${record.id}`, 'cache-control': 'no-store' },
    };
  },
  'GET /api-keys': async ({ principal }) => {
    requireKeyManager(principal);
    return { status: 200, body: await listApiKeys() };
  },
  'DELETE /api-keys/{key}': async ({ params, principal }) => {
    requireKeyManager(principal);
    return { status: 200, body: await revokeApiKey(params.key ?? '') };
  },
}, authenticateCaller);
