import { fileURLToPath } from 'node:url';
import { openApiFunction, readOpenApiDocument } from '../shared/http/openapi-function';

/** The OpenAPI document; the CDK stack writes it beside this bundle from the API's schemas. */
export const handler = openApiFunction(() => readOpenApiDocument(fileURLToPath(new URL('.', import.meta.url))));
