/**
 * The mutual-aid gateway: Fastify + Mercurius gateway + mercurius-auth. Composes the configured
 * systems' subgraphs (polling, so systems join and leave without a restart), authenticates callers,
 * forwards a signed caller assertion to each subgraph, enforces @access, serves /graphql (with
 * subscriptions over WebSocket, see subscriptions.ts), /graphiql and /health.
 */
import mercuriusGateway from '@mercuriusjs/gateway';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { GraphQLError, specifiedRules, validate, type ASTVisitor, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationContext } from 'graphql';
import mercuriusAuth from 'mercurius-auth';
import { ErrorCode, httpStatusFor, McxError } from '../../domain/errors.js';
import type { Principal } from '../../domain/model.js';
import { ASSERTION_HEADER } from '../../common/http-headers.js';
import { QUERY_LIMITS, queryLimitsRule, queryTooLongMessage } from '../../common/query-limits.js';
import { loadOrCreateKeyPair, type KeyPair } from '../../identity/keys.js';
import { gatewayIssuer } from '../../identity/tokens.js';
import { AccessCache } from './access-cache.js';
import { GatewayAccessPolicy, type GatewayContext } from './access-policy.js';
import { AssertionSigner } from './assertions.js';
import { CompositionWatcher } from './composition.js';
import { GatewayMetrics } from './metrics.js';
import { registerGraphiql } from './graphiql.js';
import { registerConsole } from './console.js';
import { CallerAuth } from './caller-auth.js';
import { createErrorFormatter, mergeDenials, type PlainError } from './error-format.js';
import { ending, SubscriptionForwarder, type SubscriptionContext } from './subscriptions.js';
import { SystemRegistry, type SubgraphEndpoint } from './system-registry.js';
import type { VerifiedToken } from '../../identity/tokens.js';

export interface GatewayConfig {
  /** This gateway's id: subgraphs trust it by id and key; caller tokens name it as audience. */
  id: string;
  host: string;
  port: number;
  keyDir: string;
  /** The systems to compose (a function, so the list can change while running). */
  subgraphs: () => SubgraphEndpoint[];
  /** How often to look for systems that joined, left, came back or changed (ms): one small GET per system. */
  pollingIntervalMs: number;
  /** How often to recompose even when no system changed (ms), for changed subgraph schemas. */
  fullRefreshMs?: number;
  /** How long a caller's access in a system is reused (ms). */
  accessTtlMs: number;
  logger?: boolean;
}

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  keys: KeyPair;
  registry: SystemRegistry;
  close(): Promise<void>;
}

/** The audience that caller tokens for this gateway must name. */
export const gatewayAudience = (id: string): string => gatewayIssuer(id);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    principalExpiresAt: number | null;
  }
}

/** What a WebSocket connection learnt of its caller in connection_init (Mercurius merges it into the context). */
interface ConnectionAuth {
  connectionAuth?: VerifiedToken;
  connectionAuthError?: McxError;
  request?: { principal: Principal | null; principalExpiresAt: number | null };
}

