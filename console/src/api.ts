/**
 * The console's only way to the systems: the gateway's GraphQL at /graphql (same origin) — queries
 * and mutations over HTTP, subscriptions over WebSocket — with the signed-in administrator's token.
 */
import { createClient, type Client } from 'graphql-ws';

export interface GraphQLErrorBody {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A request that failed as a whole, or a mutation refused: the gateway's message and stable code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errors: GraphQLErrorBody[] = [],
  ) {
    super(message);
  }
}

export interface Answer<T> {
  data: T;
  /** Field-level errors that came with the data (e.g. a field a partner does not grant). */
  errors: GraphQLErrorBody[];
}

export class Api {
  private ws: Client | null = null;

  constructor(
    private readonly token: string | null,
    private readonly onUnauthenticated: () => void = () => undefined,
  ) {}

  /** Runs a query or mutation. Throws ApiError when there is no data, or when `strict` and any error came. */
  async request<T>(query: string, variables: Record<string, unknown> = {}, options: { strict?: boolean } = {}): Promise<Answer<T>> {
    let response: Response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError('The gateway cannot be reached. Check the connection and try again.', 'NETWORK');
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T | null; errors?: GraphQLErrorBody[] };
    const errors = body.errors ?? [];
    const first = errors[0];
    if (first?.extensions?.code === 'UNAUTHENTICATED' || first?.extensions?.code === 'TOKEN_EXPIRED') this.onUnauthenticated();
    if (body.data === undefined || body.data === null || (options.strict && errors.length > 0)) {
      throw new ApiError(first?.message ?? `The gateway answered HTTP ${response.status}`, first?.extensions?.code ?? `HTTP_${response.status}`, errors);
    }
    return { data: body.data, errors };
  }

  /** A mutation: any error means it did not go through (the gateway and the owner refuse whole). */
  async mutate<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return (await this.request<T>(query, variables, { strict: true })).data;
  }

  /** Follows a subscription; returns how to stop it. */
  subscribe(query: string, handlers: { next: () => void; error: (error: unknown) => void; connected?: (connected: boolean) => void }): () => void {
    if (this.ws === null) {
      const url = new URL('/graphql', location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      this.ws = createClient({
        url: url.toString(),
        connectionParams: this.token ? { authorization: `Bearer ${this.token}` } : {},
        retryAttempts: Infinity,
        shouldRetry: () => true,
        on: { connected: () => handlers.connected?.(true), closed: () => handlers.connected?.(false) },
      });
    }
    return this.ws.subscribe({ query }, { next: handlers.next, error: handlers.error, complete: () => undefined });
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = null;
  }
}

/** A GraphQL string literal. */
export function str(value: string): string {
  return JSON.stringify(value);
}
