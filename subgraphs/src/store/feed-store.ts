/** The per-partner change feed (the outbox) and how far each partner has received it. */
import type { Kysely } from 'kysely';
import type { FeedChange, FeedEntity, FeedOp } from '../../../domain/sharing.js';
import { fromJson, toJson, toTimestamp } from './json-columns.js';
import type { Database } from './tables.js';

export interface FeedEntry extends FeedChange {
  seq: number;
  at: string;
}

export interface DeliveryState {
  partner: string;
  deliveredSeq: number;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
}

export interface PendingStats {
  pending: number;
  oldestPendingAt: string | null;
}

export class FeedStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Appends entries. Must run inside the transaction of the change: it first locks the feed, so
   * that no entry with a smaller sequence number can commit after one with a larger number (the
   * delivery cursor would skip it).
   */
  async append(partner: string, changes: FeedChange[], at: Date): Promise<void> {
    if (changes.length === 0) return;
    await this.db.updateTable('feed_lock').set((eb) => ({ writes: eb('writes', '+', 1) })).where('id', '=', 1).execute();
    for (let start = 0; start < changes.length; start += 200) {
      const values = changes.slice(start, start + 200).map((change) => ({
        partner,
        entity: change.entity,
        entity_id: change.entityId,
        op: change.op,
        payload: change.payload === null ? null : toJson(change.payload),
        at: toTimestamp(at),
      }));
      if (values.length > 0) await this.db.insertInto('feed_entries').values(values).execute();
    }
  }

  async since(partner: string, afterSeq: number, limit: number): Promise<FeedEntry[]> {
    const rows = await this.db
      .selectFrom('feed_entries')
      .selectAll()
      .where('partner', '=', partner)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      seq: Number(row.seq),
      entity: row.entity as FeedEntity,
      entityId: row.entity_id,
      op: row.op as FeedOp,
      payload: row.payload === null ? null : fromJson(row.payload),
      at: row.at,
    }));
  }

  /** The newest entry of a partner's feed (0 when it is empty), and its newest reset (null when none). */
  async head(partner: string): Promise<{ lastSeq: number; lastResetSeq: number | null }> {
    const row = await this.db
      .selectFrom('feed_entries')
      .select((eb) => [eb.fn.max('seq').as('last'), eb.fn.max(eb.case().when('op', '=', 'reset').then(eb.ref('seq')).end()).as('reset')])
      .where('partner', '=', partner)
      .executeTakeFirst();
    const reset = row?.reset ?? null;
    return { lastSeq: Number(row?.last ?? 0), lastResetSeq: reset === null ? null : Number(reset) };
  }

  /** The newest message about the agreement of this kind written to any partner's feed (e.g. the last key rotation). */
  async latestNotice(kind: string): Promise<FeedEntry | null> {
    const row = await this.db
      .selectFrom('feed_entries')
      .selectAll()
      .where('entity', '=', 'agreement')
      .where('entity_id', '=', kind)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return { seq: Number(row.seq), entity: 'agreement', entityId: row.entity_id, op: row.op as FeedOp, payload: row.payload === null ? null : fromJson(row.payload), at: row.at };
  }

  async pending(partner: string, deliveredSeq: number): Promise<PendingStats> {
    const row = await this.db
      .selectFrom('feed_entries')
      .select((eb) => [eb.fn.countAll<number>().as('pending'), eb.fn.min('at').as('oldest')])
      .where('partner', '=', partner)
      .where('seq', '>', deliveredSeq)
      .executeTakeFirst();
    return { pending: Number(row?.pending ?? 0), oldestPendingAt: (row?.oldest as string | null) ?? null };
  }

  async delivery(partner: string): Promise<DeliveryState> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('partner', '=', partner).executeTakeFirst();
    return row
      ? {
          partner,
          deliveredSeq: Number(row.delivered_seq),
          attempts: row.attempts,
          lastError: row.last_error,
          lastAttemptAt: row.last_attempt_at,
          lastSuccessAt: row.last_success_at,
        }
      : { partner, deliveredSeq: 0, attempts: 0, lastError: null, lastAttemptAt: null, lastSuccessAt: null };
  }

  async saveDelivery(state: DeliveryState): Promise<void> {
    const values = {
      partner: state.partner,
      delivered_seq: state.deliveredSeq,
      attempts: state.attempts,
      last_error: state.lastError,
      last_attempt_at: state.lastAttemptAt,
      last_success_at: state.lastSuccessAt,
    };
    await this.db
      .insertInto('deliveries')
      .values(values)
      .onConflict((oc) => oc.column('partner').doUpdateSet({ ...values }))
      .execute();
  }
}
