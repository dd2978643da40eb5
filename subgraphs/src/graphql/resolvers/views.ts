/** Maps domain records to the shapes the GraphQL types expose. */
import type { EffectiveAccess } from '../../../../domain/access.js';
import { effectiveStatus } from '../../../../domain/agreement.js';
import type { AgreementRecord } from '../../../../domain/model.js';
import type { SystemIdentity } from '../../services/system-identity.js';
import { CONTRACT_VERSION } from '../../../../schema/contract-version.js';
import type { Access, Agreement } from '../types/agreement.js';
import type { McxSystem } from '../types/system.js';

export function systemView(identity: SystemIdentity): McxSystem {
  return {
    id: identity.id,
    slug: identity.slug,
    name: identity.name,
    domain: identity.domain,
    securityDomain: identity.securityDomain,
    contractVersion: CONTRACT_VERSION,
    publicKey: identity.keys.current.publicKeyPem,
    publicKeyFingerprint: identity.keys.current.fingerprint,
    previousPublicKey: identity.keys.previous?.publicKeyPem ?? null,
    previousKeyValidUntil: identity.keys.previous?.validUntil ?? null,
  };
}

/** An agreement as the owning system `owner` keeps it (sides shown as the systems' slugs). */
export function agreementView(agreement: AgreementRecord, owner: string, now = new Date()): Agreement {
  const slugOf = (side: 'self' | 'partner' | null) => (side === null ? null : side === 'self' ? owner : agreement.partner);
  const card = agreement.partnerCard;
  return {
    partnerSystem: agreement.partner,
    partnerName: agreement.partnerName,
    status: effectiveStatus(agreement, now) as Agreement['status'],
    validFrom: agreement.validFrom,
    validUntil: agreement.validUntil,
    partnerKeyFingerprint: agreement.partnerKeyFingerprint,
    grantedToPartner: agreement.grantedToPartner as Agreement['grantedToPartner'],
    grantedByPartner: agreement.grantedByPartner as Agreement['grantedByPartner'],
    proposedBy: slugOf(agreement.proposedBy),
    fingerprintConfirmed: agreement.fingerprintConfirmed,
    resumeRequestedBy: slugOf(agreement.resumeRequestedBy),
    statusReason: agreement.statusReason,
    partnerParameters: card && { systemId: card.systemId, domain: card.domain, securityDomain: card.securityDomain, endpoint: card.endpoint, publicKey: card.publicKey },
    updatedAt: agreement.updatedAt,
  };
}

export function accessView(access: EffectiveAccess): Access {
  return {
    owner: access.owner,
    partner: access.partner,
    isOwner: access.isOwner,
    agreementStatus: access.agreementStatus as Access['agreementStatus'],
    grants: access.grants as Access['grants'],
  };
}
