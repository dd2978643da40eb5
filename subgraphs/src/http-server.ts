/**
 * The subgraph's HTTP endpoint (node:http): /graphql (Apollo), /.well-known/mcx-system (public
 * system metadata: contract version, public key), /health. Every GraphQL request is authenticated by
 * the caller assertion that a trusted gateway signed (header x-mcx-assertion). Subscriptions come as
 * WebSocket upgrades of /graphql (subscription-server.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { ErrorCode, httpStatusFor, McxError } from '../../domain/errors.js';
import { ASSERTION_HEADER, WELL_KNOWN_PATH } from '../../common/http-headers.js';
import { QUERY_LIMITS, queryTooLongMessage } from '../../common/query-limits.js';
import type { CallerVerifier } from './caller-verifier.js';
import { createContext, type Caller, type SubgraphContext } from './graphql/context.js';
import { systemView } from './graphql/resolvers/views.js';
import type { SubgraphServices } from './services/subgraph-services.js';
import type { SubgraphMetrics } from './metrics.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendError(response: ServerResponse, error: McxError): void {
  sendJson(response, httpStatusFor(error.code), { errors: [{ message: error.message, extensions: { code: error.code } }] });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new McxError(ErrorCode.QUERY_TOO_LARGE, `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class SubgraphHttpServer {
  /** The node server: subscriptions (subscription-server.ts) take over its WebSocket upgrades. */
  readonly server: Server;

  constructor(
    private readonly apollo: ApolloServer<SubgraphContext>,
    private readonly services: SubgraphServices,
    private readonly callers: CallerVerifier,
    private readonly metrics: SubgraphMetrics,
  ) {
    this.server = createServer((request, response) => {
      response.once('finish', () => this.metrics.requests.inc({ status: String(response.statusCode) }));
      this.handle(request, response).catch((error: unknown) => {
        if (response.headersSent) return void response.end();
        if (error instanceof McxError) return sendError(response, error);
        console.error('[subgraph] request failed:', error);
        sendJson(response, 500, { errors: [{ message: 'Internal error', extensions: { code: ErrorCode.INTERNAL } }] });
      });
    });
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as AddressInfo;
        resolve(`http://${host}:${address.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://subgraph');
    if (url.pathname === '/health' && request.method === 'GET') {
      return sendJson(response, 200, { status: 'ok', system: this.services.identity.slug });
    }
    if (url.pathname === '/metrics' && request.method === 'GET') {
      const text = await this.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      return void response.end(text);
    }
    if (url.pathname === WELL_KNOWN_PATH && request.method === 'GET') {
      return sendJson(response, 200, systemView(this.services.identity));
    }
    if (url.pathname !== '/graphql') {
      return sendJson(response, 404, { errors: [{ message: `no such path ${url.pathname}`, extensions: { code: ErrorCode.NOT_FOUND } }] });
    }
    const caller = await this.authenticate(request);
    const text = request.method === 'POST' ? await readBody(request) : '';
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new McxError(ErrorCode.GRAPHQL_PARSE_FAILED, 'the request body is not JSON');
      }
    }
    const query = (body as { query?: unknown } | undefined)?.query ?? url.searchParams.get('query');
    if (typeof query === 'string' && query.length > QUERY_LIMITS.maxQueryLength) {
      throw new McxError(ErrorCode.QUERY_TOO_LARGE, queryTooLongMessage(query.length));
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await this.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: async () => createContext(this.services, caller),
    });
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of result.headers) outHeaders[name] = value;
    response.writeHead(result.status ?? 200, outHeaders);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  }

  /** The caller, from a gateway's signed assertion; null when none was sent (SDL and introspection only). */
  private async authenticate(request: IncomingMessage): Promise<Caller | null> {
    const token = request.headers[ASSERTION_HEADER];
    if (token === undefined) return null;
    if (typeof token !== 'string') throw new McxError(ErrorCode.ASSERTION_UNTRUSTED, 'one caller assertion per request');
    return this.callers.verify(token);
  }
}
