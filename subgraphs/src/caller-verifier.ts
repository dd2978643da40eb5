/**
 * Who is calling: verifies the caller assertion a trusted gateway signed (cached until it expires)
 * and loads the caller's access in this system. Used for HTTP requests and for subscriptions.
 */
import { TtlCache } from '../../common/ttl-cache.js';
import { verifyAssertion, type TrustedGateway, type VerifiedAssertion } from '../../identity/tokens.js';
import type { Caller } from './graphql/context.js';
import type { SubgraphServices } from './services/subgraph-services.js';

export class CallerVerifier {
  private readonly verified = new TtlCache<VerifiedAssertion>(10_000);

  constructor(
    private readonly services: SubgraphServices,
    private readonly trustedGateways: TrustedGateway[],
  ) {}

  /** Throws a typed error (ASSERTION_UNTRUSTED, ...) for an assertion this system does not accept. */
  async verify(token: string): Promise<Caller> {
    let verified = this.verified.get(token);
    if (verified === undefined) {
      verified = await verifyAssertion(token, { subgraph: this.services.identity.slug, trusted: this.trustedGateways });
      this.verified.set(token, verified, verified.expiresAt);
    }
    const access = await this.services.access.accessFor(verified.principal);
    return { principal: verified.principal, access };
  }
}
