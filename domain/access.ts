/**
 * Access decisions: what a caller may read or change in an owning system, derived from the owner's
 * agreement with the caller's system. Used by the gateway (first line) and by every subgraph (which
 * re-applies the same rules itself). Pure: no GraphQL, no database.
 *
 * Restrictions of a grant:
 * - organisations: users and groups of those organisations only (a group without an organisation is
 *   covered only when organisations are not restricted);
 * - groups: only those groups (does not restrict users);
 * - services: only users and groups that have one of those services, and of a user only the
 *   MC service IDs of those services.
 */
import { effectiveStatus, isInForce } from './agreement.js';
import { ErrorCode, McxError } from './errors.js';
import {
  serviceIdsOf,
  type AccessScope,
  type AgreementRecord,
  type AgreementStatus,
  type GroupRecord,
  type McService,
  type MemberRef,
  type Principal,
  type ScopeGrant,
  type UserRecord,
} from './model.js';

export interface EffectiveAccess {
  /** The owning system. */
  owner: string;
  /** The caller's system. */
  partner: string;
  /** The caller belongs to the owning system: it sees and changes everything there. */
  isOwner: boolean;
  /** Status of the owner's agreement with the caller's system (null: none, or the caller is the owner). */
  agreementStatus: AgreementStatus | null;
  /** Grants in force now (empty unless the agreement is active and valid). */
  grants: ScopeGrant[];
}

export type Decision = { allowed: true } | { allowed: false; code: ErrorCode; reason: string };

const ALLOWED: Decision = { allowed: true };

function deny(code: ErrorCode, reason: string): Decision {
  return { allowed: false, code, reason };
}

/** Throws the decision's typed error when it refuses. */
export function requireAllowed(decision: Decision): void {
  if (!decision.allowed) throw new McxError(decision.code, decision.reason);
}

/** A system acting as a machine (itself, or a partner whose access is worked out for it). */
export function systemPrincipal(system: string): Principal {
  return { system, kind: 'system', subject: system };
}

export function resolveAccess(
  owner: string,
  principal: Principal,
  agreement: AgreementRecord | null,
  now: Date,
): EffectiveAccess {
  if (principal.system === owner) {
    return { owner, partner: principal.system, isOwner: true, agreementStatus: null, grants: [] };
  }
  if (agreement === null || agreement.partner !== principal.system) {
    return { owner, partner: principal.system, isOwner: false, agreementStatus: null, grants: [] };
  }
  return {
    owner,
    partner: principal.system,
    isOwner: false,
    agreementStatus: effectiveStatus(agreement, now),
    grants: isInForce(agreement, now) ? agreement.grantedToPartner : [],
  };
}

export function grantOf(access: EffectiveAccess, scope: AccessScope): ScopeGrant | null {
  return access.grants.find((grant) => grant.scope === scope) ?? null;
}

/** May the caller use this scope at all (before row restrictions)? */
export function mayUse(access: EffectiveAccess, scope: AccessScope): Decision {
  if (access.isOwner) return ALLOWED;
  if (access.agreementStatus === null) {
    return deny(ErrorCode.FORBIDDEN_FIELD, `${access.owner} has no agreement with ${access.partner}`);
  }
  if (access.agreementStatus !== 'ACTIVE') {
    return deny(ErrorCode.FORBIDDEN_FIELD, `the agreement between ${access.owner} and ${access.partner} is ${access.agreementStatus}`);
  }
  if (grantOf(access, scope) === null) {
    return deny(ErrorCode.FORBIDDEN_FIELD, `${access.owner} grants ${access.partner} no ${scope}`);
  }
  return ALLOWED;
}

function covers<T>(restriction: T[] | null, value: T | null): boolean {
  if (restriction === null) return true;
  return value !== null && restriction.includes(value);
}

function coversAny<T>(restriction: T[] | null, values: T[]): boolean {
  if (restriction === null) return true;
  return values.some((value) => restriction.includes(value));
}

type UserRow = Pick<UserRecord, 'organisationId' | 'mcpttId' | 'mcdataId' | 'mcvideoId'>;
type GroupRow = Pick<GroupRecord, 'groupId' | 'organisationId' | 'services'>;

function userCoveredBy(grant: ScopeGrant, user: UserRow): boolean {
  return (
    covers(grant.organisations, user.organisationId) &&
    coversAny(grant.services, serviceIdsOf(user).map(([service]) => service))
  );
}

function groupCoveredBy(grant: ScopeGrant, group: GroupRow): boolean {
  return (
    covers(grant.organisations, group.organisationId) &&
    covers(grant.groups, group.groupId) &&
    coversAny(grant.services, group.services)
  );
}

