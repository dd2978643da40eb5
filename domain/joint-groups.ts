/**
 * Joint (interconnection) groups: a group whose home is one system and in which partner systems take
 * part (TS 23.280 10.17: group identity provision and group membership updates across systems). Pure
 * rules: no GraphQL, no SQL, no I/O.
 *
 * - The **home** creates the group and keeps the only authoritative copy of its configuration and
 *   member list. It provides the group to chosen partners; each partner accepts it (by its policy or
 *   a person) before the group appears there.
 * - Every accepted **participant** holds a copy: the configuration and every member with its home
 *   system and security domain. The home sends the whole state, with a version, after every change;
 *   a participant applies a state only from the group's home and only when it is newer.
 * - A participant changes the member list only by asking the home (a request of kind `group.members`)
 *   to add or remove **its own** users, with an urgency; the home decides by its policy or a person.
 */
import { ErrorCode } from './errors.js';
import { MC_SERVICES, type McService } from './model.js';

export const URGENCIES = ['ROUTINE', 'URGENT', 'EMERGENCY'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Most urgent first. */
export function urgencyRank(urgency: Urgency): number {
  return URGENCIES.length - 1 - URGENCIES.indexOf(urgency);
}

export const MEMBERSHIP_OPERATIONS = ['add', 'remove'] as const;
export type MembershipOperation = (typeof MEMBERSHIP_OPERATIONS)[number];

/** A member as every participant knows it: the home system of the user and its security domain (KMS URI). */
export interface JointMember {
  system: string;
  mcServiceId: string;
  securityDomain: string | null;
}

/** The configuration the home shares; only the home changes it. */
export interface JointGroupConfig {
  groupId: string;
  name: string;
  homeSystem: string;
  services: McService[];
  /** 1 (highest) to 255 (lowest), as a group's priority is ranked in group management. */
  priority: number;
  memberLimit: number;
  disabled: boolean;
}

export const PARTICIPANT_STATUSES = ['OFFERED', 'ACCEPTED', 'DECLINED', 'SUSPENDED', 'REMOVED'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

export interface ParticipantRecord {
  partner: string;
  status: ParticipantStatus;
  /** The person or functional alias at the partner the group was addressed to. */
  handler: string | null;
  /** The provision request (its id at both sides). */
  requestId: string;
  /** Who accepted or declined it at the partner, or why it was removed. */
  decidedBy: string | null;
  reason: string | null;
  updatedAt: Date;
}

export const JOINT_GROUP_STATUSES = ['ACTIVE', 'SUSPENDED', 'REMOVED', 'DISSOLVED'] as const;
/** ACTIVE or DISSOLVED at the home; a participant's copy (made when it accepts) also SUSPENDED (the agreement is suspended) or REMOVED (by the home, or the agreement ended). */
export type JointGroupStatus = (typeof JOINT_GROUP_STATUSES)[number];

/** The whole shared state of a joint group, as the home sends it to every participant. */
export interface JointGroupState {
  config: JointGroupConfig;
  members: JointMember[];
  /** The systems taking part (the home's view: accepted participants). */
  participants: string[];
  status: 'ACTIVE' | 'DISSOLVED';
  /** Increases with every change the home makes. */
  version: number;
}

/** The body of a `group.provide` request (home to partner). */
export interface ProvideBody {
  groupId: string;
  state: JointGroupState;
}

/** The body of a `group.members` request (participant to home). */
export interface MembershipBody {
  groupId: string;
  operation: MembershipOperation;
  members: JointMember[];
  /** The requester's users named (their ids at the requester), in the order of `members`. */
  userIds: string[];
  urgency: Urgency;
}

/** What the home tells participants outside requests (in each participant's feed). */
export type JointGroupMessage =
  | { kind: 'jointGroup.state'; state: JointGroupState }
  /** The participant no longer takes part (removed by the home, or the group was dissolved before it accepted). */
  | { kind: 'jointGroup.removed'; groupId: string; reason: string };

type Verdict = { ok: true } | { ok: false; code: ErrorCode; reason: string };

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 255;

/** A configuration the home may set. */
export function checkConfig(config: Pick<JointGroupConfig, 'services' | 'priority' | 'memberLimit'>): Verdict {
  if (config.services.length === 0 || config.services.some((s) => !(MC_SERVICES as readonly string[]).includes(s))) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `services must be some of ${MC_SERVICES.join(', ')}` };
  }
  if (!Number.isInteger(config.priority) || config.priority < MIN_PRIORITY || config.priority > MAX_PRIORITY) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `priority is ${MIN_PRIORITY} (highest) to ${MAX_PRIORITY}` };
  }
  return { ok: true };
}

/** A participant may ask only for its own users. */
export function checkOwnMembers(requester: string, members: Array<Pick<JointMember, 'system' | 'mcServiceId'>>): Verdict {
  if (members.length === 0) return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'name at least one user' };
  const foreign = members.filter((m) => m.system !== requester);
  if (foreign.length > 0) {
    return {
      ok: false,
      code: ErrorCode.FOREIGN_MEMBER,
      reason: `${requester} may add or remove only its own users; not ${foreign.slice(0, 5).map((m) => `${m.system}:${m.mcServiceId}`).join(', ')}`,
    };
  }
  return { ok: true };
}

/**
 * Whether a membership update from a participant may be considered at all: the group is active at
 * the home and the requester is an accepted participant.
 */
export function checkParticipation(groupId: string, status: JointGroupStatus | null, participant: ParticipantStatus | null, requester: string): Verdict {
  if (status === null) return { ok: false, code: ErrorCode.NOT_FOUND, reason: `no joint group ${groupId}` };
  if (status === 'DISSOLVED') return { ok: false, code: ErrorCode.GROUP_DISSOLVED, reason: `joint group ${groupId} was dissolved` };
  if (participant !== 'ACCEPTED') {
    return { ok: false, code: ErrorCode.NOT_PARTICIPANT, reason: `${requester} does not take part in joint group ${groupId} (${participant === null ? 'never provided' : participant.toLowerCase()})` };
  }
  return { ok: true };
}

/** Whether the home's policy handles a membership update without a person: every one, or those of the urgencies it names. */
export function handledAutomatically(policy: { mode: 'automatic' | 'manual'; automaticUrgencies: Urgency[] }, urgency: Urgency): boolean {
  return policy.mode === 'automatic' || policy.automaticUrgencies.includes(urgency);
}

/** A participant applies a state only from the group's home, and only a newer one (states can be sent again). */
export function acceptState(sender: string, copy: { homeSystem: string; version: number } | null, state: JointGroupState): Verdict & { fresh?: boolean } {
  if (state.config.homeSystem !== sender) {
    return { ok: false, code: ErrorCode.NOT_GROUP_HOME, reason: `${sender} sent the state of joint group ${state.config.groupId}, whose home is ${state.config.homeSystem}` };
  }
  if (copy !== null && copy.homeSystem !== sender) {
    return { ok: false, code: ErrorCode.NOT_GROUP_HOME, reason: `joint group ${state.config.groupId} is homed at ${copy.homeSystem}, not ${sender}` };
  }
  return { ok: true, fresh: copy === null || state.version > copy.version };
}
