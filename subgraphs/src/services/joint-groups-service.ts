/**
 * Joint groups across systems (docs/joint-groups.md; rules in domain/joint-groups.ts):
 *
 * - the **home** creates a joint group (a group of its own, with a priority) and provides it to
 *   partners with a `group.provide` request, addressed to the partner system or a person there;
 * - a partner accepts it by its policy or a person; from then on it holds a copy of the whole state
 *   (configuration, every member with home system and security domain), which the home sends again
 *   after every change, through the change feed;
 * - a participant asks the home to add or remove its own users (`group.members`, with an urgency);
 *   the home decides by its policy (for example emergencies automatically) or a person, under the
 *   same rules as its own changes (member limit, disabled group) and the agreement's scopes;
 * - the home removes a partner or dissolves the group; an agreement suspended or ended removes the
 *   partner's members; every participant is told.
 *
 * Everything runs in the request pipeline (requests-service.ts): stored, audited and answered there.
 */
import { randomUUID } from 'node:crypto';
import { decideMembershipUpdate, decideOwnerOnly, requireAllowed, resolveAccess, systemPrincipal, type EffectiveAccess } from '../../../domain/access.js';
import { effectiveStatus } from '../../../domain/agreement.js';
import { ErrorCode, isMcxError, McxError } from '../../../domain/errors.js';
import {
  acceptState,
  checkConfig,
  checkOwnMembers,
  checkParticipation,
  handledAutomatically,
  type JointGroupConfig,
  type JointGroupMessage,
  type JointGroupState,
  type JointMember,
  type MembershipBody,
  type MembershipOperation,
  type ParticipantRecord,
  type ProvideBody,
  type Urgency,
} from '../../../domain/joint-groups.js';
import { membersToAdd, membersToRemove } from '../../../domain/groups.js';
import type { GroupRecord, McService, MemberRef, Principal } from '../../../domain/model.js';
import type { RequestPolicy, UserVerdict } from '../../../domain/requests.js';
import { validateSlug } from '../../../domain/validation.js';
import type { JointGroupRecord } from '../store/joint-group-store.js';
import type { RequestRecord } from '../store/request-store.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { GroupsService } from './groups-service.js';
import type { OutboundClient } from './outbound-client.js';
import type { ManualDecision, RequestOutcome, RequestsService } from './requests-service.js';
import type { SharingService } from './sharing-service.js';

export interface JointGroupInput {
  groupId: string;
  name: string;
  services: McService[];
  priority: number;
  memberLimit: number;
  organisationId: string | null;
  /** The home's first members (its own users; the home may also name partners' users). */
  members: MemberRef[];
  /** Partners to provide it to at once, each optionally addressed to a person or functional alias there. */
  partners: Array<{ partner: string; handler: string | null }>;
}

export type JointGroupPatch = Partial<Pick<JointGroupConfig, 'name' | 'services' | 'priority' | 'memberLimit' | 'disabled'>>;

/** A partner's part in a joint group, as shown. */
export type ParticipantView = Omit<ParticipantRecord, 'requestId'>;

/** A joint group as this system holds it: the home's own group, or a participant's copy. */
export interface JointGroupView {
  record: JointGroupRecord;
  config: JointGroupConfig;
  members: JointMember[];
  /** At the home: every partner it was provided to; at a participant: the accepted participants it was told of. */
  participants: ParticipantView[];
}

/** What the member's own system shows this system of one member. */
export interface MemberDetails {
  user: {
    id: string;
    displayName: string;
    organisationId: string;
    organisationName: string | null;
    mcptt: string | null;
    mcdata: string | null;
    mcvideo: string | null;
    enabledServices: McService[];
    securityDomain: string;
    phone: string | null;
    email: string | null;
  } | null;
  /** Why details are missing or partial (the member's system's words). */
  note: string | null;
}

function refusal(groupId: string, code: ErrorCode, reason: string): RequestOutcome {
  return { status: 'REJECTED', approved: [], refused: [{ userId: groupId, code, reason }], reason };
}

function outcomeOf(error: unknown, groupId: string): RequestOutcome {
  if (isMcxError(error)) return refusal(groupId, error.code, error.message);
  throw error;
}

const DETAILS_QUERY = (system: string) => `query MemberDetails($ids: [String!]!) {
  ${system} { usersByMcServiceIds(mcServiceIds: $ids) { id displayName organisation { id name } mcServiceIds { mcptt mcdata mcvideo } enabledServices securityDomain phone email } }
}`;