/** A scope applied to one user row (DIRECTORY_READ decides whether the row exists for the caller). */
export function decideForUser(access: EffectiveAccess, scope: AccessScope, user: UserRow): Decision {
  const scopeDecision = mayUse(access, scope);
  if (!scopeDecision.allowed || access.isOwner) return scopeDecision;
  const grant = grantOf(access, scope) as ScopeGrant;
  return userCoveredBy(grant, user)
    ? ALLOWED
    : deny(ErrorCode.FORBIDDEN_FIELD, `${scope} granted by ${access.owner} does not cover this user`);
}

/** A scope applied to one group row. */
export function decideForGroup(access: EffectiveAccess, scope: AccessScope, group: GroupRow): Decision {
  const scopeDecision = mayUse(access, scope);
  if (!scopeDecision.allowed || access.isOwner) return scopeDecision;
  const grant = grantOf(access, scope) as ScopeGrant;
  return groupCoveredBy(grant, group)
    ? ALLOWED
    : deny(ErrorCode.FORBIDDEN_FIELD, `${scope} granted by ${access.owner} does not cover group ${group.groupId}`);
}

export function userVisible(access: EffectiveAccess, user: UserRow): boolean {
  return decideForUser(access, 'DIRECTORY_READ', user).allowed;
}

export function groupVisible(access: EffectiveAccess, group: GroupRow): boolean {
  return decideForGroup(access, 'DIRECTORY_READ', group).allowed;
}

/** Organisations the caller may list (null: all). */
export function visibleOrganisations(access: EffectiveAccess): string[] | null {
  if (access.isOwner) return null;
  const grant = grantOf(access, 'DIRECTORY_READ');
  return grant === null ? [] : grant.organisations;
}

/** The MC service IDs of a user that the caller may see, by service. */
export function visibleServiceIds(access: EffectiveAccess, user: UserRow): Map<McService, string> {
  const ids = serviceIdsOf(user);
  const grant = access.isOwner ? null : grantOf(access, 'DIRECTORY_READ');
  const services = access.isOwner ? null : grant === null ? [] : grant.services;
  return new Map(services === null ? ids : ids.filter(([service]) => services.includes(service)));
}

/**
 * A caller changing a group's members: the owner may change any member; a partner needs
 * MEMBERSHIP_UPDATE covering the group and may only add or remove users of its own system.
 */
export function decideMembershipUpdate(access: EffectiveAccess, group: GroupRow, members: MemberRef[]): Decision {
  const scopeDecision = decideForGroup(access, 'MEMBERSHIP_UPDATE', group);
  if (!scopeDecision.allowed) return { ...scopeDecision, code: ErrorCode.FORBIDDEN };
  if (access.isOwner) return ALLOWED;
  const foreign = members.filter((member) => member.system !== access.partner);
  if (foreign.length > 0) {
    return deny(
      ErrorCode.FORBIDDEN,
      `${access.partner} may only add or remove its own users; not ${foreign.map((m) => `${m.system}:${m.mcServiceId}`).join(', ')}`,
    );
  }
  return ALLOWED;
}

/** Whose effective access a caller may look at: the owner's administrators any partner's, a partner only its own. */
export function decidePartnerView(access: EffectiveAccess, requestedPartner: string): Decision {
  if (access.isOwner || requestedPartner === access.partner) return ALLOWED;
  return deny(
    ErrorCode.FORBIDDEN_PARTNER_VIEW,
    `${access.partner} may not look at what ${access.owner} grants ${requestedPartner}`,
  );
}

/**
 * May the caller follow the feed the owner keeps for `partner` (pull it, or subscribe to it)? The
 * owner's own callers may follow any partner's feed; a partner only its own, and only while its
 * agreement is active.
 */
export function decideFeedView(access: EffectiveAccess, partner: string): Decision {
  const view = decidePartnerView(access, partner);
  if (!view.allowed || access.isOwner) return view;
  if (access.agreementStatus !== 'ACTIVE') {
    return deny(ErrorCode.FORBIDDEN, `${access.owner} shares nothing with ${access.partner} now (agreement: ${access.agreementStatus ?? 'none'})`);
  }
  return ALLOWED;
}

/** Only the owning system's own administrators and the system itself may do this. */
export function decideOwnerOnly(access: EffectiveAccess, what: string): Decision {
  return access.isOwner ? ALLOWED : deny(ErrorCode.FORBIDDEN, `only ${access.owner} itself may ${what}`);
}
