import type { Kysely } from 'kysely';
import type { AuditRecord, AuditResult, CallerKind } from '../../../domain/model.js';
import { fromTimestamp, toTimestamp } from './json-columns.js';
import type { AuditRow, Database } from './tables.js';

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: fromTimestamp(row.at),
    actorSystem: row.actor_system,
    actorKind: row.actor_kind as CallerKind,
    actorSubject: row.actor_subject,
    action: row.action,
    target: row.target,
    result: row.result as AuditResult,
    code: row.code,
    detail: row.detail,
  };
}

export interface AuditFilter {
  /** Only entries of this actor system (null: all). */
  actorSystem: string | null;
  result: AuditResult | null;
  /** Only entries with a smaller id (paging backwards from the newest). */
  beforeId: number | null;
  limit: number;
}

export class AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db
      .insertInto('audit')
      .values({
        at: toTimestamp(entry.at),
        actor_system: entry.actorSystem,
        actor_kind: entry.actorKind,
        actor_subject: entry.actorSubject,
        action: entry.action,
        target: entry.target,
        result: entry.result,
        code: entry.code,
        detail: entry.detail,
      })
      .execute();
  }

  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.actorSystem !== null) query = query.where('actor_system', '=', filter.actorSystem);
    if (filter.result !== null) query = query.where('result', '=', filter.result);
    if (filter.beforeId !== null) query = query.where('id', '<', filter.beforeId);
    return (await query.execute()).map(toRecord);
  }
}
