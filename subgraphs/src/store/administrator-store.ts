/** This system's administrators' accounts (for signing in to the console). */
import type { Kysely } from 'kysely';
import { fromTimestamp, toTimestamp } from './json-columns.js';
import type { Database } from './tables.js';

export interface AdministratorRecord {
  username: string;
  passwordHash: string;
  failedAttempts: number;
  lockedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export class AdministratorStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(username: string): Promise<AdministratorRecord | undefined> {
    const row = await this.db.selectFrom('administrators').selectAll().where('username', '=', username).executeTakeFirst();
    return (
      row && {
        username: row.username,
        passwordHash: row.password_hash,
        failedAttempts: row.failed_attempts,
        lockedUntil: fromTimestamp(row.locked_until),
        createdAt: fromTimestamp(row.created_at),
        updatedAt: fromTimestamp(row.updated_at),
      }
    );
  }

  async list(): Promise<string[]> {
    return (await this.db.selectFrom('administrators').select('username').orderBy('username').execute()).map((r) => r.username);
  }

  async save(record: AdministratorRecord): Promise<void> {
    const row = {
      username: record.username,
      password_hash: record.passwordHash,
      failed_attempts: record.failedAttempts,
      locked_until: record.lockedUntil && toTimestamp(record.lockedUntil),
      created_at: toTimestamp(record.createdAt),
      updated_at: toTimestamp(record.updatedAt),
    };
    const { username: _u, created_at: _c, ...rest } = row;
    await this.db.insertInto('administrators').values(row).onConflict((oc) => oc.column('username').doUpdateSet(rest)).execute();
  }

  async remove(username: string): Promise<boolean> {
    const result = await this.db.deleteFrom('administrators').where('username', '=', username).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
