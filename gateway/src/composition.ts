/**
 * Keeps the composed schema in step with the systems that are up, without @mercuriusjs/gateway's
 * own polling (which rebuilds every subgraph's schema at every poll, a CPU burst that showed as a
 * latency tail, and which makes a returning system wait up to a whole polling interval):
 * - every `watchMs`, the registry checks each system's public metadata (one small GET each); when
 *   the set of composable systems changed (a system joined, left, came back, or changed contract
 *   version or key), the schema is recomposed at once;
 * - every `fullRefreshMs`, it is recomposed anyway (a subgraph may have changed its SDL).
 * Recomposing runs mercurius' gateway refresh and the gateway's onGatewayReplaceSchema hooks (which
 * mercurius-auth uses to protect the new schema), as the gateway's own polling does; one at a time.
 */
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { SystemRegistry } from './system-registry.js';

type ReplaceSchemaHook = (instance: FastifyInstance, schema: GraphQLSchema) => Promise<void> | void;

interface GatewayHandle {
  addHook(name: string, hook: (...args: never[]) => unknown): void;
  refresh(): Promise<GraphQLSchema | null>;
}

export class CompositionWatcher {
  private readonly replaceHooks: ReplaceSchemaHook[] = [];
  private composedKey = '';
  private lastFull = Date.now();
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly registry: SystemRegistry,
    private readonly options: { watchMs: number; fullRefreshMs: number },
  ) {}

  /** Call before other plugins add onGatewayReplaceSchema hooks (mercurius-auth), so they are run here too. */
  captureReplaceSchemaHooks(): void {
    const gateway = this.gateway();
    const addHook = gateway.addHook.bind(gateway);
    gateway.addHook = (name: string, hook: (...args: never[]) => unknown) => {
      if (name === 'onGatewayReplaceSchema') this.replaceHooks.push(hook as unknown as ReplaceSchemaHook);
      addHook(name, hook);
    };
  }

  /** What the schema is composed of now; set by the gateway's `services` function. */
  composed(slugs: string[]): void {
    this.composedKey = this.registry.compositionKey(slugs);
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.watchMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Recomposes when the composable systems changed or a full refresh is due. */
  check(): Promise<void> {
    if (this.running === null) {
      this.running = (async () => {
        try {
          await this.registry.refresh();
          const key = this.registry.compositionKey(this.registry.composable().map((s) => s.slug));
          if (key !== this.composedKey || Date.now() - this.lastFull >= this.options.fullRefreshMs) await this.recompose();
        } catch (error) {
          console.error('[gateway] recomposing failed:', error);
        } finally {
          this.running = null;
        }
      })();
    }
    return this.running;
  }

  private async recompose(): Promise<void> {
    this.lastFull = Date.now();
    const schema = await this.gateway().refresh();
    if (schema !== null) {
      for (const hook of this.replaceHooks) await hook(this.app, schema);
      this.app.graphql.replaceSchema(schema);
    }
    // A system whose metadata answered but whose schema could not be fetched is not in the schema
    // yet: try again at the next check rather than at the next full refresh.
    const fields = this.app.graphql.schema.getQueryType()?.getFields() ?? {};
    if (this.registry.composable().some((system) => !(system.slug in fields))) this.composedKey = '';
  }

  private gateway(): GatewayHandle {
    return (this.app as unknown as { graphqlGateway: GatewayHandle }).graphqlGateway;
  }
}
