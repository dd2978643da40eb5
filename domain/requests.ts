/**
 * Administrative requests between systems (TS 23.280 10.17, ACM): one system asks a partner to set
 * something up for its users; the partner decides, by its local policy (automatically) or by a
 * person (manually, from a pending queue), and answers. Pure rules: no GraphQL, no SQL, no I/O.
 *
 * This module holds what both sides decide the same way: what a migration request may carry, how
 * the receiving side assesses it under its agreement and policy (per user, so that a partly valid
 * list is either refused whole or approved in part, saying which users and why), and the request's
 * status.
 */
import { ErrorCode } from './errors.js';
import { MC_SERVICES, type McService, type ScopeGrant } from './model.js';
import type { EffectiveAccess } from './access.js';
import type { MembershipBody, ProvideBody, Urgency } from './joint-groups.js';

export const REQUEST_KINDS = ['migration.authorise', 'migration.remove', 'services.toggle', 'group.provide', 'group.members'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'PARTLY_APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** At most this many users in one request (a large incident: thousands of responders). */
export const MAX_REQUEST_USERS = 10_000;

/** One of the requesting system's users, as the request names it. */
export interface MigratingUser {
  userId: string;
  displayName: string;
  organisationId: string;
  /** The user's MCPTT ID (or another MC service ID) at home. */
  mcServiceId: string;
  /** The user's home security domain (KMS URI). */
  securityDomain: string;
}

export interface MigrationBody {
  users: MigratingUser[];
  services: McService[];
  /** ISO-8601. */
  validFrom: string;
  validUntil: string;
}

export interface RemovalBody {
  userIds: string[];
}

/** Turn services on or off for visitors: some users, all users of an organisation, or all (both null). */
export interface ServiceToggleBody {
  userIds: string[] | null;
  organisationId: string | null;
  /** The services enabled from then on (of those each visitor is authorised for). */
  enabled: McService[];
  /** When it takes effect (ISO-8601); null: at once. */
  at: string | null;
}

/** Joint groups (joint-groups.ts): the home provides a group to a partner; a participant asks the home to change members. */
export type RequestBody = MigrationBody | RemovalBody | ServiceToggleBody | ProvideBody | MembershipBody;

/** The services a visitor has enabled after a toggle: those asked for, of those authorised. */
export function enabledAfterToggle(authorised: McService[], enabled: McService[]): McService[] {
  return authorised.filter((s) => enabled.includes(s));
}

/** Whether a toggle asked for by a partner may be taken: an active agreement granting VISITOR_SERVICES_TOGGLE, a sensible body. */
export function assessToggle(access: EffectiveAccess, body: ServiceToggleBody, now: Date): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (access.agreementStatus !== 'ACTIVE') return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${access.owner} takes no requests from ${access.partner} now (agreement: ${access.agreementStatus ?? 'none'})` };
  if (!access.grants.some((g) => g.scope === 'VISITOR_SERVICES_TOGGLE')) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${access.owner} grants ${access.partner} no VISITOR_SERVICES_TOGGLE` };
  return checkToggleShape(body, now);
}

export function checkToggleShape(body: ServiceToggleBody, now: Date): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (body.userIds !== null && body.organisationId !== null) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'name users or an organisation, not both' };
  if (body.userIds !== null && (body.userIds.length === 0 || body.userIds.length > MAX_REQUEST_USERS)) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `name 1 to ${MAX_REQUEST_USERS} users` };
  if (body.enabled.some((s) => !(MC_SERVICES as readonly string[]).includes(s))) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `services must be some of ${MC_SERVICES.join(', ')}` };
  if (body.at !== null && (Number.isNaN(Date.parse(body.at)) || Date.parse(body.at) < now.getTime() - 60_000)) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'at must be a time from now on' };
  return { ok: true };
}

/**
 * A system's rules for one kind of request with one partner (or with all): who of this system may
 * send it to the partner (`requesters`), and — when the partner sends it — how it is handled and who
 * of this system may decide it (`responders`).
 */
export interface RequestPolicy {
  /** Who of this system may send this kind of request to the partner: administrators' subjects (null: every administrator, and the system itself). */
  requesters: string[] | null;
  /** Who of this system may decide it: administrators' subjects, e.g. their MC service IDs (null: every administrator). */
  responders: string[] | null;
  /** automatic: decided at once by these rules; manual: queued for an authorised person. */
  mode: 'automatic' | 'manual';
  /** At most this many users per request (up to MAX_REQUEST_USERS). */
  maxUsers: number;
  /** Only users of these organisations of the requester (null: any the agreement covers). */
  organisations: string[] | null;
  /** Only these services (null: any the agreement grants). */
  services: McService[] | null;
  /** Longest authorisation, in days. */
  maxDays: number;
  /** With automatic handling: approve the valid users of a partly valid list (otherwise refuse it whole). */
  approvePart: boolean;
  /** A pending request nobody decided expires after this many seconds. */
  pendingSeconds: number;
  /** What a visiting profile issued under this policy gives: this system's groups the visitor may use, and functional aliases here. */
  visitorGroups: string[];
  visitorAliases: string[];
  /** group.members in manual mode: updates of these urgencies are still handled automatically (e.g. EMERGENCY). */
  automaticUrgencies: Urgency[];
}

