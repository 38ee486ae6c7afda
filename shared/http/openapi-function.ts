import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPENAPI_DOCUMENT_FILE } from '../api/routes';
import { JSON_HEADERS, publicHttpFunction } from './http-function';

/**
 * Serves the OpenAPI document, as JSON text, that `load` gives once per container. The Lambda reads the file written
 * when it was bundled, so a cold start builds no schema; a local run builds it from the schemas at the first request.
 */
export const openApiFunction = (load: () => Promise<string>) => {
  let document: Promise<string> | undefined;
  return publicHttpFunction<'openapi'>({
    'GET /openapi.json': {
      public: async () => ({
        status: 200,
        text: await (document ??= load()),
        headers: { ...JSON_HEADERS, 'cache-control': 'public, max-age=300' },
      }),
    },
  });
};

/** The document as the Lambda bundle carries it, in the folder of its code. */
export const readOpenApiDocument = (dir: string): Promise<string> => readFile(join(dir, OPENAPI_DOCUMENT_FILE), 'utf8');
