/** Read-only copies of what partners share with this system, and the messages already received. */
import type { Kysely } from 'kysely';
import type { SharedGroup, SharedUser } from '../../../domain/sharing.js';
import { fromJson, toJson, toTimestamp } from './json-columns.js';
import type { Database } from './tables.js';

export interface ReplicaCursor {
  partner: string;
  appliedSeq: number;
  appliedCount: number;
  lastAppliedAt: string;
}

type ReplicaTable = 'replica_users' | 'replica_groups';

export class ReplicaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async cursor(partner: string): Promise<ReplicaCursor | undefined> {
    const row = await this.db.selectFrom('replica_cursors').selectAll().where('partner', '=', partner).executeTakeFirst();
    return row && { partner, appliedSeq: Number(row.applied_seq), appliedCount: Number(row.applied_count), lastAppliedAt: row.last_applied_at };
  }

  async cursors(): Promise<ReplicaCursor[]> {
    const rows = await this.db.selectFrom('replica_cursors').selectAll().orderBy('partner').execute();
    return rows.map((row) => ({ partner: row.partner, appliedSeq: Number(row.applied_seq), appliedCount: Number(row.applied_count), lastAppliedAt: row.last_applied_at }));
  }

  async saveCursor(cursor: ReplicaCursor): Promise<void> {
    const values = { partner: cursor.partner, applied_seq: cursor.appliedSeq, applied_count: cursor.appliedCount, last_applied_at: cursor.lastAppliedAt };
    await this.db
      .insertInto('replica_cursors')
      .values(values)
      .onConflict((oc) => oc.column('partner').doUpdateSet({ ...values }))
      .execute();
  }

  async upsert(table: ReplicaTable, partner: string, id: string, data: SharedUser | SharedGroup, at: Date): Promise<void> {
    const values = { partner, id, data: toJson(data), updated_at: toTimestamp(at) };
    await this.db
      .insertInto(table)
      .values(values)
      .onConflict((oc) => oc.columns(['partner', 'id']).doUpdateSet({ data: values.data, updated_at: values.updated_at }))
      .execute();
  }

  async delete(table: ReplicaTable, partner: string, id: string): Promise<void> {
    await this.db.deleteFrom(table).where('partner', '=', partner).where('id', '=', id).execute();
  }

  /** Forgets everything a partner shared (on a reset, or when the partner stops sharing). */
  async drop(partner: string): Promise<void> {
    await this.db.deleteFrom('replica_users').where('partner', '=', partner).execute();
    await this.db.deleteFrom('replica_groups').where('partner', '=', partner).execute();
  }

  async users(partner: string): Promise<SharedUser[]> {
    const rows = await this.db.selectFrom('replica_users').select('data').where('partner', '=', partner).orderBy('id').execute();
    return rows.map((row) => fromJson<SharedUser>(row.data));
  }

  async groups(partner: string): Promise<SharedGroup[]> {
    const rows = await this.db.selectFrom('replica_groups').select('data').where('partner', '=', partner).orderBy('id').execute();
    return rows.map((row) => fromJson<SharedGroup>(row.data));
  }

  /** Remembers a message id; false when it was seen before (a replay). */
  async rememberMessage(sender: string, messageId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('received_messages')
      .values({ sender, message_id: messageId, received_at: toTimestamp(at) })
      .onConflict((oc) => oc.columns(['sender', 'message_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Message ids older than the freshness window can go: older messages are refused as stale anyway. */
  async forgetMessagesBefore(at: Date): Promise<void> {
    await this.db.deleteFrom('received_messages').where('received_at', '<', toTimestamp(at)).execute();
  }
}
