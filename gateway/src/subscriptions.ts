/**
 * Subscriptions through the gateway. Callers subscribe over WebSocket at /graphql (Mercurius, the
 * graphql-transport-ws protocol); each `Subscription.<slug>` field is forwarded to the owning
 * system's subgraph over one graphql-ws connection per subgraph, with the caller's signed assertion
 * in each subscription's extensions.
 *
 * This replaces @mercuriusjs/gateway's own forwarding, which shares one upstream subscription
 * between all callers that send the same query (a second caller would get events under the first
 * caller's access) and has one identity per connection (docs/sharing.md, "Live subscriptions").
 * Here every caller's subscription is its own upstream subscription, and before each event is
 * resolved the caller's access in the owning system is looked up again (AccessCache, a short TTL):
 * the @access directives of the event's fields are decided on current grants, and once the
 * agreement is no longer active the subscription ends with an error. It also ends when the caller's
 * token expires or the owning system goes away; every event has a cursor to resume from (`after`).
 */
import {
  GraphQLError,
  Kind,
  print,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { decideFeedView } from '../../domain/access.js';
import { ErrorCode, type ErrorCode as Code } from '../../domain/errors.js';
import { FieldDenials } from '../../common/field-denials.js';
import { ASSERTION_EXTENSION } from '../../common/http-headers.js';
import type { AccessCache } from './access-cache.js';
import type { GatewayContext } from './access-policy.js';
import type { AssertionSigner } from './assertions.js';
import type { SystemRegistry } from './system-registry.js';

/** What a forwarded subscription yields: the owner's answer, or the error that ends it. */
type ForwardedEvent = { data: Record<string, unknown> } | { error: GraphQLError };

export interface SubscriptionContext extends GatewayContext {
  /** When the caller's token expires (ms since the epoch): the subscription ends then. */
  principalExpiresAt?: number;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function ending(code: Code, message: string): { error: GraphQLError } {
  return { error: new GraphQLError(message, { extensions: { code } }) };
}

/** The subgraph's refusal, with its code kept (a code we do not know becomes INTERNAL, without its text). */
function fromUpstream(errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>): { error: GraphQLError } {
  const first = errors[0];
  const code = first?.extensions?.code;
  if (first === undefined || typeof code !== 'string' || !KNOWN_CODES.has(code)) return ending(ErrorCode.INTERNAL, 'Internal error');
  const { code: _code, ...details } = first.extensions ?? {};
  return { error: new GraphQLError(first.message, { extensions: { ...details, code } }) };
}

/** The operation being run and the fragments it uses (the owner knows nothing of the other operations). */
function operationDocument(info: GraphQLResolveInfo): DocumentNode {
  const used = new Map<string, FragmentDefinitionNode>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = info.fragments[name];
        if (fragment && !used.has(name)) {
          used.set(name, fragment);
          visit(fragment.selectionSet);
        }
      } else {
        visit(selection.selectionSet);
      }
    }
  };
  visit(info.operation.selectionSet);
  return { kind: Kind.DOCUMENT, definitions: [info.operation, ...used.values()] };
}

export class SubscriptionForwarder {
  private readonly clients = new Map<string, { url: string; client: Client }>();
  private active = 0;

  constructor(
    private readonly registry: SystemRegistry,
    private readonly signer: AssertionSigner,
    private readonly accessCache: AccessCache,
    private readonly log: (message: string) => void,
  ) {}

  get activeCount(): number {
    return this.active;
  }

  /** Makes the Subscription fields of a (newly composed) schema forward through this forwarder. */
  install(schema: GraphQLSchema): void {
    const fields = schema.getSubscriptionType()?.getFields() ?? {};
    for (const field of Object.values(fields)) {
      const owner = field.name;
      field.subscribe = (async (_root, args, context, info) => {
        try {
          return await this.subscribe(owner, args, context, info);
        } catch (error) {
          if (error instanceof GraphQLError) throw error;
          console.error('[gateway] subscription failed:', error);
          throw ending(ErrorCode.INTERNAL, 'Internal error').error;
        }
      }) as GraphQLFieldResolver<unknown, SubscriptionContext>;
      field.resolve = (event: ForwardedEvent, _args, _context, info) => {
        if ('error' in event) throw event.error;
        return event.data[String(info.path.key)];
      };
    }
  }

  close(): void {
    for (const { client } of this.clients.values()) void client.dispose();
    this.clients.clear();
  }

