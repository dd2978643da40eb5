/** Signs the short-lived caller assertions forwarded to subgraphs, reusing each for half its life. */
import type { KeyObject } from 'node:crypto';
import type { Principal } from '../../domain/model.js';
import { TtlCache } from '../../common/ttl-cache.js';
import { ASSERTION_LIFETIME_S, issueAssertion } from '../../identity/tokens.js';

export class AssertionSigner {
  private readonly cache = new TtlCache<Promise<string>>(10_000);

  constructor(
    private readonly gatewayId: string,
    private readonly key: KeyObject,
  ) {}

  assertionFor(principal: Principal, subgraph: string): Promise<string> {
    const key = `${subgraph}\u0000${principal.system}\u0000${principal.kind}\u0000${principal.subject}`;
    let token = this.cache.get(key);
    if (token === undefined) {
      token = issueAssertion(this.key, { gatewayId: this.gatewayId, subgraph, principal });
      this.cache.set(key, token, Date.now() + (ASSERTION_LIFETIME_S * 1000) / 2);
    }
    return token;
  }
}
