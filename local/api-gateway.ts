import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context';
import { errorBodyOf } from '../shared/api/common';
import { matchRoute, routeKeyOf, type FunctionName, type RouteKey } from '../shared/api/routes';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * A local stand-in for API Gateway's HTTP API: matches the request against the same route table the
 * CDK stack deploys and calls the same handler with a payload-v2 event (the handler authenticates).
 * A request no route takes goes, as in AWS, to the $default route (the openapi function), which refuses it.
 */
type Target = { key: RouteKey | '$default'; fn: FunctionName; names: string[]; values: string[] };

const DEFAULT_TARGET: Target = { key: '$default', fn: 'openapi', names: [], values: [] };

/** API Gateway's own limits: it refuses bigger payloads (413) and request lines with headers (431) itself. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const MAX_REQUEST_LINE_AND_HEADER_BYTES = 10 * 1024;
/** What Node's parser accepts at all; between the two limits the gateway answers with its own JSON 431. */
const NODE_MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads the whole body, so the connection is ready for the next request whatever is answered; beyond
 * API Gateway's payload limit the rest is read and dropped rather than kept.
 */
const readBody = async (request: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks), tooLarge: size > MAX_PAYLOAD_BYTES };
};

const requestLineAndHeaderBytes = (request: IncomingMessage): number =>
  Buffer.byteLength(`${request.method ?? ''} ${request.url ?? ''} HTTP/${request.httpVersion}`) +
  request.rawHeaders.reduce((total, part) => total + Buffer.byteLength(part), 0);


const HEADERS_TOO_LARGE = errorBodyOf(
  'request_header_fields_too_large',
  `The request line and headers are limited to ${MAX_REQUEST_LINE_AND_HEADER_BYTES} bytes.`,
  { limit_bytes: MAX_REQUEST_LINE_AND_HEADER_BYTES },
);

/** Requests Node cannot even parse: the socket cannot be reused, but the answer is still Slipway's JSON. */
const answerUnparsable = (error: NodeJS.ErrnoException, socket: Duplex) => {
  if (!socket.writable) return socket.destroy();
  const [status, reason, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', HEADERS_TOO_LARGE]
      : [400, 'Bad Request', errorBodyOf('malformed_request', 'The request is not valid HTTP/1.1.')];
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
};

/** As API Gateway hands them over: every name an own key (`__proto__` too), repeated values joined by commas. */
const queryParameters = (search: URLSearchParams): Record<string, string> | undefined => {
  const parameters = Object.fromEntries([...new Set(search.keys())].map((key) => [key, search.getAll(key).join(',')]));
  return Object.keys(parameters).length > 0 ? parameters : undefined;
};

/** Path parameters as API Gateway hands them over, decoded; undefined when the encoding is malformed. */
const decodePathParameters = (names: string[], values: string[]): Record<string, string> | undefined => {
  try {
    return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]));
  } catch {
    return undefined;
  }
};

const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
};

export const createApiGateway = (options: { handlers: Record<FunctionName, HttpHandler> }): Server => {
  const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_BYTES }, async (request, response) => {
    try {
      if (requestLineAndHeaderBytes(request) > MAX_REQUEST_LINE_AND_HEADER_BYTES) {
        await readBody(request);
        sendJson(response, 431, HEADERS_TOO_LARGE);
        return;
      }
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      const found = matchRoute(method, url.pathname);
      const route: Target =
        found.kind === 'matched'
          ? { key: routeKeyOf(found.route), fn: found.route.fn, names: found.names, values: found.values }
          : DEFAULT_TARGET;
      const pathParameters = decodePathParameters(route.names, route.values);
      if (!pathParameters) {
        sendJson(response, 400, errorBodyOf('invalid_path', `The path ${url.pathname} is not validly percent-encoded.`));
        return;
      }
      const { body, tooLarge } = await readBody(request);
      if (tooLarge) {
        sendJson(response, 413, errorBodyOf('payload_too_large', `API Gateway accepts payloads up to ${MAX_PAYLOAD_BYTES} bytes.`));
        return;
      }
      const requestId = randomUUID();
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
      );
      const now = new Date();
      const requestContext = {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: route.key,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      };
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: route.key,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: queryParameters(url.searchParams),
        pathParameters,
        requestContext,
        body: body.byteLength > 0 ? body.toString('utf8') : undefined,
        isBase64Encoded: false,
      };
      const result = await options.handlers[route.fn](event, lambdaContext(route.fn, requestId));
      response.writeHead(result.statusCode ?? 200, { 'apigw-requestid': requestId, ...(result.headers as Record<string, string>) });
      // As API Gateway does: a base64 body (a compressed answer) goes out as its bytes.
      response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
    } catch (error) {
      // The handlers map every fault to a response; reaching here means the local gateway itself broke.
      console.error('local API gateway failure', error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.end();
    }
  });
  server.on('clientError', answerUnparsable);
  return server;
};
