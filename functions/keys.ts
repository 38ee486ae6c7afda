import { CreateApiKeyRequest } from '../shared/api/api-keys';
import type { WhoamiResponse } from '../shared/api/api-key-responses';
import { httpFunction } from '../shared/http/http-function';
import { authenticateCaller } from '../shared/operations/authentication';
import { parseInput } from '../shared/http/request';
import { presentApiKey } from '../shared/api/presenters';
import { createApiKey, listApiKeys, requireKeyManager, revokeApiKey } from '../shared/operations/api-keys';

/** The admin API for keys: the same operations as `npm run keys`. */
export const handler = httpFunction<'keys'>({
  'POST /api-keys': async ({ body, principal }) => {
    requireKeyManager(principal);
    const { key, record } = await createApiKey(parseInput(CreateApiKeyRequest(), body, 'body'));
    return {
      status: 201,
      body: { ...presentApiKey(record), key },
      // The one response that carries a key must not linger in any cache.
      headers: { location: `/api-keys/${record.id}`, 'cache-control': 'no-store' },
    };
  },
  'GET /api-keys': async ({ principal }) => {
    requireKeyManager(principal);
    return { status: 200, body: (await listApiKeys()).map(presentApiKey) };
  },
  'DELETE /api-keys/{key}': async ({ params, principal }) => {
    requireKeyManager(principal);
    return { status: 200, body: presentApiKey(await revokeApiKey(params.key ?? '')) };
  },
  // Any key may learn its own role and apps (a client hides what it may not do); never the key itself.
  'GET /whoami': async ({ principal }) => ({
    status: 200,
    body: { key_id: principal.keyId, role: principal.role, apps: principal.apps && [...principal.apps], email: principal.email } satisfies WhoamiResponse,
  }),
}, authenticateCaller);
