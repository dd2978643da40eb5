/** Apollo Server for one system's subgraph: error masking, query limits, field-denial reporting. */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { ErrorCode, isMcxError } from '../../../domain/errors.js';
import { queryLimitsRule } from '../../../common/query-limits.js';
import type { SubgraphContext } from './context.js';

/** Codes of errors that graphql-js or Apollo raise about the request itself: safe to show as they are. */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ErrorCode.QUERY_TOO_DEEP,
  ErrorCode.QUERY_TOO_COMPLEX,
]);

export function formatSubgraphError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isMcxError(original)) {
    return {
      message: original.message,
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: { ...original.details, code: original.code },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return { message: formatted.message, ...(formatted.locations && { locations: formatted.locations }), extensions: { code } };
  }
  // Anything else is a fault of ours: log it, show nothing of it.
  console.error('[subgraph] internal error:', original);
  return { message: 'Internal error', ...(formatted.path && { path: formatted.path }), extensions: { code: ErrorCode.INTERNAL } };
}

/** Appends one error per denied field and writes the denial to the audit log. */
const fieldDenialsPlugin: ApolloServerPlugin<SubgraphContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        const { denials, caller, services } = contextValue;
        if (denials.size === 0 || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.errors = [...(result.errors ?? []), ...denials.toErrors()];
        if (caller !== null) {
          const list = denials.list();
          await services.audit.record(caller.principal, {
            action: 'read.denied',
            target: list.map((d) => d.field).join(','),
            result: 'DENIED',
            code: ErrorCode.FORBIDDEN_FIELD,
            detail: list.map((d) => `${d.field} x${d.count}: ${d.reason}`).join('; ').slice(0, 1000),
          });
        }
      },
    };
  },
};

export async function createApolloServer(schema: GraphQLSchema): Promise<ApolloServer<SubgraphContext>> {
  const server = new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: formatSubgraphError,
    validationRules: [queryLimitsRule()],
    // The contract is public: introspection stays on in production mode too.
    introspection: true,
    plugins: [fieldDenialsPlugin, ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
    allowBatchedHttpRequests: false,
  });
  await server.start();
  return server;
}
