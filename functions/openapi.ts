import { buildOpenApiDocument } from '../shared/api/openapi';
import { publicHttpFunction } from '../shared/http/http-function';

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const handler = publicHttpFunction<'openapi'>({
  'GET /openapi.json': {
    // Generated once per container: the schemas cannot change while it runs.
    public: async () => {
      document ??= buildOpenApiDocument();
      return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
    },
  },
});
