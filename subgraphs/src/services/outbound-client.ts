/**
 * How this system talks to its partners: GraphQL requests through its outbound gateway, with its
 * own system token (signed with its key, audience the gateway, renewed before it expires). Used to
 * deliver the change feed and to read a partner's public card when proposing an agreement.
 */
import { gatewayIssuer, issueCallerToken } from '../../../identity/tokens.js';
import type { SystemKeys } from './system-keys.js';

export interface OutboundGateway {
  id: string;
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
}

export interface OutboundAnswer<T> {
  status: number;
  data: T | null;
  errors: Array<{ message: string; extensions?: { code?: string; [key: string]: unknown } }>;
}

/** The gateway could not be reached (or did not answer in time). */
export class UnreachableError extends Error {}

export class OutboundClient {
  private token: { value: string; renewAt: number; fingerprint: string } | undefined;

  constructor(
    private readonly owner: string,
    private readonly keys: SystemKeys,
    readonly gateway: OutboundGateway,
  ) {}

  /** The GraphQL endpoint partners reach this system at. */
  get endpoint(): string {
    return `${this.gateway.url}/graphql`;
  }

  private async callerToken(): Promise<string> {
    const key = this.keys.current;
    // A new token after a key rotation too: one signed with the previous key stops working after the grace period.
    if (!this.token || this.token.renewAt <= Date.now() || this.token.fingerprint !== key.fingerprint) {
      const value = await issueCallerToken(key.privateKey, { system: this.owner, kind: 'system', subject: this.owner, audience: gatewayIssuer(this.gateway.id), lifetimeSeconds: 300 });
      this.token = { value, renewAt: Date.now() + 240_000, fingerprint: key.fingerprint };
    }
    return this.token.value;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<OutboundAnswer<T>> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.callerToken()}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new UnreachableError(`cannot reach ${this.gateway.url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T | null; errors?: OutboundAnswer<T>['errors'] };
    return { status: response.status, data: body.data ?? null, errors: body.errors ?? [] };
  }
}