/** The token of a WebSocket connection: `{ "authorization": "Bearer <token>" }` (or under `headers`) in connection_init. */
function connectionToken(payload: unknown): string | undefined {
  const p = (payload ?? {}) as { authorization?: unknown; Authorization?: unknown; headers?: { authorization?: unknown; Authorization?: unknown } };
  const value = p.authorization ?? p.Authorization ?? p.headers?.authorization ?? p.headers?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/** Federation plumbing is not for callers. */
function refuseFederationFields(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '_service' || node.name.value === '_entities') {
        context.reportError(new GraphQLError(`${node.name.value} is not exposed by this gateway`, { nodes: [node], extensions: { code: ErrorCode.FORBIDDEN } }));
      }
    },
  };
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const keys = loadOrCreateKeyPair(config.keyDir);
  const registry = new SystemRegistry(config.subgraphs, (message) => console.warn(`[gateway] ${message}`));
  await registry.refresh();
  const signer = new AssertionSigner(config.id, keys.privateKey);
  const accessCache = new AccessCache(registry, signer, config.accessTtlMs);
  const policy = new GatewayAccessPolicy(accessCache);
  const callerAuth = new CallerAuth(gatewayAudience(config.id), registry);

  const subscriptions = new SubscriptionForwarder(registry, signer, accessCache, (message) => console.warn(`[gateway] ${message}`));

  const app = Fastify({ logger: config.logger ?? false, bodyLimit: 4 * 1024 * 1024 });
  const composition = new CompositionWatcher(app, registry, { watchMs: config.pollingIntervalMs, fullRefreshMs: config.fullRefreshMs ?? 60_000 });
  app.decorateRequest('principal', null);
  app.decorateRequest('principalExpiresAt', null);
  const metrics = new GatewayMetrics(config.id, registry, subscriptions);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/graphql')) return;
    try {
      const verified = await callerAuth.authenticate(request.headers.authorization);
      request.principal = verified?.principal ?? null;
      request.principalExpiresAt = verified?.expiresAt ?? null;
      const body = request.body as { query?: unknown } | undefined;
      const query = body?.query ?? (request.query as { query?: unknown } | undefined)?.query;
      if (typeof query === 'string' && query.length > QUERY_LIMITS.maxQueryLength) {
        throw new McxError(ErrorCode.QUERY_TOO_LARGE, queryTooLongMessage(query.length));
      }
    } catch (error) {
      const mcx = error instanceof McxError ? error : new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token is not valid');
      return reply.code(httpStatusFor(mcx.code)).send({ data: null, errors: [{ message: mcx.message, extensions: { code: mcx.code } }] });
    }
  });

  // Both packages are CommonJS: the default import is the plugin itself (their typings say otherwise).
  await app.register(mercuriusGateway as unknown as FastifyPluginAsync<Record<string, unknown>>, {
    graphiql: false,
    // Compile a query to JavaScript from its second run on (graphql-jit): about 30% less gateway CPU
    // per request in the directory benchmark (docs/performance.md).
    jit: 1,
    path: '/graphql',
    validationRules: [queryLimitsRule(), refuseFederationFields],
    errorFormatter: createErrorFormatter(() => registry.knownSlugs()) as never,
    context: (request: { principal: Principal | null }) => ({ principal: request.principal }),
    // Subscriptions over WebSocket at /graphql (graphql-transport-ws). The token comes in the
    // upgrade request's Authorization header or, from browsers, in connection_init's payload.
    subscription: {
      keepAlive: 15_000,
      onConnect: async ({ payload }: { payload?: unknown }): Promise<ConnectionAuth> => {
        const authorization = connectionToken(payload);
        if (authorization === undefined) return {};
        try {
          return { connectionAuth: (await callerAuth.authenticate(authorization)) ?? undefined };
        } catch (error) {
          return { connectionAuthError: error instanceof McxError ? error : new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token is not valid') };
        }
      },
    },
    gateway: {
      // Called by every recomposition (see composition.ts); the registry is refreshed there.
      services: async () => {
        const endpoints = registry.composable();
        composition.composed(endpoints.map((e) => e.slug));
        return endpoints.map((endpoint) => ({
          name: endpoint.slug,
          url: `${endpoint.url}/graphql`,
          mandatory: false,
          rewriteHeaders: async (_headers: unknown, context: GatewayContext) =>
            context?.principal ? { [ASSERTION_HEADER]: await signer.assertionFor(context.principal, endpoint.slug) } : {},
        }));
      },
    },
  } as never);
  composition.captureReplaceSchemaHooks();
  subscriptions.install(app.graphql.schema);
  const gatewayHooks = (app as unknown as { graphqlGateway: { addHook(name: string, hook: (instance: unknown, schema: GraphQLSchema) => void): void } }).graphqlGateway;
  gatewayHooks.addHook('onGatewayReplaceSchema', (_instance, schema) => subscriptions.install(schema));

  app.graphql.addHook('preExecution', async (schema, document, context) => {
    await policy.prepare(schema, document, context as unknown as GatewayContext);
  });
  const reportDenials = async (execution: ExecutionResult, context: unknown) => {
    const denials = (context as GatewayContext).mcx?.denials;
    for (const denial of denials?.list() ?? []) metrics.fieldDenials.inc({ field: denial.field }, denial.count);
    const errors = (execution.errors ?? []) as unknown as PlainError[];
    if ((denials === undefined || denials.size === 0) && errors.length === 0) return;
    const merged = mergeDenials(errors, denials);
    (execution as ExecutionResult).errors = merged as unknown as GraphQLError[];
  };
  app.graphql.addHook('onResolution', reportDenials);

  // Mercurius neither validates subscriptions nor runs preExecution for them: both are done here,
  // with the same rules as for queries. Errors thrown here reach the caller as they are.
  const subscriptionRules = [...specifiedRules, queryLimitsRule(), refuseFederationFields];
  app.graphql.addHook('preSubscriptionExecution', async (schema: GraphQLSchema, document: DocumentNode, context) => {
    const ctx = context as unknown as SubscriptionContext & ConnectionAuth;
    try {
      if (ctx.connectionAuthError) throw ctx.connectionAuthError;
      const invalid = validate(schema, document, subscriptionRules);
      if (invalid.length > 0) {
        throw new McxError((invalid[0]!.extensions?.code as ErrorCode | undefined) ?? ErrorCode.GRAPHQL_VALIDATION_FAILED, invalid[0]!.message);
      }
      const auth = ctx.connectionAuth ?? (ctx.request?.principal ? { principal: ctx.request.principal, expiresAt: ctx.request.principalExpiresAt! } : null);
      if (auth !== null && auth.expiresAt <= Date.now()) throw new McxError(ErrorCode.TOKEN_EXPIRED, "the connection's token has expired: connect again with a new one");
      ctx.principal = auth?.principal ?? null;
      ctx.principalExpiresAt = auth?.expiresAt;
      await policy.prepare(schema, document, ctx);
    } catch (error) {
      if (error instanceof McxError) throw ending(error.code, error.message).error;
      console.error('[gateway] subscription failed:', error);
      throw ending(ErrorCode.INTERNAL, 'Internal error').error;
    }
  });
  app.graphql.addHook('onSubscriptionResolution', reportDenials);

  await app.register(mercuriusAuth as unknown as FastifyPluginAsync<Record<string, unknown>>, {
    authDirective: 'access',
    applyPolicy: policy.applyPolicy as never,
  });

  registerGraphiql(app);
  await registerConsole(app);

  // Errors outside GraphQL (routing, body parsing, faults): a stable code, never internals.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) console.error('[gateway] internal error:', error);
    const code = status === 413 ? ErrorCode.QUERY_TOO_LARGE : status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_USER_INPUT;
    const message = status >= 500 ? 'Internal error' : error.message;
    return reply.code(status).send({ data: null, errors: [{ message, extensions: { code } }] });
  });

  app.get('/health', async () => {
    const systems = registry.status();
    return { status: systems.every((s) => s.state === 'composed') ? 'ok' : 'degraded', gateway: config.id, systems };
  });

  composition.start();
  app.addHook('onClose', async () => {
    composition.stop();
    subscriptions.close();
  });
  const address = await app.listen({ port: config.port, host: config.host });
  return {
    url: address,
    app,
    keys,
    registry,
    close: () => app.close(),
  };
}
