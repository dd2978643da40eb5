/**
 * What a system shares with each partner, and how the partner applies it. Pure rules: no GraphQL, no SQL.
 *
 * - The owner keeps, per partner, an ordered feed of changes to what that partner may see: a user or
 *   group appears (upsert, with the partner's view of it), changes (upsert) or leaves the partner's
 *   view (delete). A `reset` entry says "forget everything I shared; what follows is all of it"
 *   (written when the grants change).
 * - Each entry has a sequence number (its cursor; increasing, not contiguous per partner). A batch
 *   says after which entry it starts (`afterSeq`, the previous entry the partner should have). The
 *   partner remembers the last entry it applied: entries at or below it are duplicates and are
 *   skipped; a batch that starts after an entry the partner does not have is a gap and is refused
 *   (the sender resumes from the partner's cursor). So delivery at least once applies every change
 *   exactly once.
 */
import {
  decideForGroup,
  decideForUser,
  groupVisible,
  userVisible,
  visibleServiceIds,
  type EffectiveAccess,
} from './access.js';
import type { AgreementMessage } from './agreement-lifecycle.js';
import type { JointGroupMessage } from './joint-groups.js';
import type { RequestMessage } from './requests.js';
import type { GroupRecord, McService, MemberRef, UserRecord } from './model.js';

export type FeedEntity = 'user' | 'group' | 'all' | 'agreement' | 'request' | 'jointGroup';
/** `notify`: a message about the agreement itself (AgreementMessage, agreement-lifecycle.ts), about requests (RequestMessage, requests.ts) or about joint groups (JointGroupMessage, joint-groups.ts). */
export type FeedOp = 'upsert' | 'delete' | 'reset' | 'notify';

/** A user as a partner may see it. */
export interface SharedUser {
  id: string;
  displayName: string;
  organisationId: string;
  mcptt: string | null;
  mcdata: string | null;
  mcvideo: string | null;
  functionalAliases: string[];
  enabledServices: McService[];
  securityDomain: string;
  /** Only with CONTACT_READ covering the user. */
  phone: string | null;
  email: string | null;
  updatedAt: string;
}

/** A group as a partner may see it. */
export interface SharedGroup {
  groupId: string;
  name: string;
  homeSystem: string;
  organisationId: string | null;
  services: McService[];
  /** Only with GROUP_CONFIG_READ covering the group. */
  members: MemberRef[] | null;
  memberLimit: number | null;
  disabled: boolean | null;
  updatedAt: string;
}

export interface FeedChange {
  entity: FeedEntity;
  entityId: string;
  op: FeedOp;
  payload: SharedUser | SharedGroup | AgreementMessage | RequestMessage | JointGroupMessage | null;
}

export function sharedUser(access: EffectiveAccess, user: UserRecord): SharedUser | null {
  if (!userVisible(access, user)) return null;
  const ids = visibleServiceIds(access, user);
  const contact = decideForUser(access, 'CONTACT_READ', user).allowed;
  return {
    id: user.id,
    displayName: user.displayName,
    organisationId: user.organisationId,
    mcptt: ids.get('MCPTT') ?? null,
    mcdata: ids.get('MCDATA') ?? null,
    mcvideo: ids.get('MCVIDEO') ?? null,
    functionalAliases: user.functionalAliases,
    enabledServices: user.enabledServices.filter((service) => ids.has(service)),
    securityDomain: user.securityDomain,
    phone: contact ? user.phone : null,
    email: contact ? user.email : null,
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function sharedGroup(access: EffectiveAccess, group: GroupRecord): SharedGroup | null {
  if (!groupVisible(access, group)) return null;
  const config = decideForGroup(access, 'GROUP_CONFIG_READ', group).allowed;
  return {
    groupId: group.groupId,
    name: group.name,
    homeSystem: group.homeSystem,
    organisationId: group.organisationId,
    services: group.services,
    members: config ? group.members.map(({ system, mcServiceId }) => ({ system, mcServiceId })) : null,
    memberLimit: config ? group.memberLimit : null,
    disabled: config ? group.disabled : null,
    updatedAt: group.updatedAt.toISOString(),
  };
}

/** The feed entry for one object that changed, or null when the partner neither saw nor sees it. */
export function changeFor<T>(
  entity: 'user' | 'group',
  entityId: string,
  before: T | null,
  after: T | null,
  view: (value: T) => SharedUser | SharedGroup | null,
): FeedChange | null {
  const seenBefore = before === null ? null : view(before);
  const seenAfter = after === null ? null : view(after);
  if (seenAfter !== null) return { entity, entityId, op: 'upsert', payload: seenAfter };
  if (seenBefore !== null) return { entity, entityId, op: 'delete', payload: null };
  return null;
}

/**
 * Where a caller who has seen the feed up to `after` continues. A partner never gets entries from
 * before the latest reset: those were written under grants that no longer hold (a reset is written
 * whenever the grants change), so it starts at the reset, which is followed by a full copy under
 * the current grants. The owner may read its whole history.
 */
export function feedStart(access: EffectiveAccess, after: number, latestResetSeq: number | null): number {
  if (access.isOwner || latestResetSeq === null || after >= latestResetSeq) return after;
  return latestResetSeq - 1;
}

export type ApplyPlan =
  | { kind: 'apply'; skipThrough: number }
  | { kind: 'duplicate' }
  | { kind: 'gap'; resumeAfter: number };

/**
 * How a partner that has applied entries up to `appliedSeq` treats a batch that follows entry
 * `afterSeq` and ends at entry `lastSeq`.
 */
export function planApply(appliedSeq: number, afterSeq: number, lastSeq: number): ApplyPlan {
  if (lastSeq <= appliedSeq) return { kind: 'duplicate' };
  if (afterSeq > appliedSeq) return { kind: 'gap', resumeAfter: appliedSeq };
  return { kind: 'apply', skipThrough: appliedSeq };
}

export const RETRY_BASE_MS = 200;
export const RETRY_MAX_MS = 1_000;

/** Delay before the next delivery attempt: exponential backoff with jitter (random in [0, 1)). */
export function retryDelayMs(attempts: number, random: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 20));
  return Math.round(exponential * (0.5 + random));
}