  private async subscribe(owner: string, args: { partner?: string | null }, context: SubscriptionContext, info: GraphQLResolveInfo): Promise<AsyncIterableIterator<ForwardedEvent>> {
    const principal = context.principal;
    const request = context.mcx;
    // Thrown errors reach the caller as they are (graphql-js locates them; no formatter runs): GraphQLErrors with a code.
    if (principal === null || request === undefined) throw ending(ErrorCode.UNAUTHENTICATED, 'subscriptions need a token').error;
    const access = request.accessByOwner.get(owner)!;
    const decision = decideFeedView(access, args.partner ?? access.partner);
    if (!decision.allowed) {
      this.log(`refused subscription by ${principal.kind} ${principal.subject} of ${principal.system} to ${owner}: ${decision.reason}`);
      throw ending(decision.code, decision.reason).error;
    }
    const url = this.registry.urlOf(owner);
    if (url === undefined) throw ending(ErrorCode.SUBGRAPH_UNAVAILABLE, `${owner} cannot be reached at the moment`).error;
    const upstream = this.clientFor(owner, url).iterate({
      query: print(operationDocument(info)),
      variables: info.variableValues,
      ...(info.operation.name && { operationName: info.operation.name.value }),
      extensions: { [ASSERTION_EXTENSION]: await this.signer.assertionFor(principal, owner) },
    });
    this.active += 1;
    return new ForwardedSubscription(upstream, {
      refresh: async () => {
        // The access the event's fields are decided with: as the owner answers it now.
        const current = await this.accessCache.accessAt(owner, principal);
        request.accessByOwner.set(owner, current);
        request.denials = new FieldDenials();
        const still = decideFeedView(current, args.partner ?? current.partner);
        return still.allowed ? null : ending(still.code, `subscription ended: ${still.reason}`);
      },
      expiresAt: context.principalExpiresAt ?? null,
      ownerGone: () => ending(ErrorCode.SUBGRAPH_UNAVAILABLE, `subscription ended: ${owner} cannot be reached; subscribe again with after: <the last cursor> to resume`),
      closed: () => (this.active -= 1),
    });
  }

  /** One connection per subgraph, for all callers; opened on first use, and again after it failed. */
  private clientFor(owner: string, url: string): Client {
    const known = this.clients.get(owner);
    if (known?.url === url) return known.client;
    if (known) void known.client.dispose();
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: true,
      // A lost connection ends its subscriptions (their callers resume with `after`); the next
      // subscription opens a new connection.
      retryAttempts: 0,
      keepAlive: 10_000,
    });
    this.clients.set(owner, { url, client });
    return client;
  }
}

interface ForwardingHooks {
  /** Looks up the caller's access anew; an event to end with when it no longer allows the subscription. */
  refresh(): Promise<{ error: GraphQLError } | null>;
  expiresAt: number | null;
  ownerGone(): { error: GraphQLError };
  closed(): void;
}

/** One caller's forwarded subscription: upstream results become events, until something ends it. */
class ForwardedSubscription implements AsyncIterableIterator<ForwardedEvent> {
  private done = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly expired: Promise<'expired'>;

  constructor(
    private readonly upstream: AsyncIterableIterator<FormattedExecutionResult<Record<string, unknown>, unknown>>,
    private readonly hooks: ForwardingHooks,
  ) {
    this.expired = new Promise((resolve) => {
      if (hooks.expiresAt === null) return;
      this.expiryTimer = setTimeout(() => resolve('expired'), Math.max(0, hooks.expiresAt - Date.now()));
    });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ForwardedEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<ForwardedEvent>> {
    if (this.done) return { done: true, value: undefined };
    let result: IteratorResult<FormattedExecutionResult<Record<string, unknown>, unknown>> | 'expired';
    try {
      result = await Promise.race([this.upstream.next(), this.expired]);
    } catch (error) {
      // graphql-ws rejects with the subgraph's errors (an array), or with the socket's close event.
      return this.finish(Array.isArray(error) ? fromUpstream(error) : this.hooks.ownerGone());
    }
    if (result === 'expired') return this.finish(ending(ErrorCode.TOKEN_EXPIRED, 'subscription ended: the token expired; subscribe again with a new token'));
    if (result.done) return this.finish(null);
    const value = result.value;
    if (!value.data) return this.finish(fromUpstream(value.errors ?? []));
    const refused = await this.hooks.refresh();
    if (refused) return this.finish(refused);
    return { done: false, value: { data: value.data } };
  }

  async return(): Promise<IteratorResult<ForwardedEvent>> {
    this.finish(null);
    return { done: true, value: undefined };
  }

  /** Ends the subscription: the last event (if any) is delivered, then nothing more. */
  private finish(last: { error: GraphQLError } | null): IteratorResult<ForwardedEvent> {
    if (!this.done) {
      this.done = true;
      clearTimeout(this.expiryTimer);
      void this.upstream.return?.();
      this.hooks.closed();
    }
    return last === null ? { done: true, value: undefined } : { done: false, value: last };
  }
}
