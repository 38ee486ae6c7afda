import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../shared/api/openapi';
import { OPTIONAL_KEY_ROUTE_KEYS, PUBLIC_ROUTE_KEYS, ROUTES, routeKeyOf } from '../../shared/api/routes';
import { startTestSlipway, type TestSlipway } from '../support/local-slipway';

type Operation = { security?: unknown[]; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] };
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

let slipway: TestSlipway;
let document: Document;
beforeAll(async () => {
  slipway = await startTestSlipway();
  const response = await slipway.call<Document>('GET', '/openapi.json', { key: null });
  expect(response.status).toBe(200);
  document = response.body;
});
afterAll(() => slipway.close());

const operationOf = (route: (typeof ROUTES)[number]) => document.paths[route.path]?.[route.method.toLowerCase()];

const refsIn = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner)));
};

describe('GET /openapi.json', () => {
  it('serves an OpenAPI 3.1 document without an API key, even when a bad one is sent', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect((await slipway.call('GET', '/openapi.json', { key: 'slw_not-a-key' })).status).toBe(200);
    expect(document.components.securitySchemes).toHaveProperty('bearer');
  });

  it('documents every route in the route table', () => {
    const undocumented = ROUTES.map(routeKeyOf).filter((key) => !OPERATIONS[key]);
    expect(undocumented, 'add these routes to OPERATIONS in shared/api/openapi.ts').toEqual([]);
    const missing = ROUTES.filter((route) => !operationOf(route)).map(routeKeyOf);
    expect(missing).toEqual([]);
  });

  it('marks only public routes as needing no key, optional-key routes as taking one or none, and every other route as answering 401', () => {
    for (const route of ROUTES) {
      const operation = operationOf(route);
      if (PUBLIC_ROUTE_KEYS.has(routeKeyOf(route))) {
        expect(operation?.security, routeKeyOf(route)).toEqual([]);
      } else if (OPTIONAL_KEY_ROUTE_KEYS.has(routeKeyOf(route))) {
        expect(operation?.security, routeKeyOf(route)).toEqual([{ bearer: [] }, { access_token: [] }, {}]);
        expect(operation?.responses ?? {}, routeKeyOf(route)).toHaveProperty('401');
      } else {
        expect(operation?.security, routeKeyOf(route)).toBeUndefined();
        expect(operation?.responses ?? {}, routeKeyOf(route)).toHaveProperty('401');
      }
    }
  });

  it('resolves every schema reference', () => {
    const refs = [...new Set(refsIn(document.paths).concat(refsIn(document.components)))];
    expect(refs.length).toBeGreaterThan(0);
    const dangling = refs.filter((ref) => !(ref.replace('#/components/schemas/', '') in document.components.schemas));
    expect(dangling).toEqual([]);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['App', 'Build', 'Release', 'Error', 'Pipeline', 'PipelinePromotion', 'Status', 'ReleaseStatuses']),
    );
  });

  it('documents idempotent release creation: the header, 303 to the first release, 409 and 422', () => {
    const create = document.paths['/apps/{app}/releases']?.post;
    expect(create?.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header' }));
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['201', '303', '409', '422']));
  });
});
