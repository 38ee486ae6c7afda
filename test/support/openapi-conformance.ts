import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ApiResponse } from './local-slipway';

const DOCUMENT_ID = 'https://slipway.invalid/openapi.json';

const pointerOf = (...tokens: string[]) => tokens.map((token) => token.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

type Documented = { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { required?: boolean }> };
type OpenApiDocument = { paths: Record<string, Record<string, { responses: Record<string, Documented> }>> };

/**
 * Checks real answers against the OpenAPI document the server publishes: the status must be documented for
 * the operation, the body must match its schema (component references resolved), and required headers present.
 */
export const conformanceCheckerFor = (document: OpenApiDocument) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  return (method: string, path: string, response: ApiResponse): string[] => {
    const responses = document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    const documented = responses[String(response.status)];
    if (!documented) return [`${method} ${path}: status ${response.status} is not documented`];
    const problems = Object.entries(documented.headers ?? {})
      .filter(([name, header]) => header.required && !response.headers.has(name))
      .map(([name]) => `${method} ${path} ${response.status}: header ${name} missing`);
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (response.body !== undefined && documented.content && !(mediaType in documented.content)) {
      problems.push(`${method} ${path} ${response.status}: media type ${mediaType} is not documented`);
    }
    if (mediaType !== 'application/json' || documented.content?.['application/json']?.schema === undefined) return problems;
    const pointer = `${DOCUMENT_ID}#/${pointerOf('paths', path, method.toLowerCase(), 'responses', String(response.status), 'content', 'application/json', 'schema')}`;
    const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    if (!validate(response.body)) problems.push(`${method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}`);
    return problems;
  };
};
