/** A GraphQL subscription client for integration tests: graphql-ws over a real WebSocket, events recorded. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { sleep } from './harness.js';

export interface SubscriptionEvent {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}

export interface SubscribeOptions {
  /** Sent in connection_init's payload ({ authorization }), as browsers do. */
  token?: string;
  /** Sent as the upgrade request's Authorization header instead, as machine clients may. */
  headerToken?: string;
  variables?: Record<string, unknown>;
  /** Extensions of the subscribe message (a gateway's assertion, when talking to a subgraph directly). */
  extensions?: Record<string, unknown>;
}

export class Subscriber {
  readonly events: SubscriptionEvent[] = [];
  /** The errors that ended the subscription (an `error` message, or the socket closing), if any. */
  failure: unknown = null;
  completed = false;
  private readonly client: Client;
  private readonly dispose: () => void;
  private acknowledged = false;

  constructor(url: string, query: string, options: SubscribeOptions = {}) {
    const headers = options.headerToken ? { authorization: `Bearer ${options.headerToken}` } : undefined;
    class HeaderWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, headers ? { headers } : {});
      }
    }
    this.client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: HeaderWebSocket,
      retryAttempts: 0,
      lazy: false,
      // A closed connection is recorded as the failure below; graphql-ws would also print it.
      onNonLazyError: () => undefined,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      on: { connected: () => (this.acknowledged = true) },
    });
    this.dispose = this.client.subscribe(
      { query, variables: options.variables ?? {}, ...(options.extensions && { extensions: options.extensions }) },
      {
        next: (value) => void this.events.push(value as SubscriptionEvent),
        error: (error) => (this.failure = error ?? 'error'),
        complete: () => (this.completed = true),
      },
    );
  }

  /** Resolves once the server acknowledged the connection and a little time passed for the subscription to start. */
  async ready(settleMs = 300): Promise<this> {
    await this.until('the connection is acknowledged', () => this.acknowledged || this.ended);
    await sleep(settleMs);
    return this;
  }

  get ended(): boolean {
    return this.completed || this.failure !== null;
  }

  /** Data events of the root field (the first key of each event's data). */
  changes(): Array<Record<string, any>> {
    return this.events.filter((e) => e.data).map((e) => Object.values(e.data!)[0] as Record<string, any>);
  }

  /** Codes of the errors seen: in events, and in the error that ended it. */
  codes(): string[] {
    const fromEvents = this.events.flatMap((e) => (e.errors ?? []).map((x) => String(x.extensions?.code)));
    const failure = Array.isArray(this.failure) ? (this.failure as SubscriptionEvent['errors'])!.map((x) => String(x.extensions?.code)) : [];
    return [...fromEvents, ...failure];
  }

  async until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (check()) return;
      await sleep(25);
    }
    throw new Error(`timed out waiting for: ${what} (events: ${JSON.stringify(this.events).slice(0, 800)}, failure: ${JSON.stringify(this.failure)})`);
  }

  async close(): Promise<void> {
    this.dispose();
    await this.client.dispose();
  }
}
