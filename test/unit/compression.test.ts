import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openApiDocumentText } from '../../shared/api/openapi';
import { compressedAnswer, preferredCoding } from '../../shared/http/compression';
import { openApiFunction } from '../../shared/http/openapi-function';

/** What API Gateway's HTTP API hands a function (payload 2.0: header names lower-cased). */
const openApiRequest = (headers: Record<string, string>) =>
  ({
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', routeKey: 'GET /openapi.json', http: { method: 'GET', path: '/openapi.json' } },
  }) as unknown as APIGatewayProxyEventV2;

/** The openapi function as `npm start` serves it: a large JSON answer. */
const handler = openApiFunction(async () => openApiDocumentText());

const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('Accept-Encoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip;q=0.1', 'gzip'],
    ['*', 'br'],
    ['*;q=0.2, br;q=0', 'gzip'],
    ['deflate', undefined],
  ] as const)('%s answers with %s', (header, coding) => {
    expect(preferredCoding(header)).toBe(coding);
  });
});

describe('an answer as API Gateway gets it from a function', () => {
  it('is brotli in base64 with isBase64Encoded when the client takes br, and as it was otherwise', async () => {
    const plain = await handler(openApiRequest({}), context);
    expect(plain.isBase64Encoded).toBeFalsy();
    expect(plain.headers).toMatchObject({ vary: 'accept-encoding' });
    expect(plain.headers?.['content-encoding']).toBeUndefined();

    const compressed = await handler(openApiRequest({ 'accept-encoding': 'gzip, deflate, br' }), context);
    expect(compressed.isBase64Encoded).toBe(true);
    expect(compressed.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding', 'content-type': 'application/json; charset=utf-8' });
    const bytes = Buffer.from(compressed.body ?? '', 'base64');
    expect(brotliDecompressSync(bytes).toString('utf8')).toBe(plain.body);
    expect(bytes.byteLength).toBeLessThan(Buffer.byteLength(plain.body ?? '') / 4);
  });

  it('leaves small answers, binary content and answers already encoded alone', () => {
    const json = { 'content-type': 'application/json' };
    const small = { statusCode: 200, headers: json, body: '{"ok":true}' };
    expect(compressedAnswer(small, 'gzip')).toEqual({ ...small, headers: { ...json, vary: 'accept-encoding' } });
    const image = { statusCode: 200, headers: { 'content-type': 'image/png' }, body: 'x'.repeat(5000) };
    expect(compressedAnswer(image, 'gzip')).toBe(image);
    const encoded = { statusCode: 200, headers: { ...json, 'content-encoding': 'gzip' }, body: 'x'.repeat(5000) };
    expect(compressedAnswer(encoded, 'br')).toBe(encoded);
  });
});
