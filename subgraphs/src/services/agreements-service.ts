/** The owner's agreements with its partners, and what it grants each of them. */
import { decideOwnerOnly, decidePartnerView, requireAllowed, resolveAccess, type EffectiveAccess } from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { AgreementRecord, Principal, ScopeGrant } from '../../../domain/model.js';
import { validateGrants } from '../../../domain/validation.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { SharingService } from './sharing-service.js';

export class AgreementsService {
  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
  ) {}

  /** The owner sees all its agreements; a partner only its own. */
  async list(access: EffectiveAccess): Promise<AgreementRecord[]> {
    if (access.isOwner) return this.store.agreements.list();
    const own = await this.store.agreements.get(access.partner);
    return own ? [own] : [];
  }

  async get(access: EffectiveAccess, partner: string): Promise<AgreementRecord | null> {
    requireAllowed(decidePartnerView(access, partner));
    return (await this.store.agreements.get(partner)) ?? null;
  }

  /** What `partner` may do here now (the owner may ask for any partner, a partner only for itself). */
  async accessOf(access: EffectiveAccess, partner: string, now = new Date()): Promise<EffectiveAccess> {
    requireAllowed(decidePartnerView(access, partner));
    if (partner === access.partner) return access;
    const agreement = await this.store.agreements.get(partner);
    return resolveAccess(this.owner, { system: partner, kind: 'system', subject: partner }, agreement ?? null, now);
  }

  /** Replaces what this system grants a partner. Only this system's own administrators may. */
  async setGrants(access: EffectiveAccess, principal: Principal, partner: string, grants: ScopeGrant[]): Promise<AgreementRecord> {
    return this.audit.audited(principal, 'agreement.grants', `agreement:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, `change what it grants ${partner}`));
      const existing = await store.agreements.get(partner);
      if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no agreement with ${partner}`);
      if (existing.status === 'TERMINATED') throw new McxError(ErrorCode.CONFLICT, `the agreement with ${partner} is terminated`);
      const updated: AgreementRecord = { ...existing, grantedToPartner: validateGrants(grants), updatedAt: new Date() };
      await store.agreements.update(updated);
      await this.sharing.resnapshot(store, partner);
      return updated;
    });
  }
}