export const DEFAULT_POLICY: RequestPolicy = {
  requesters: null,
  responders: null,
  mode: 'manual',
  maxUsers: MAX_REQUEST_USERS,
  organisations: null,
  services: null,
  maxDays: 30,
  approvePart: false,
  pendingSeconds: 24 * 3600,
  visitorGroups: [],
  visitorAliases: [],
  automaticUrgencies: [],
};

export interface UserVerdict {
  userId: string;
  code: ErrorCode;
  reason: string;
}

export type Assessment =
  | { ok: false; code: ErrorCode; reason: string }
  | { ok: true; approvable: MigratingUser[]; refused: UserVerdict[] };

function grantOf(access: EffectiveAccess): ScopeGrant | undefined {
  return access.grants.find((g) => g.scope === 'MIGRATION_REQUEST');
}

/**
 * Whether a partner may send a request of this kind at all: an active agreement that grants it
 * MIGRATION_REQUEST. Used by the sender (which stops there) and by the receiver.
 */
export function decideRequestRight(access: EffectiveAccess): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (access.agreementStatus !== 'ACTIVE') {
    return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${access.owner} takes no requests from ${access.partner} now (agreement: ${access.agreementStatus ?? 'none'})` };
  }
  if (grantOf(access) === undefined) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${access.owner} grants ${access.partner} no MIGRATION_REQUEST` };
  return { ok: true };
}

/** The shape of a migration request, checked by the sender before it sends and by the receiver again. */
export function checkMigrationShape(body: MigrationBody, now: Date): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (body.users.length === 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'name at least one user' };
  if (body.users.length > MAX_REQUEST_USERS) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `a request names at most ${MAX_REQUEST_USERS} users (this one ${body.users.length})` };
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const user of body.users) {
    if (seen.has(user.userId)) duplicates.push(user.userId);
    seen.add(user.userId);
  }
  if (duplicates.length > 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `users named twice: ${duplicates.slice(0, 5).join(', ')}` };
  if (body.services.length === 0 || body.services.some((s) => !(MC_SERVICES as readonly string[]).includes(s))) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `services must be some of ${MC_SERVICES.join(', ')}` };
  }
  const from = Date.parse(body.validFrom);
  const until = Date.parse(body.validUntil);
  if (Number.isNaN(from) || Number.isNaN(until) || from >= until) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'validFrom must be before validUntil' };
  if (until <= now.getTime()) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'the period has already ended' };
  return { ok: true };
}

/**
 * How the receiving system assesses a migration request from a partner under its agreement
 * (`access`: what the partner may do here) and its policy. A refusal of the whole request, or the
 * users that may be approved and those that may not, each with a reason.
 */
export function assessMigration(access: EffectiveAccess, policy: RequestPolicy, body: MigrationBody, now: Date): Assessment {
  const right = decideRequestRight(access);
  if (!right.ok) return right;
  const shape = checkMigrationShape(body, now);
  if (!shape.ok) return shape;
  if (body.users.length > policy.maxUsers) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `${access.owner} takes at most ${policy.maxUsers} users per request from ${access.partner}` };
  }
  const days = (Date.parse(body.validUntil) - Math.max(Date.parse(body.validFrom), now.getTime())) / 86_400_000;
  if (days > policy.maxDays) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `${access.owner} authorises migration for at most ${policy.maxDays} days` };
  const grant = grantOf(access)!;
  const notGranted = body.services.filter((s) => (grant.services !== null && !grant.services.includes(s)) || (policy.services !== null && !policy.services.includes(s)));
  if (notGranted.length > 0) return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${access.owner} does not authorise ${notGranted.join(', ')} for ${access.partner}'s users` };
  const approvable: MigratingUser[] = [];
  const refused: UserVerdict[] = [];
  for (const user of body.users) {
    if (grant.organisations !== null && !grant.organisations.includes(user.organisationId)) {
      refused.push({ userId: user.userId, code: ErrorCode.FORBIDDEN, reason: `the agreement does not cover organisation ${user.organisationId}` });
    } else if (policy.organisations !== null && !policy.organisations.includes(user.organisationId)) {
      refused.push({ userId: user.userId, code: ErrorCode.FORBIDDEN, reason: `${access.owner}'s policy does not cover organisation ${user.organisationId}` });
    } else {
      approvable.push(user);
    }
  }
  return { ok: true, approvable, refused };
}

