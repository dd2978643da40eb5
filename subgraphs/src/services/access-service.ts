/** Works out what a caller may do in this system, from this system's agreement with the caller's system. */
import { resolveAccess, type EffectiveAccess } from '../../../domain/access.js';
import type { Principal } from '../../../domain/model.js';
import type { Store } from '../store/store.js';

export class AccessService {
  constructor(
    private readonly owner: string,
    private readonly store: Store,
  ) {}

  /** Read on every request: a suspended agreement takes effect on the next request. */
  async accessFor(principal: Principal, now = new Date()): Promise<EffectiveAccess> {
    if (principal.system === this.owner) return resolveAccess(this.owner, principal, null, now);
    const agreement = await this.store.agreements.get(principal.system);
    return resolveAccess(this.owner, principal, agreement ?? null, now);
  }
}