interface RemoteUser {
  id: string;
  displayName: string;
  organisation: { id: string; name: string } | null;
  mcServiceIds: { mcptt: string | null; mcdata: string | null; mcvideo: string | null };
  enabledServices: McService[];
  securityDomain: string;
  phone: string | null;
  email: string | null;
}

export class JointGroupsService {
  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
    private readonly groups: GroupsService,
    private readonly requests: RequestsService,
    private readonly outbound: () => OutboundClient | null,
  ) {
    requests.handle('group.provide', {
      received: (store, request, policy, now) => this.provisionReceived(store, request, policy, now),
      decide: (store, request, decision, _by, now) => this.decideProvision(store, request, decision, now),
      answered: (store, request, _response, now) => this.provisionAnswered(store, request, now),
    });
    requests.handle('group.members', {
      received: (store, request, policy) => this.membershipReceived(store, request, policy),
      decide: (store, request, decision) => this.decideMembership(store, request, decision),
      answered: async () => undefined, // the home's new state follows in the feed
    });
    groups.onChanged((store, before, after) => this.groupChanged(store, (after ?? before)!.groupId, after));
  }

  // ---- reading ----

  async list(store: Store = this.store): Promise<JointGroupView[]> {
    const views: JointGroupView[] = [];
    for (const record of await store.jointGroups.list()) {
      const view = await this.viewOf(store, record);
      if (view) views.push(view);
    }
    return views;
  }

  async find(groupId: string, store: Store = this.store): Promise<JointGroupView | null> {
    const record = await store.jointGroups.get(groupId);
    return record ? this.viewOf(store, record) : null;
  }

  private async viewOf(store: Store, record: JointGroupRecord): Promise<JointGroupView | null> {
    if (record.role === 'participant') {
      const state = record.state!;
      const participants = state.participants.map((partner): ParticipantView => ({ partner, status: 'ACCEPTED', handler: null, decidedBy: null, reason: null, updatedAt: record.updatedAt }));
      return { record, config: state.config, members: state.members, participants };
    }
    const participants = await store.jointGroups.participants(record.groupId);
    const group = await store.groups.get(record.groupId);
    if (!group) {
      // Dissolved: the group is gone from the directory; its last shared configuration is kept.
      const last = record.state;
      return last ? { record, config: last.config, members: last.members, participants } : null;
    }
    return { record, config: this.configOf(group, record), members: membersOf(group), participants };
  }

  private configOf(group: GroupRecord, record: Pick<JointGroupRecord, 'priority'>): JointGroupConfig {
    return { groupId: group.groupId, name: group.name, homeSystem: this.owner, services: group.services, priority: record.priority, memberLimit: group.memberLimit, disabled: group.disabled };
  }

  // ---- the home ----

  /** Creates a joint group homed here and provides it to the partners named. */
  async create(access: EffectiveAccess, principal: Principal, input: JointGroupInput, action: 'jointGroup.create' | 'jointGroup.import' = 'jointGroup.create'): Promise<JointGroupView> {
    return this.audit.audited(principal, action, `group:${input.groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'create joint groups'));
      const config = checkConfig(input);
      if (!config.ok) throw new McxError(config.code, config.reason);
      if ((await store.groups.get(input.groupId)) || (await store.jointGroups.get(input.groupId))) {
        throw new McxError(ErrorCode.GROUP_ID_CLASH, `group ID ${input.groupId} is already in use at ${this.owner}`, { field: 'groupId' });
      }
      const now = new Date();
      // The joint record first: the group's creation below then finds it (and its version) when it tells the participants.
      await store.jointGroups.save({ groupId: input.groupId, homeSystem: this.owner, role: 'home', status: 'ACTIVE', priority: input.priority, state: null, version: 0, requestId: null, reason: null, updatedAt: now });
      await this.groups.createIn(store, input.groupId, { name: input.name, organisationId: input.organisationId, services: input.services, memberLimit: input.memberLimit, disabled: false }, input.members);
      for (const { partner, handler } of input.partners) await this.provideIn(store, principal, input.groupId, partner, handler);
      return (await this.find(input.groupId, store))!;
    });
  }

  /** Provides a joint group homed here to one more partner (addressed to the partner, or a person there). */
  async provide(access: EffectiveAccess, principal: Principal, groupId: string, partner: string, handler: string | null): Promise<JointGroupView> {
    return this.audit.audited(principal, 'jointGroup.provide', `group:${groupId}:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'provide joint groups'));
      await this.provideIn(store, principal, groupId, partner, handler);
      return (await this.find(groupId, store))!;
    });
  }

  private async provideIn(store: Store, principal: Principal, groupId: string, partner: string, handler: string | null): Promise<void> {
    validateSlug(partner);
    const record = await this.homeRecord(store, groupId);
    if (partner === this.owner) throw new McxError(ErrorCode.BAD_USER_INPUT, `${this.owner} is the group's home`, { field: 'partner' });
    const agreement = await store.agreements.get(partner);
    const status = agreement ? effectiveStatus(agreement, new Date()) : null;
    if (status !== 'ACTIVE') throw new McxError(ErrorCode.FORBIDDEN, `${this.owner} has no active agreement with ${partner} (${status ?? 'none'})`);
    const current = (await store.jointGroups.participants(groupId)).find((p) => p.partner === partner);
    if (current && ['OFFERED', 'ACCEPTED', 'SUSPENDED'].includes(current.status)) {
      throw new McxError(ErrorCode.CONFLICT, `joint group ${groupId} is ${current.status.toLowerCase()} to ${partner} already`);
    }
    await this.requests.requireRequester(store, 'group.provide', partner, principal);
    const id = randomUUID();
    const now = new Date();
    const state = await this.stateOf(store, record);
    await store.jointGroups.saveParticipant(groupId, { partner, status: 'OFFERED', handler, requestId: id, decidedBy: null, reason: null, updatedAt: now });
    const body: ProvideBody = { groupId, state };
    await this.requests.send(store, { id, kind: 'group.provide', partner, principal, body, handler, now });
  }

  /** Changes the configuration of a joint group homed here; every participant gets the new state. */
  async update(access: EffectiveAccess, principal: Principal, groupId: string, patch: JointGroupPatch): Promise<JointGroupView> {
    return this.audit.audited(principal, 'jointGroup.update', `group:${groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'change joint groups'));
      const record = await this.homeRecord(store, groupId);
      const group = (await store.groups.get(groupId))!;
      const config = { ...this.configOf(group, record), ...definedOnly(patch) };
      const verdict = checkConfig(config);
      if (!verdict.ok) throw new McxError(verdict.code, verdict.reason);
      await store.jointGroups.save({ ...record, priority: config.priority });
      await this.groups.updateIn(store, groupId, { name: config.name, organisationId: group.organisationId, services: config.services, memberLimit: config.memberLimit, disabled: config.disabled });
      return (await this.find(groupId, store))!;
    });
  }

  /** Removes a partner from a joint group homed here: its members leave, it is told, the others get the new state. */
  async removePartner(access: EffectiveAccess, principal: Principal, groupId: string, partner: string, reason: string): Promise<JointGroupView> {
    return this.audit.audited(principal, 'jointGroup.removePartner', `group:${groupId}:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'remove partners from joint groups'));
      await this.homeRecord(store, groupId);
      const participant = (await store.jointGroups.participants(groupId)).find((p) => p.partner === partner);
      if (!participant || !['OFFERED', 'ACCEPTED', 'SUSPENDED'].includes(participant.status)) {
        throw new McxError(ErrorCode.NOT_PARTICIPANT, `${partner} does not take part in joint group ${groupId}`);
      }
      await this.endParticipation(store, groupId, participant, 'REMOVED', reason);
      return (await this.find(groupId, store))!;
    });
  }

  /** Dissolves a joint group homed here: the group is removed and every participant told. */
  async dissolve(access: EffectiveAccess, principal: Principal, groupId: string, reason: string): Promise<JointGroupView> {
    return this.audit.audited(principal, 'jointGroup.dissolve', `group:${groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'dissolve joint groups'));
      const record = await this.homeRecord(store, groupId);
      const now = new Date();
      const final: JointGroupState = { ...(await this.stateOf(store, record)), status: 'DISSOLVED', version: record.version + 1 };
      // Marked dissolved first, so that removing the group below is not refused as the removal of an active joint group.
      await store.jointGroups.save({ ...record, status: 'DISSOLVED', state: final, version: final.version, reason, updatedAt: now });
      for (const participant of await store.jointGroups.participants(groupId)) {
        if (participant.status === 'ACCEPTED') await this.tell(store, participant.partner, { kind: 'jointGroup.state', state: final });
        if (participant.status === 'OFFERED') await this.sharing.notifyRequest(store, participant.partner, { kind: 'withdraw', id: participant.requestId });
        if (['OFFERED', 'ACCEPTED', 'SUSPENDED'].includes(participant.status)) {
          await store.jointGroups.saveParticipant(groupId, { ...participant, status: 'REMOVED', reason: `dissolved: ${reason}`, updatedAt: now });
        }
      }
      await this.groups.removeIn(store, groupId);
      return (await this.find(groupId, store))!;
    });
  }

  /** The home's record of a joint group it may change. */
  private async homeRecord(store: Store, groupId: string): Promise<JointGroupRecord> {
    const record = await store.jointGroups.get(groupId);
    if (!record) throw new McxError(ErrorCode.NOT_FOUND, `no joint group ${groupId}`);
    if (record.role !== 'home') {
      throw new McxError(ErrorCode.NOT_GROUP_HOME, `${record.homeSystem} is the home of joint group ${groupId} and alone changes it; ${this.owner} holds a copy (ask ${record.homeSystem} to add or remove ${this.owner}'s users)`);
    }
    if (record.status === 'DISSOLVED') throw new McxError(ErrorCode.GROUP_DISSOLVED, `joint group ${groupId} was dissolved${record.reason ? `: ${record.reason}` : ''}`);
    return record;
  }

  private async stateOf(store: Store, record: JointGroupRecord): Promise<JointGroupState> {
    const group = await store.groups.get(record.groupId);
    if (!group) throw new McxError(ErrorCode.NOT_FOUND, `no group ${record.groupId}`);
    const participants = (await store.jointGroups.participants(record.groupId)).filter((p) => p.status === 'ACCEPTED').map((p) => p.partner);
    return { config: this.configOf(group, record), members: membersOf(group), participants, status: 'ACTIVE', version: record.version };
  }

  /** A group of this system changed (any way: its own administrators, a partner's request, an agreement ending): participants get the new state. */
  private async groupChanged(store: Store, groupId: string, after: GroupRecord | null): Promise<void> {
    const record = await store.jointGroups.get(groupId);
    if (!record || record.role !== 'home' || record.status !== 'ACTIVE') return;
    if (after === null) throw new McxError(ErrorCode.CONFLICT, `${groupId} is a joint group: dissolve it (participants are told) instead of removing it`);
    await this.broadcast(store, record);
  }

  /** A new version of the state to every accepted participant. */
  private async broadcast(store: Store, record: JointGroupRecord): Promise<void> {
    const next = { ...record, version: record.version + 1, updatedAt: new Date() };
    await store.jointGroups.save(next);
    const state = await this.stateOf(store, next);
    for (const partner of state.participants) await this.tell(store, partner, { kind: 'jointGroup.state', state });
  }

  private async tell(store: Store, partner: string, message: JointGroupMessage): Promise<void> {
    await this.sharing.notifyJointGroup(store, partner, message);
  }

  /** A partner leaves a joint group homed here (removed, suspended, agreement ended): its members go, the others are told. */
  private async endParticipation(store: Store, groupId: string, participant: ParticipantRecord, status: 'REMOVED' | 'SUSPENDED', reason: string): Promise<void> {
    const now = new Date();
    await store.jointGroups.saveParticipant(groupId, { ...participant, status, reason, updatedAt: now });
    if (participant.status === 'OFFERED') await this.sharing.notifyRequest(store, participant.partner, { kind: 'withdraw', id: participant.requestId });
    if (participant.status === 'ACCEPTED' && status === 'REMOVED') await this.tell(store, participant.partner, { kind: 'jointGroup.removed', groupId, reason });
    // Their members leave (a disabled group's too: this ends their taking part, it is no change of membership); the others get the new state.
    const removed = await this.groups.removeMembersOfSystem(store, participant.partner, [groupId]);
    if (removed === 0) await this.broadcast(store, (await store.jointGroups.get(groupId))!);
  }

  // ---- the agreement ----

  /** Suspended or ended: at the home the partner's members leave its joint groups; at a participant the copies from that home stop. */
  async agreementOutOfForce(store: Store, partner: string, ended: boolean): Promise<void> {
    const reason = ended ? `the agreement with ${partner} ended` : `the agreement with ${partner} is suspended`;
    for (const groupId of await store.jointGroups.groupsOfPartner(partner, ended ? ['OFFERED', 'ACCEPTED', 'SUSPENDED'] : ['ACCEPTED'])) {
      const record = await store.jointGroups.get(groupId);
      if (!record || record.status !== 'ACTIVE') continue;
      const participant = (await store.jointGroups.participants(groupId)).find((p) => p.partner === partner)!;
      await this.endParticipation(store, groupId, participant, ended ? 'REMOVED' : 'SUSPENDED', reason);
    }
    const now = new Date();
    for (const copy of await store.jointGroups.copiesFrom(partner)) {
      if (!['ACTIVE', 'SUSPENDED'].includes(copy.status)) continue;
      // This system's users are out of the group at the home now; the copy says so until the home sends a new state.
      const state = { ...copy.state!, members: copy.state!.members.filter((m) => m.system !== this.owner) };
      await store.jointGroups.save({ ...copy, status: ended ? 'REMOVED' : 'SUSPENDED', state, reason, updatedAt: now });
    }
  }

  /** Back in force: partners suspended from joint groups homed here take part again (their members do not come back by themselves). */
  async agreementInForce(store: Store, partner: string): Promise<void> {
    const now = new Date();
    for (const groupId of await store.jointGroups.groupsOfPartner(partner, ['SUSPENDED'])) {
      const record = await store.jointGroups.get(groupId);
      if (!record || record.status !== 'ACTIVE') continue;
      const participant = (await store.jointGroups.participants(groupId)).find((p) => p.partner === partner)!;
      await store.jointGroups.saveParticipant(groupId, { ...participant, status: 'ACCEPTED', reason: null, updatedAt: now });
      await this.broadcast(store, record);
    }
  }

  // ---- provision at the partner ----

  private async provisionReceived(store: Store, request: RequestRecord, policy: RequestPolicy, now: Date): Promise<RequestOutcome | null> {
    const body = request.body as ProvideBody;
    const clash = await this.provisionRefusal(store, request, body);
    if (clash) return clash;
    if (policy.mode !== 'automatic') return null;
    return this.acceptProvision(store, request, body, now);
  }

  private async decideProvision(store: Store, request: RequestRecord, decision: ManualDecision, now: Date): Promise<RequestOutcome> {
    const body = request.body as ProvideBody;
    if (decision.kind === 'REJECT') {
      if (!decision.reason) throw new McxError(ErrorCode.BAD_USER_INPUT, 'say why the joint group is declined');
      return { status: 'REJECTED', approved: [], refused: [], reason: decision.reason };
    }
    if (decision.kind === 'APPROVE_PART') throw new McxError(ErrorCode.BAD_USER_INPUT, 'a joint group is accepted or declined whole');
    const clash = await this.provisionRefusal(store, request, body);
    if (clash) throw new McxError(clash.refused[0]!.code as ErrorCode, clash.reason!);
    return { ...(await this.acceptProvision(store, request, body, now)), reason: decision.reason };
  }

  /** Why a provided group cannot be taken here, if it cannot: it is not the sender's, the agreement is not active, or its ID is in use here. */
  private async provisionRefusal(store: Store, request: RequestRecord, body: ProvideBody): Promise<RequestOutcome | null> {
    if (body.state.config.homeSystem !== request.partner) {
      return refusal(body.groupId, ErrorCode.NOT_GROUP_HOME, `${request.partner} provided joint group ${body.groupId}, whose home is ${body.state.config.homeSystem}`);
    }
    const agreement = await store.agreements.get(request.partner);
    const status = agreement ? effectiveStatus(agreement, new Date()) : null;
    if (status !== 'ACTIVE') return refusal(body.groupId, ErrorCode.FORBIDDEN, `${this.owner} takes no joint groups from ${request.partner} now (agreement: ${status ?? 'none'})`);
    const copy = await store.jointGroups.get(body.groupId);
    const takenByCopy = copy && (copy.homeSystem !== request.partner || ['ACTIVE', 'SUSPENDED'].includes(copy.status));
    if ((await store.groups.get(body.groupId)) || takenByCopy) {
      return refusal(body.groupId, ErrorCode.GROUP_ID_CLASH, `group ID ${body.groupId} is already in use at ${this.owner}`);
    }
    return null;
  }

  private async acceptProvision(store: Store, request: RequestRecord, body: ProvideBody, now: Date): Promise<RequestOutcome> {
    const state = body.state;
    await store.jointGroups.save({ groupId: body.groupId, homeSystem: request.partner, role: 'participant', status: 'ACTIVE', priority: state.config.priority, state, version: state.version, requestId: request.id, reason: null, updatedAt: now });
    return { status: 'APPROVED', approved: [body.groupId], refused: [], reason: null };
  }

  /** At the home: the partner accepted or declined (or the offer expired or was withdrawn). */
  private async provisionAnswered(store: Store, request: RequestRecord, now: Date): Promise<void> {
    const groupId = (request.body as ProvideBody).groupId;
    const participant = (await store.jointGroups.participants(groupId)).find((p) => p.partner === request.partner && p.requestId === request.id);
    if (!participant) return;
    const record = await store.jointGroups.get(groupId);
    const accepted = request.status === 'APPROVED';
    if (participant.status !== 'OFFERED' || !record || record.status !== 'ACTIVE') {
      // Removed or dissolved before the answer came: the partner holds a copy it must drop.
      if (accepted) await this.tell(store, request.partner, { kind: 'jointGroup.removed', groupId, reason: participant.reason ?? 'no longer provided' });
      return;
    }
    await store.jointGroups.saveParticipant(groupId, { ...participant, status: accepted ? 'ACCEPTED' : 'DECLINED', decidedBy: request.decidedBy, reason: request.reason, updatedAt: now });
    if (accepted) await this.broadcast(store, record);
  }

  // ---- membership updates: the participant asks ----

  /** A participant asks the home to add or remove some of its own users. */
  async requestMembers(
    access: EffectiveAccess,
    principal: Principal,
    input: { groupId: string; operation: MembershipOperation; members: MemberRef[]; urgency: Urgency; handler: string | null },
  ): Promise<RequestRecord> {
    return this.audit.audited(principal, `jointGroup.members.${input.operation}.request`, `group:${input.groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'ask for membership updates'));
      const copy = await store.jointGroups.get(input.groupId);
      if (!copy) throw new McxError(ErrorCode.NOT_FOUND, `no joint group ${input.groupId} at ${this.owner}`);
      if (copy.role === 'home') throw new McxError(ErrorCode.BAD_USER_INPUT, `${this.owner} is the home of ${input.groupId}: change its members directly (addGroupMembers / removeGroupMembers)`);
      if (copy.status === 'DISSOLVED') throw new McxError(ErrorCode.GROUP_DISSOLVED, `joint group ${input.groupId} was dissolved by ${copy.homeSystem}`);
      if (copy.status !== 'ACTIVE') throw new McxError(ErrorCode.NOT_PARTICIPANT, `${this.owner} does not take part in ${input.groupId} now (${copy.status.toLowerCase()})`);
      const own = checkOwnMembers(this.owner, input.members);
      if (!own.ok) throw new McxError(own.code, own.reason, { field: 'members' });
      const users = await store.users.findByServiceIds(input.members.map((m) => m.mcServiceId));
      const unknown = input.members.filter((m) => !users.has(m.mcServiceId)).map((m) => m.mcServiceId);
      if (unknown.length > 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `no user of ${this.owner} holds ${unknown.slice(0, 5).join(', ')}`, { field: 'members' });
      // This side checks first against its copy, by the rule every addition follows (disabled, the
      // member limit), and stops there; the home checks again with the authoritative list.
      const state = copy.state!;
      if (input.operation === 'add') membersToAdd({ groupId: input.groupId, disabled: state.config.disabled, memberLimit: state.config.memberLimit, members: state.members }, input.members);
      await this.requests.requireRequester(store, 'group.members', copy.homeSystem, principal);
      const body: MembershipBody = {
        groupId: input.groupId,
        operation: input.operation,
        urgency: input.urgency,
        members: input.members.map((m) => ({ system: this.owner, mcServiceId: m.mcServiceId, securityDomain: users.get(m.mcServiceId)!.securityDomain })),
        userIds: input.members.map((m) => users.get(m.mcServiceId)!.id),
      };
      return this.requests.send(store, { id: randomUUID(), kind: 'group.members', partner: copy.homeSystem, principal, body, handler: input.handler, now: new Date() });
    });
  }

  // ---- membership updates: the home decides ----

  private async membershipReceived(store: Store, request: RequestRecord, policy: RequestPolicy): Promise<RequestOutcome | null> {
    const body = request.body as MembershipBody;
    const refused = await this.membershipRefusal(store, request, body.members);
    // One that cannot be applied whatever a person decides is answered at once.
    if (refused) return refused;
    if (!handledAutomatically(policy, body.urgency)) return null;
    return this.applyMembership(store, request, body.members);
  }

  private async decideMembership(store: Store, request: RequestRecord, decision: ManualDecision): Promise<RequestOutcome> {
    const body = request.body as MembershipBody;
    if (decision.kind === 'REJECT') {
      if (!decision.reason) throw new McxError(ErrorCode.BAD_USER_INPUT, 'say why the membership update is rejected');
      return { status: 'REJECTED', approved: [], refused: [], reason: decision.reason };
    }
    let members = body.members;
    let refused: UserVerdict[] = [];
    if (decision.kind === 'APPROVE_PART') {
      const chosen = new Set(decision.userIds ?? []);
      const unknown = [...chosen].filter((id) => !body.userIds.includes(id));
      if (chosen.size === 0 || unknown.length > 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `name some of the users the request names${unknown.length > 0 ? `; not ${unknown.slice(0, 5).join(', ')}` : ''}`);
      members = body.members.filter((_m, i) => chosen.has(body.userIds[i]!));
      refused = body.userIds.filter((id) => !chosen.has(id)).map((userId) => ({ userId, code: ErrorCode.FORBIDDEN, reason: decision.reason ?? 'not approved' }));
    }
    const problem = await this.membershipRefusal(store, request, members);
    if (problem) throw new McxError(problem.refused[0]!.code as ErrorCode, `it cannot be approved: ${problem.reason}`);
    const applied = await this.applyMembership(store, request, members);
    return { ...applied, status: refused.length > 0 ? 'PARTLY_APPROVED' : 'APPROVED', refused, reason: decision.reason };
  }

  /**
   * Why a participant's membership update cannot be applied, if it cannot: the group (dissolved,
   * not provided to it), its own users only, the agreement's MEMBERSHIP_UPDATE scope for the group,
   * and the rules every change follows (disabled group, member limit), by the same rule functions.
   */
  private async membershipRefusal(store: Store, request: RequestRecord, members: JointMember[]): Promise<RequestOutcome | null> {
    const body = request.body as MembershipBody;
    const record = await store.jointGroups.get(body.groupId);
    const participant = record?.role === 'home' ? (await store.jointGroups.participants(body.groupId)).find((p) => p.partner === request.partner) : undefined;
    const participation = checkParticipation(body.groupId, record?.role === 'home' ? record.status : null, participant?.status ?? null, request.partner);
    if (!participation.ok) return refusal(body.groupId, participation.code, participation.reason);
    const own = checkOwnMembers(request.partner, members);
    if (!own.ok) return refusal(body.groupId, own.code, own.reason);
    const group = (await store.groups.get(body.groupId))!;
    const agreement = await store.agreements.get(request.partner);
    const access = resolveAccess(this.owner, systemPrincipal(request.partner), agreement ?? null, new Date());
    const scope = decideMembershipUpdate(access, group, members);
    if (!scope.allowed) return refusal(body.groupId, scope.code, scope.reason);
    try {
      if (body.operation === 'add') membersToAdd(group, members);
      else membersToRemove(group, members);
    } catch (error) {
      return outcomeOf(error, body.groupId);
    }
    return null;
  }

  private async applyMembership(store: Store, request: RequestRecord, members: JointMember[]): Promise<RequestOutcome> {
    const body = request.body as MembershipBody;
    const group = (await store.groups.get(body.groupId))!;
    await this.groups.changeMembersIn(store, group, body.operation, members);
    const approved = body.userIds.filter((_id, i) => members.some((m) => m.mcServiceId === body.members[i]!.mcServiceId));
    return { status: 'APPROVED', approved, refused: [], reason: null };
  }

  // ---- messages from the home (in the delivery's transaction) ----

  async receive(store: Store, principal: Principal, message: JointGroupMessage, now: Date): Promise<void> {
    const sender = principal.system;
    const groupId = message.kind === 'jointGroup.state' ? message.state.config.groupId : message.groupId;
    const action = `jointGroup.partner.${message.kind.slice('jointGroup.'.length)}`;
    const target = `group:${groupId}`;
    const copy = (await store.jointGroups.get(groupId)) ?? null;
    if (copy === null || copy.role !== 'participant' || copy.homeSystem !== sender) {
      const code = copy === null ? ErrorCode.NOT_PARTICIPANT : ErrorCode.NOT_GROUP_HOME;
      await this.audit.record(principal, { action, target, result: 'DENIED', code, detail: copy === null ? `${this.owner} did not accept ${groupId}` : `${sender} is not the home of ${groupId}` }, store);
      return;
    }
    if (message.kind === 'jointGroup.removed') {
      await store.jointGroups.save({ ...copy, status: 'REMOVED', reason: message.reason, updatedAt: now });
      await this.audit.record(principal, { action, target, result: 'OK', detail: message.reason }, store);
      return;
    }
    const verdict = acceptState(sender, copy, message.state);
    if (!verdict.ok) {
      await this.audit.record(principal, { action, target, result: 'DENIED', code: verdict.code, detail: verdict.reason }, store);
      return;
    }
    if (!verdict.fresh || copy.status === 'REMOVED' || copy.status === 'DISSOLVED') return;
    const state = message.state;
    await store.jointGroups.save({ ...copy, status: state.status === 'DISSOLVED' ? 'DISSOLVED' : 'ACTIVE', priority: state.config.priority, state, version: state.version, reason: state.status === 'DISSOLVED' ? 'dissolved by the home' : null, updatedAt: now });
    await this.audit.record(principal, { action, target, result: 'OK', detail: `version ${state.version}: ${state.members.length} members, ${state.status.toLowerCase()}` }, store);
  }

  // ---- the whole picture: each member's details from the member's own system ----

  /**
   * Details of members, keyed `system\u0000mcServiceId`: this system's users from its store; other
   * systems' users from those systems, asked through the gateway as this system — so each answers
   * with exactly what it grants this system (and so this system's administrators).
   */
  async memberDetails(keys: readonly string[]): Promise<MemberDetails[]> {
    const bySystem = new Map<string, string[]>();
    for (const key of keys) {
      const [system, id] = key.split('\u0000') as [string, string];
      bySystem.set(system, [...(bySystem.get(system) ?? []), id]);
    }
    const found = new Map<string, MemberDetails>();
    for (const [system, ids] of bySystem) {
      const answers = system === this.owner ? await this.localDetails(ids) : await this.remoteDetails(system, ids);
      for (const [id, details] of answers) found.set(`${system}\u0000${id}`, details);
    }
    return keys.map((key) => found.get(key) ?? { user: null, note: 'not found' });
  }

  private async localDetails(ids: string[]): Promise<Map<string, MemberDetails>> {
    const users = await this.store.users.findByServiceIds(ids);
    const organisations = new Map((await this.store.organisations.getMany([...new Set([...users.values()].map((u) => u.organisationId))])).map((o) => [o.id, o.name]));
    return new Map(
      ids.map((id): [string, MemberDetails] => {
        const u = users.get(id);
        if (!u) return [id, { user: null, note: `${this.owner} has no user holding ${id}` }];
        const shown: RemoteUser = { ...u, organisation: { id: u.organisationId, name: organisations.get(u.organisationId) ?? '' }, mcServiceIds: { mcptt: u.mcpttId, mcdata: u.mcdataId, mcvideo: u.mcvideoId } };
        return [id, { user: detailsOf(shown), note: null }];
      }),
    );
  }

  private async remoteDetails(system: string, ids: string[]): Promise<Map<string, MemberDetails>> {
    const client = this.outbound();
    const all = (note: string) => new Map(ids.map((id) => [id, { user: null, note }]));
    if (client === null) return all(`${this.owner} has no gateway to ask ${system} through`);
    const result = new Map<string, MemberDetails>();
    for (let start = 0; start < ids.length; start += 500) {
      const chunk = ids.slice(start, start + 500);
      let answer;
      try {
        answer = await client.request<Record<string, { usersByMcServiceIds: RemoteUser[] | null } | null>>(DETAILS_QUERY(system), { ids: chunk });
      } catch (error) {
        return all(`${system} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
      }
      const users = answer.data?.[system]?.usersByMcServiceIds ?? null;
      const denials = answer.errors.map((e) => e.message);
      if (users === null) {
        for (const id of chunk) result.set(id, { user: null, note: denials[0] ?? `${system} did not answer` });
        continue;
      }
      // Field denials (e.g. no CONTACT_READ) name the field, not the user: each shown user carries them.
      const partial = denials.length > 0 ? [...new Set(denials)].join('; ') : null;
      const byId = new Map<string, RemoteUser>();
      for (const user of users) for (const id of [user.mcServiceIds.mcptt, user.mcServiceIds.mcdata, user.mcServiceIds.mcvideo]) if (id) byId.set(id, user);
      for (const id of chunk) {
        const u = byId.get(id);
        result.set(
          id,
          u
            ? { user: detailsOf(u), note: partial }
            : { user: null, note: `${system} shows ${this.owner} nothing of this user` },
        );
      }
    }
    return result;
  }
}

/** A member's details, from what its system answers (or, for this system's users, the same shape from the store). */
function detailsOf(u: RemoteUser): NonNullable<MemberDetails['user']> {
  return {
    id: u.id,
    displayName: u.displayName,
    organisationId: u.organisation?.id ?? '',
    organisationName: u.organisation?.name || null,
    mcptt: u.mcServiceIds.mcptt,
    mcdata: u.mcServiceIds.mcdata,
    mcvideo: u.mcServiceIds.mcvideo,
    enabledServices: u.enabledServices,
    securityDomain: u.securityDomain,
    phone: u.phone,
    email: u.email,
  };
}

function membersOf(group: GroupRecord): JointMember[] {
  return group.members.map((m) => ({ system: m.system, mcServiceId: m.mcServiceId, securityDomain: m.securityDomain ?? null }));
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
