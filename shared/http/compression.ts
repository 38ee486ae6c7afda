import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Below this an answer goes as it is: compressing it would save a few bytes for a header's worth. */
const COMPRESSION_THRESHOLD_BYTES = 1024;

export type ContentCoding = 'br' | 'gzip';

/** Text compresses; images other than SVG (none today) and anything already encoded do not. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|openmetrics-text)|image\/svg\+xml)/i;

/** Brotli's middle quality: most of its gain over gzip at gzip's speed, for answers made at each request. */
const BROTLI_QUALITY = 5;

const qualityOf = (params: readonly string[]): number => {
  const q = params.map((param) => param.trim()).find((param) => param.toLowerCase().startsWith('q='));
  const value = q === undefined ? 1 : Number(q.slice(2));
  return Number.isFinite(value) ? value : 0;
};

/**
 * The coding to answer with, from the request's Accept-Encoding: the accepted one with the highest weight, br
 * before gzip at equal weights; undefined when the client accepts neither (or sent no header: identity).
 */
export const preferredCoding = (acceptEncoding: string | undefined): ContentCoding | undefined => {
  if (!acceptEncoding) return undefined;
  const weights = new Map(
    acceptEncoding.split(',').map((part) => {
      const [name = '', ...params] = part.split(';');
      return [name.trim().toLowerCase(), qualityOf(params)] as const;
    }),
  );
  const weightOf = (coding: ContentCoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  return (['br', 'gzip'] as const).filter((coding) => weightOf(coding) > 0).sort((a, b) => weightOf(b) - weightOf(a))[0];
};

const compress = (text: string, coding: ContentCoding): Buffer =>
  coding === 'br'
    ? brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } })
    : gzipSync(text);

const headerOf = (headers: APIGatewayProxyStructuredResultV2['headers'], name: string): string | undefined => {
  const value = headers?.[name];
  return value === undefined ? undefined : String(value);
};

/**
 * An answer compressed as the request accepts, when it is text over the threshold: base64 with isBase64Encoded,
 * which API Gateway's HTTP API (payload 2.0) sends on as the bytes, and the local gateway too. HTTP APIs do not
 * compress by themselves, so every function compresses its own answers here, alike in AWS and locally.
 */
export const compressedAnswer = (
  response: APIGatewayProxyStructuredResultV2,
  acceptEncoding: string | undefined,
): APIGatewayProxyStructuredResultV2 => {
  const contentType = headerOf(response.headers, 'content-type');
  const body = response.body;
  if (!contentType || !COMPRESSIBLE.test(contentType) || response.isBase64Encoded || headerOf(response.headers, 'content-encoding')) return response;
  const vary = headerOf(response.headers, 'vary');
  const headers = { ...response.headers, vary: vary ? `${vary}, accept-encoding` : 'accept-encoding' };
  const coding = preferredCoding(acceptEncoding);
  if (!coding || body === undefined || Buffer.byteLength(body) < COMPRESSION_THRESHOLD_BYTES) return { ...response, headers };
  return {
    ...response,
    headers: { ...headers, 'content-encoding': coding },
    body: compress(body, coding).toString('base64'),
    isBase64Encoded: true,
  };
};

/** The middy middleware every HTTP function uses (see httpFunction). */
export const compressAnswers = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  after: async (request) => {
    if (request.response) request.response = compressedAnswer(request.response, request.event.headers?.['accept-encoding']);
  },
});
