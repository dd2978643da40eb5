/**
 * What a caller may do in each owning system, as that system answers it (McxSystem.access). Kept for
 * a short time (default 500 ms), so a suspended agreement stops being honoured here within that time;
 * the subgraph itself re-checks every request.
 */
import type { EffectiveAccess } from '../../domain/access.js';
import type { Principal, ScopeGrant } from '../../domain/model.js';
import { TtlCache } from '../../common/ttl-cache.js';
import { ASSERTION_HEADER } from '../../common/http-headers.js';
import type { AssertionSigner } from './assertions.js';
import type { SystemRegistry } from './system-registry.js';

const NO_ACCESS = (owner: string, partner: string): EffectiveAccess => ({ owner, partner, isOwner: false, agreementStatus: null, grants: [] });

export class AccessCache {
  private readonly cache = new TtlCache<Promise<EffectiveAccess>>(10_000);

  constructor(
    private readonly registry: SystemRegistry,
    private readonly signer: AssertionSigner,
    private readonly ttlMs: number,
  ) {}

  accessAt(owner: string, principal: Principal): Promise<EffectiveAccess> {
    if (principal.system === owner) {
      return Promise.resolve({ owner, partner: owner, isOwner: true, agreementStatus: null, grants: [] });
    }
    const key = `${owner}\u0000${principal.system}`;
    let entry = this.cache.get(key);
    if (entry === undefined) {
      entry = this.fetchAccess(owner, principal);
      this.cache.set(key, entry, Date.now() + this.ttlMs);
    }
    return entry;
  }


  private async fetchAccess(owner: string, principal: Principal): Promise<EffectiveAccess> {
    const url = this.registry.urlOf(owner);
    if (url === undefined) return NO_ACCESS(owner, principal.system);
    try {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: await this.signer.assertionFor(principal, owner) },
        body: JSON.stringify({ query: `{ ${owner} { access { isOwner agreementStatus grants { scope organisations groups services } } } }` }),
        signal: AbortSignal.timeout(3000),
      });
      const body = (await response.json()) as {
        data?: Record<string, { access: { isOwner: boolean; agreementStatus: EffectiveAccess['agreementStatus']; grants: ScopeGrant[] } } | null>;
      };
      const access = body.data?.[owner]?.access;
      if (!access) throw new Error('no access in the answer');
      return { owner, partner: principal.system, isOwner: access.isOwner, agreementStatus: access.agreementStatus, grants: access.grants };
    } catch {
      // Unknown means nothing: deny, and do not keep the failure.
      this.cache.delete(`${owner}\u0000${principal.system}`);
      return NO_ACCESS(owner, principal.system);
    }
  }
}
