/**
 * Subscriptions of a subgraph: GraphQL over WebSocket (the graphql-transport-ws protocol, graphql-ws)
 * on the same port and path as queries (/graphql). A gateway keeps one connection per subgraph for
 * all its callers, so each `subscribe` message carries its caller's assertion in its extensions
 * (ASSERTION_EXTENSION); it is verified like the HTTP header, and every subscription runs with its
 * own caller's access. Only subscriptions are served here; queries and mutations go over HTTP.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, McxError } from '../../domain/errors.js';
import { ASSERTION_EXTENSION } from '../../common/http-headers.js';
import { QUERY_LIMITS, queryLimitsRule, queryTooLongMessage } from '../../common/query-limits.js';
import type { CallerVerifier } from './caller-verifier.js';
import { formatSubgraphError } from './graphql/apollo-server.js';
import { createContext } from './graphql/context.js';
import type { SubgraphServices } from './services/subgraph-services.js';

const MAX_MESSAGE_BYTES = 1024 * 1024;

function refusal(error: McxError): GraphQLError[] {
  return [new GraphQLError(error.message, { originalError: error })];
}

/** As for HTTP requests: typed errors keep their code, request errors theirs, anything else is INTERNAL. */
function format(error: GraphQLError) {
  return formatSubgraphError(error.toJSON(), error.originalError ?? error);
}

function formatted(result: ExecutionResult) {
  if (!result.errors || result.errors.length === 0) return result;
  return { ...result, errors: result.errors.map(format) };
}

export class SubgraphSubscriptionServer {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly disposable: { dispose(): void | Promise<void> };
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://subgraph').pathname !== '/graphql') return void socket.destroy();
    this.sockets.handleUpgrade(request, socket, head, (ws) => this.sockets.emit('connection', ws, request));
  };

  constructor(
    private readonly server: Server,
    private readonly schema: GraphQLSchema,
    private readonly services: SubgraphServices,
    private readonly callers: CallerVerifier,
  ) {
    const rules = [...specifiedRules, queryLimitsRule()];
    this.disposable = useServer(
      {
        schema,
        onSubscribe: async (_ctx, _id, payload) => {
          const token = payload.extensions?.[ASSERTION_EXTENSION];
          if (typeof token !== 'string') {
            return refusal(new McxError(ErrorCode.UNAUTHENTICATED, 'no caller assertion: subscribe through a mutual-aid gateway this system trusts'));
          }
          let caller;
          try {
            caller = await this.callers.verify(token);
          } catch (error) {
            return refusal(error instanceof McxError ? error : new McxError(ErrorCode.ASSERTION_UNTRUSTED, 'the caller assertion is not valid'));
          }
          if (payload.query.length > QUERY_LIMITS.maxQueryLength) return refusal(new McxError(ErrorCode.QUERY_TOO_LARGE, queryTooLongMessage(payload.query.length)));
          let document: DocumentNode;
          try {
            document = parse(payload.query);
          } catch (error) {
            return [new GraphQLError((error as Error).message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
          }
          const invalid = validate(this.schema, document, rules);
          if (invalid.length > 0) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: (e.extensions?.code as string | undefined) ?? ErrorCode.GRAPHQL_VALIDATION_FAILED } }));
          if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
            return refusal(new McxError(ErrorCode.BAD_REQUEST, 'only subscriptions are served over WebSocket; send queries and mutations over HTTP'));
          }
          return {
            schema: this.schema,
            document,
            variableValues: payload.variables ?? undefined,
            operationName: payload.operationName ?? undefined,
            contextValue: createContext(this.services, caller),
          };
        },
        onNext: (_ctx, _id, _payload, _args, result) => formatted(result),
        onError: (_ctx, _id, _payload, errors) => errors.map(format),
      },
      this.sockets,
    );
    server.on('upgrade', this.onUpgrade);
  }

  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    for (const socket of this.sockets.clients) socket.terminate();
    await this.disposable.dispose();
  }
}
