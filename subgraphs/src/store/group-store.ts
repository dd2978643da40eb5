import type { Kysely } from 'kysely';
import type { GroupRecord, McService, MemberRef } from '../../../domain/model.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { Database, GroupRow } from './tables.js';

type GroupWithoutMembers = Omit<GroupRecord, 'members'>;

function toRecord(row: GroupRow, members: MemberRef[]): GroupRecord {
  return {
    groupId: row.group_id,
    name: row.name,
    homeSystem: row.home_system,
    organisationId: row.organisation_id,
    services: fromJson<McService[]>(row.services),
    memberLimit: row.member_limit,
    disabled: row.disabled === 1,
    members,
    createdAt: fromTimestamp(row.created_at),
    updatedAt: fromTimestamp(row.updated_at),
  };
}

function toRow(group: GroupWithoutMembers): GroupRow {
  return {
    group_id: group.groupId,
    name: group.name,
    home_system: group.homeSystem,
    organisation_id: group.organisationId,
    services: toJson(group.services),
    member_limit: group.memberLimit,
    disabled: group.disabled ? 1 : 0,
    created_at: toTimestamp(group.createdAt),
    updated_at: toTimestamp(group.updatedAt),
  };
}

const CHUNK = 500;

export class GroupStore {
  constructor(private readonly db: Kysely<Database>) {}

  private async membersOf(groupIds: string[]): Promise<Map<string, MemberRef[]>> {
    const byGroup = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
    for (let start = 0; start < groupIds.length; start += CHUNK) {
      const rows = await this.db
        .selectFrom('group_members')
        .select(['group_id', 'system', 'mc_service_id', 'security_domain'])
        .where('group_id', 'in', groupIds.slice(start, start + CHUNK))
        .orderBy('group_id')
        .orderBy('system')
        .orderBy('mc_service_id')
        .execute();
      for (const row of rows) byGroup.get(row.group_id)!.push({ system: row.system, mcServiceId: row.mc_service_id, securityDomain: row.security_domain });
    }
    return byGroup;
  }

  private async withMembers(rows: GroupRow[]): Promise<GroupRecord[]> {
    const members = await this.membersOf(rows.map((row) => row.group_id));
    return rows.map((row) => toRecord(row, members.get(row.group_id) ?? []));
  }

  async list(filter: { organisations: string[] | null; groups: string[] | null; limit: number; offset: number }): Promise<GroupRecord[]> {
    if (filter.organisations?.length === 0 || filter.groups?.length === 0) return [];
    let query = this.db.selectFrom('groups').selectAll().orderBy('name').orderBy('group_id').limit(filter.limit).offset(filter.offset);
    if (filter.organisations !== null) query = query.where('organisation_id', 'in', filter.organisations);
    if (filter.groups !== null) query = query.where('group_id', 'in', filter.groups);
    return this.withMembers(await query.execute());
  }

  async get(groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('groups').selectAll().where('group_id', '=', groupId).executeTakeFirst();
    return row && (await this.withMembers([row]))[0];
  }

  /** The groups that have members of another system. */
  async withMembersOf(system: string): Promise<GroupRecord[]> {
    const rows = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('group_id', 'in', (eb) => eb.selectFrom('group_members').select('group_id').where('system', '=', system))
      .orderBy('group_id')
      .execute();
    return this.withMembers(rows);
  }

  /** Groups in which any of these members (of `system`) take part, keyed by MC service ID. */
  async groupsOfMembers(system: string, mcServiceIds: readonly string[]): Promise<Map<string, GroupRecord[]>> {
    const result = new Map<string, GroupRecord[]>(mcServiceIds.map((id) => [id, []]));
    if (mcServiceIds.length === 0) return result;
    const links: Array<{ group_id: string; mc_service_id: string }> = [];
    for (let start = 0; start < mcServiceIds.length; start += CHUNK) {
      links.push(
        ...(await this.db
          .selectFrom('group_members')
          .select(['group_id', 'mc_service_id'])
          .where('system', '=', system)
          .where('mc_service_id', 'in', mcServiceIds.slice(start, start + CHUNK))
          .execute()),
      );
    }
    const groupIds = [...new Set(links.map((link) => link.group_id))];
    const groups = new Map<string, GroupRecord>();
    for (let start = 0; start < groupIds.length; start += CHUNK) {
      const rows = await this.db.selectFrom('groups').selectAll().where('group_id', 'in', groupIds.slice(start, start + CHUNK)).execute();
      for (const group of await this.withMembers(rows)) groups.set(group.groupId, group);
    }
    for (const link of links) {
      const group = groups.get(link.group_id);
      const list = result.get(link.mc_service_id)!;
      if (group && !list.some((g) => g.groupId === group.groupId)) list.push(group);
    }
    for (const list of result.values()) list.sort((a, b) => a.name.localeCompare(b.name));
    return result;
  }

  async insert(group: GroupRecord): Promise<void> {
    await this.db.insertInto('groups').values(toRow(group)).execute();
    await this.addMembers(group.groupId, group.members, group.createdAt);
  }

  async update(group: GroupWithoutMembers): Promise<void> {
    const { group_id, created_at: _created, ...rest } = toRow(group);
    await this.db.updateTable('groups').set(rest).where('group_id', '=', group_id).execute();
  }

  async delete(groupId: string): Promise<void> {
    await this.db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    await this.db.deleteFrom('groups').where('group_id', '=', groupId).execute();
  }

  async addMembers(groupId: string, members: MemberRef[], at: Date): Promise<void> {
    for (let start = 0; start < members.length; start += CHUNK) {
      const values = members.slice(start, start + CHUNK).map((m) => ({
        group_id: groupId,
        system: m.system,
        mc_service_id: m.mcServiceId,
        added_at: toTimestamp(at),
        security_domain: m.securityDomain ?? null,
      }));
      if (values.length > 0) await this.db.insertInto('group_members').values(values).execute();
    }
  }

  async removeMembers(groupId: string, members: MemberRef[]): Promise<void> {
    for (const member of members) {
      await this.db
        .deleteFrom('group_members')
        .where('group_id', '=', groupId)
        .where('system', '=', member.system)
        .where('mc_service_id', '=', member.mcServiceId)
        .execute();
    }
  }

  async touch(groupId: string, at: Date): Promise<void> {
    await this.db.updateTable('groups').set({ updated_at: toTimestamp(at) }).where('group_id', '=', groupId).execute();
  }
}
