import type { Kysely } from 'kysely';
import type { OrganisationRecord } from '../../../domain/model.js';
import type { Database } from './tables.js';

export class OrganisationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(only: string[] | null): Promise<OrganisationRecord[]> {
    if (only !== null && only.length === 0) return [];
    let query = this.db.selectFrom('organisations').selectAll().orderBy('name');
    if (only !== null) query = query.where('id', 'in', only);
    return query.execute();
  }

  async get(id: string): Promise<OrganisationRecord | undefined> {
    return this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getMany(ids: readonly string[]): Promise<OrganisationRecord[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('organisations').selectAll().where('id', 'in', [...ids]).execute();
  }

  async insert(organisation: OrganisationRecord): Promise<void> {
    await this.db.insertInto('organisations').values(organisation).execute();
  }
}