/** The automatic decision on an assessed request. */
export function automaticDecision(assessment: Assessment, policy: RequestPolicy): { status: RequestStatus; approved: MigratingUser[]; refused: UserVerdict[]; reason: string | null } {
  if (!assessment.ok) return { status: 'REJECTED', approved: [], refused: [], reason: assessment.reason };
  if (assessment.refused.length === 0) return { status: 'APPROVED', approved: assessment.approvable, refused: [], reason: null };
  if (assessment.approvable.length > 0 && policy.approvePart) {
    return { status: 'PARTLY_APPROVED', approved: assessment.approvable, refused: assessment.refused, reason: `${assessment.refused.length} of the users could not be approved` };
  }
  return { status: 'REJECTED', approved: [], refused: assessment.refused, reason: `${assessment.refused.length} of the users could not be approved, and the policy refuses such a list whole` };
}

/**
 * A person's decision on a pending request: approve all, approve part (the users named, which must
 * be approvable), or reject with a reason.
 */
export function manualDecision(
  assessment: Assessment,
  decision: { kind: 'APPROVE' | 'APPROVE_PART' | 'REJECT'; userIds: string[] | null; reason: string | null },
): { ok: true; status: RequestStatus; approved: MigratingUser[]; refused: UserVerdict[]; reason: string | null } | { ok: false; code: ErrorCode; reason: string } {
  if (decision.kind === 'REJECT') {
    if (!decision.reason) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'say why the request is rejected' };
    return { ok: true, status: 'REJECTED', approved: [], refused: [], reason: decision.reason };
  }
  if (!assessment.ok) return { ok: false, code: assessment.code, reason: `it cannot be approved: ${assessment.reason}` };
  if (decision.kind === 'APPROVE') {
    if (assessment.refused.length > 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `${assessment.refused.length} of the users cannot be approved: approve part, naming the others` };
    return { ok: true, status: 'APPROVED', approved: assessment.approvable, refused: [], reason: decision.reason };
  }
  const chosen = new Set(decision.userIds ?? []);
  if (chosen.size === 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'name the users to approve' };
  const approvableIds = new Set(assessment.approvable.map((u) => u.userId));
  const notApprovable = [...chosen].filter((id) => !approvableIds.has(id));
  if (notApprovable.length > 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `these users cannot be approved: ${notApprovable.slice(0, 5).join(', ')}` };
  const approved = assessment.approvable.filter((u) => chosen.has(u.userId));
  const refused: UserVerdict[] = [
    ...assessment.refused,
    ...assessment.approvable.filter((u) => !chosen.has(u.userId)).map((u) => ({ userId: u.userId, code: ErrorCode.FORBIDDEN, reason: decision.reason ?? 'not approved' })),
  ];
  return { ok: true, status: refused.length === 0 ? 'APPROVED' : 'PARTLY_APPROVED', approved, refused, reason: decision.reason };
}

/** Whether this person of the system may send, or decide, this kind of request (`who`: the policy's list). */
export function decidePerson(who: string[] | null, principal: { kind: string; subject: string }, what: string): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (who === null || who.includes(principal.subject)) return { ok: true };
  return { ok: false, code: ErrorCode.FORBIDDEN, reason: `${principal.subject} may not ${what} (the policy names ${who.length === 0 ? 'nobody' : who.slice(0, 5).join(', ')})` };
}

/** Whether a request in this status may still be decided or withdrawn. */
export function isPending(status: RequestStatus): boolean {
  return status === 'PENDING';
}

/** What travels between the two systems about requests (in the change feed, signed when delivered). */
export type RequestMessage =
  | { kind: 'request'; id: string; requestKind: RequestKind; requester: { system: string; subject: string }; handler: string | null; body: RequestBody }
  | {
      kind: 'response';
      id: string;
      status: RequestStatus;
      /** Ids of the users approved (or removed). */
      approved: string[];
      refused: UserVerdict[];
      decidedBy: string;
      reason: string | null;
    }
  | { kind: 'withdraw'; id: string }
  /** The receiving system ended authorisations on its own (revoked, expired, agreement out of force). */
  | { kind: 'authorisations.ended'; userIds: string[]; status: 'REVOKED' | 'EXPIRED'; reason: string }
  /** Services of visitors turned on or off (at once, or at the scheduled time), as each visitor has them now. */
  | { kind: 'services.changed'; changes: Array<{ userId: string; enabledServices: McService[] }> }
  /** A change of visitors' services was scheduled (so that the home system sees it coming). */
  | { kind: 'services.scheduled'; scheduleId: string; body: ServiceToggleBody };
