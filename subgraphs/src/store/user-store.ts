import type { Kysely } from 'kysely';
import type { McService, UserRecord } from '../../../domain/model.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { Database, UserRow } from './tables.js';

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    organisationId: row.organisation_id,
    mcpttId: row.mcptt_id,
    mcdataId: row.mcdata_id,
    mcvideoId: row.mcvideo_id,
    functionalAliases: fromJson<string[]>(row.functional_aliases),
    enabledServices: fromJson<McService[]>(row.enabled_services),
    securityDomain: row.security_domain,
    phone: row.phone,
    email: row.email,
    createdAt: fromTimestamp(row.created_at),
    updatedAt: fromTimestamp(row.updated_at),
  };
}

function toRow(user: UserRecord): UserRow {
  return {
    id: user.id,
    display_name: user.displayName,
    organisation_id: user.organisationId,
    mcptt_id: user.mcpttId,
    mcdata_id: user.mcdataId,
    mcvideo_id: user.mcvideoId,
    functional_aliases: toJson(user.functionalAliases),
    enabled_services: toJson(user.enabledServices),
    security_domain: user.securityDomain,
    phone: user.phone,
    email: user.email,
    created_at: toTimestamp(user.createdAt),
    updated_at: toTimestamp(user.updatedAt),
  };
}

export interface UserListFilter {
  /** Organisations to list (null: all). */
  organisations: string[] | null;
  /** Case-insensitive part of the display name. */
  search: string | null;
  limit: number;
  offset: number;
}

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(filter: UserListFilter): Promise<UserRecord[]> {
    if (filter.organisations !== null && filter.organisations.length === 0) return [];
    let query = this.db.selectFrom('users').selectAll().orderBy('display_name').orderBy('id').limit(filter.limit).offset(filter.offset);
    if (filter.organisations !== null) query = query.where('organisation_id', 'in', filter.organisations);
    if (filter.search !== null) {
      query = query.where((eb) => eb(eb.fn('lower', ['display_name']), 'like', `%${filter.search!.toLowerCase().replace(/[%_\\]/g, '')}%`));
    }
    return (await query.execute()).map(toRecord);
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** The users with these ids (those that exist), in chunks. */
  async getMany(ids: readonly string[]): Promise<UserRecord[]> {
    const found: UserRecord[] = [];
    for (let start = 0; start < ids.length; start += 500) {
      const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids.slice(start, start + 500)).execute();
      found.push(...rows.map(toRecord));
    }
    return found;
  }

  async findByServiceId(mcServiceId: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('mcptt_id', '=', mcServiceId), eb('mcdata_id', '=', mcServiceId), eb('mcvideo_id', '=', mcServiceId)]))
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** The users holding these MC service IDs, keyed by each ID asked for that some user holds. */
  async findByServiceIds(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    const found = new Map<string, UserRecord>();
    const wanted = new Set(ids);
    const unique = [...wanted];
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      const rows = await this.db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb.or([eb('mcptt_id', 'in', chunk), eb('mcdata_id', 'in', chunk), eb('mcvideo_id', 'in', chunk)]))
        .execute();
      for (const row of rows) {
        const user = toRecord(row);
        for (const id of [row.mcptt_id, row.mcdata_id, row.mcvideo_id]) if (id !== null && wanted.has(id)) found.set(id, user);
      }
    }
    return found;
  }


  async insert(user: UserRecord): Promise<void> {
    await this.db.insertInto('users').values(toRow(user)).execute();
  }

  async update(user: UserRecord): Promise<void> {
    const { id, created_at: _created, ...rest } = toRow(user);
    await this.db.updateTable('users').set(rest).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }
}
