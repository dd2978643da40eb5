/** Reading and changing a system's groups, with the caller's access applied. */
import {
  requireAllowed,
  decideForGroup,
  decideMembershipUpdate,
  decideOwnerOnly,
  grantOf,
  groupVisible,
  visibleOrganisations,
  type EffectiveAccess,
} from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import { membersToAdd, membersToRemove } from '../../../domain/groups.js';
import type { GroupRecord, MemberRef, Principal } from '../../../domain/model.js';
import {
  validateMcServiceId,
  validateMemberLimit,
  validateServices,
  validateSlug,
  validateText,
} from '../../../domain/validation.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { SharingService } from './sharing-service.js';
import { pageOfVisible } from './paging.js';

export interface GroupInput {
  name: string;
  organisationId: string | null;
  services: string[];
  memberLimit: number;
  disabled: boolean;
}

/** Runs in the transaction of every change to one of this system's groups (after: null when removed); may refuse it by throwing. */
export type GroupChangeHook = (store: Store, before: GroupRecord | null, after: GroupRecord | null) => Promise<void>;

export class GroupsService {
  private readonly changeHooks: GroupChangeHook[] = [];

  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
  ) {}

  onChanged(hook: GroupChangeHook): void {
    this.changeHooks.push(hook);
  }

  /** Every change ends here: partners' feeds, then the hooks (joint groups). */
  private async changed(store: Store, before: GroupRecord | null, after: GroupRecord | null): Promise<void> {
    await this.sharing.groupChanged(store, before, after);
    for (const hook of this.changeHooks) await hook(store, before, after);
  }

  async list(access: EffectiveAccess, page: { limit: number; offset: number }): Promise<GroupRecord[]> {
    if (access.isOwner) return this.store.groups.list({ organisations: null, groups: null, ...page });
    const grant = grantOf(access, 'DIRECTORY_READ');
    if (grant === null) return [];
    return pageOfVisible(
      (batch) => this.store.groups.list({ organisations: visibleOrganisations(access), groups: grant.groups, ...batch }),
      (group) => groupVisible(access, group),
      page,
    );
  }

  async find(access: EffectiveAccess, groupId: string): Promise<GroupRecord | null> {
    const group = await this.store.groups.get(groupId);
    return group && groupVisible(access, group) ? group : null;
  }

  /** Groups of this system that each of a user's MC service IDs is a member of (visible ones only). */
  async groupsOfMembers(access: EffectiveAccess, mcServiceIds: readonly string[]): Promise<Map<string, GroupRecord[]>> {
    const byId = await this.store.groups.groupsOfMembers(this.owner, mcServiceIds);
    for (const [id, groups] of byId) byId.set(id, groups.filter((group) => groupVisible(access, group)));
    return byId;
  }

  private async validate(input: GroupInput, store: Store): Promise<GroupInput & { services: GroupRecord['services'] }> {
    if (input.organisationId !== null && !(await store.organisations.get(input.organisationId))) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, `unknown organisation ${input.organisationId}`, { field: 'organisationId' });
    }
    const services = validateServices(input.services);
    if (services.length === 0) throw new McxError(ErrorCode.BAD_USER_INPUT, 'a group needs at least one MC service', { field: 'services' });
    return {
      name: validateText(input.name, 'name'),
      organisationId: input.organisationId,
      services,
      memberLimit: validateMemberLimit(input.memberLimit),
      disabled: input.disabled,
    };
  }

  private validateMembers(members: MemberRef[]): MemberRef[] {
    return members.map((member) => ({ system: validateSlug(member.system), mcServiceId: validateMcServiceId(member.mcServiceId) }));
  }

  async create(access: EffectiveAccess, principal: Principal, groupId: string, input: GroupInput, members: MemberRef[]): Promise<GroupRecord> {
    return this.audit.audited(principal, 'group.create', `group:${groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'create groups'));
      return this.createIn(store, groupId, input, members);
    });
  }

  /** Creates a group of this system with its first members, in the caller's transaction (the caller checked who may). */
  async createIn(store: Store, groupId: string, input: GroupInput, members: MemberRef[]): Promise<GroupRecord> {
    validateMcServiceId(groupId, 'groupId');
    if (await store.groups.get(groupId)) throw new McxError(ErrorCode.CONFLICT, `group ID ${groupId} is already in use`);
    const valid = await this.validate(input, store);
    const checked = await this.withSecurityDomains(store, this.validateMembers(members));
    const now = new Date();
    const empty: GroupRecord = { groupId, homeSystem: this.owner, ...valid, members: [], createdAt: now, updatedAt: now };
    // A group created disabled still gets its initial members (the rule refuses changes to disabled groups).
    const group: GroupRecord = { ...empty, members: checked.length > 0 ? membersToAdd({ ...empty, disabled: false }, checked) : [] };
    await store.groups.insert(group);
    await this.changed(store, null, group);
    return group;
  }

  /**
   * Each member's security domain: this system's users' own (refusing IDs no user holds), a
   * partner's users' as given, else the partner's from its card.
   */
  private async withSecurityDomains(store: Store, members: MemberRef[]): Promise<MemberRef[]> {
    const local = await store.users.findByServiceIds(members.filter((m) => m.system === this.owner).map((m) => m.mcServiceId));
    const unknown = members.filter((m) => m.system === this.owner && !local.has(m.mcServiceId)).map((m) => m.mcServiceId);
    if (unknown.length > 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `no user of ${this.owner} holds ${unknown.slice(0, 5).join(', ')}`);
    const cards = new Map<string, string | null>();
    for (const system of new Set(members.filter((m) => m.system !== this.owner && !m.securityDomain).map((m) => m.system))) {
      cards.set(system, (await store.agreements.get(system))?.partnerCard?.securityDomain ?? null);
    }
    return members.map((m) => ({ ...m, securityDomain: m.system === this.owner ? local.get(m.mcServiceId)!.securityDomain : (m.securityDomain ?? cards.get(m.system) ?? null) }));
  }

  async update(access: EffectiveAccess, principal: Principal, groupId: string, input: GroupInput): Promise<GroupRecord> {
    return this.audit.audited(principal, 'group.update', `group:${groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'change group configuration'));
      return this.updateIn(store, groupId, input);
    });
  }

  /** Changes a group's configuration in the caller's transaction (the caller checked who may). */
  async updateIn(store: Store, groupId: string, input: GroupInput): Promise<GroupRecord> {
    const existing = await store.groups.get(groupId);
    if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no group ${groupId}`);
    const valid = await this.validate(input, store);
    if (valid.memberLimit < existing.members.length) {
      throw new McxError(ErrorCode.MEMBER_LIMIT_REACHED, `group ${groupId} has ${existing.members.length} members; the limit cannot go below that`);
    }
    const group: GroupRecord = { ...existing, ...valid, updatedAt: new Date() };
    await store.groups.update(group);
    await this.changed(store, existing, group);
    return group;
  }

  async remove(access: EffectiveAccess, principal: Principal, groupId: string): Promise<boolean> {
    return this.audit.audited(principal, 'group.delete', `group:${groupId}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'remove groups'));
      await this.removeIn(store, groupId);
      return true;
    });
  }

  /** Removes a group in the caller's transaction (the caller checked who may). */
  async removeIn(store: Store, groupId: string): Promise<void> {
    const existing = await store.groups.get(groupId);
    if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no group ${groupId}`);
    await store.groups.delete(groupId);
    await this.changed(store, existing, null);
  }

  /**
   * Removes every member of another system from this system's groups (or from those named), in the
   * caller's transaction (an agreement with that system ended; it left a joint group). Partners
   * that see the groups learn it from their feeds.
   */
  async removeMembersOfSystem(store: Store, system: string, only: string[] | null = null): Promise<number> {
    const now = new Date();
    let removed = 0;
    for (const group of await store.groups.withMembersOf(system)) {
      if (only !== null && !only.includes(group.groupId)) continue;
      const gone = group.members.filter((m) => m.system === system);
      await store.groups.removeMembers(group.groupId, gone);
      await store.groups.touch(group.groupId, now);
      await this.changed(store, group, { ...group, members: group.members.filter((m) => m.system !== system), updatedAt: now });
      removed += gone.length;
    }
    return removed;
  }

  async changeMembers(
    access: EffectiveAccess,
    principal: Principal,
    groupId: string,
    operation: 'add' | 'remove',
    requested: MemberRef[],
  ): Promise<GroupRecord> {
    return this.audit.audited(principal, `group.members.${operation}`, `group:${groupId}`, async (store) => {
      const group = await store.groups.get(groupId);
      // A partner that may neither see the group nor change its members learns nothing about whether it exists.
      if (!group || !(groupVisible(access, group) || decideForGroup(access, 'MEMBERSHIP_UPDATE', group).allowed)) {
        throw new McxError(ErrorCode.NOT_FOUND, `no group ${groupId}`);
      }
      const members = this.validateMembers(requested);
      requireAllowed(decideMembershipUpdate(access, group, members));
      return this.changeMembersIn(store, group, operation, members);
    });
  }

  /**
   * Adds or removes members in the caller's transaction, by the same rules for everyone (disabled
   * groups, the member limit); the caller checked who may and which members.
   */
  async changeMembersIn(store: Store, group: GroupRecord, operation: 'add' | 'remove', members: MemberRef[]): Promise<GroupRecord> {
    const now = new Date();
    let after: GroupRecord;
    if (operation === 'add') {
      const fresh = await this.withSecurityDomains(store, membersToAdd(group, members));
      await store.groups.addMembers(group.groupId, fresh, now);
      after = { ...group, members: [...group.members, ...fresh], updatedAt: now };
    } else {
      const gone = membersToRemove(group, members);
      await store.groups.removeMembers(group.groupId, gone);
      const goneKeys = new Set(gone.map((m) => `${m.system}\u0000${m.mcServiceId}`));
      after = { ...group, members: group.members.filter((m) => !goneKeys.has(`${m.system}\u0000${m.mcServiceId}`)), updatedAt: now };
    }
    await store.groups.touch(group.groupId, now);
    await this.changed(store, group, after);
    return after;
  }
}
