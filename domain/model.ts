/** Plain domain types shared by the gateway, the subgraphs and the rules. No GraphQL, no SQL. */

export const MC_SERVICES = ['MCPTT', 'MCDATA', 'MCVIDEO'] as const;
export type McService = (typeof MC_SERVICES)[number];

/**
 * What an owning system can grant a partner. Each scope is restricted to organisations, groups and
 * services (see access.ts for how each restriction applies).
 */
export const ACCESS_SCOPES = [
  'DIRECTORY_READ',
  'CONTACT_READ',
  'GROUP_CONFIG_READ',
  'MIGRATION_REQUEST',
  'MEMBERSHIP_UPDATE',
  'VISITOR_SERVICES_TOGGLE',
  'SECURITY_PARAMS_EXCHANGE',
  'AUDIT_READ',
] as const;
export type AccessScope = (typeof ACCESS_SCOPES)[number];

export const AGREEMENT_STATUSES = ['PROPOSED', 'ACTIVE', 'SUSPENDED', 'TERMINATED', 'EXPIRED', 'DECLINED'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export type CallerKind = 'admin' | 'system';

/** Who is calling: an administrator of a system, or a system acting as a machine. */
export interface Principal {
  /** Slug of the system the caller belongs to. */
  system: string;
  kind: CallerKind;
  /** Administrator's login name, or the system's slug for machine callers. */
  subject: string;
}

/**
 * One scope granted by an owner to a partner. A restriction that is null does not restrict;
 * an empty list allows nothing in that dimension.
 */
export interface ScopeGrant {
  scope: AccessScope;
  organisations: string[] | null;
  groups: string[] | null;
  services: McService[] | null;
}

/** The owner's record of its agreement with one partner. */
export interface AgreementRecord {
  partner: string;
  partnerName: string;
  status: AgreementStatus;
  validFrom: Date | null;
  validUntil: Date | null;
  partnerKeyFingerprint: string | null;
  /** The partner's pinned public key (PEM); messages from the partner must be signed with it. */
  partnerPublicKey: string | null;
  /** What this (owning) system grants the partner. Only the owner edits it. */
  grantedToPartner: ScopeGrant[];
  /** What the partner grants this system (the partner's copy is authoritative). */
  grantedByPartner: ScopeGrant[];
  /** Which side proposed it; null for an agreement made beforehand (seeded). */
  proposedBy: 'self' | 'partner' | null;
  /** This side's administrators confirmed the partner's key fingerprint (compared out of band). */
  fingerprintConfirmed: boolean;
  /** While suspended: the side that asked to resume (the other side's resume makes it active). */
  resumeRequestedBy: 'self' | 'partner' | null;
  /** Why it was declined, suspended or terminated. */
  statusReason: string | null;
  /** The partner's security parameters as it sent them (id, domain, KMS URI, endpoint, key); null when seeded. */
  partnerCard: {
    systemId: string;
    slug: string;
    name: string;
    domain: string;
    securityDomain: string;
    endpoint: string;
    publicKey: string;
  } | null;
  /** After the partner rotated its key: the key it replaced, still accepted until `validUntil`. */
  partnerPreviousKey: { publicKey: string; validUntil: Date } | null;
  /** Messages this side sent under the agreement, and the last one applied from the partner (both count from 1). */
  messagesSent: number;
  messagesReceived: number;
  updatedAt: Date;
}

export interface UserRecord {
  id: string;
  displayName: string;
  organisationId: string;
  mcpttId: string | null;
  mcdataId: string | null;
  mcvideoId: string | null;
  functionalAliases: string[];
  enabledServices: McService[];
  securityDomain: string;
  phone: string | null;
  email: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrganisationRecord {
  id: string;
  name: string;
  kind: string;
}

export interface MemberRef {
  system: string;
  mcServiceId: string;
  /** The member's security domain (KMS URI), where this system knows it. */
  securityDomain?: string | null;
}

export interface GroupRecord {
  groupId: string;
  name: string;
  homeSystem: string;
  organisationId: string | null;
  services: McService[];
  memberLimit: number;
  disabled: boolean;
  members: MemberRef[];
  createdAt: Date;
  updatedAt: Date;
}

export type AuditResult = 'OK' | 'DENIED' | 'FAILED';

export interface AuditRecord {
  id: number;
  at: Date;
  actorSystem: string;
  actorKind: CallerKind;
  actorSubject: string;
  action: string;
  target: string;
  result: AuditResult;
  code: string | null;
  detail: string | null;
}

/** The MC service IDs a user holds, by service. */
export function serviceIdsOf(user: Pick<UserRecord, 'mcpttId' | 'mcdataId' | 'mcvideoId'>): Array<[McService, string]> {
  const ids: Array<[McService, string]> = [];
  if (user.mcpttId) ids.push(['MCPTT', user.mcpttId]);
  if (user.mcdataId) ids.push(['MCDATA', user.mcdataId]);
  if (user.mcvideoId) ids.push(['MCVIDEO', user.mcvideoId]);
  return ids;
}
