/** Requests between systems (both directions), and the receiving side's policies per kind of request. */
import type { Kysely } from 'kysely';
import { DEFAULT_POLICY, type RequestBody, type RequestKind, type RequestPolicy, type RequestStatus, type UserVerdict } from '../../../domain/requests.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { Database, RequestTable } from './tables.js';

export type RequestDirection = 'inbound' | 'outbound';

export interface RequestRecord {
  id: string;
  direction: RequestDirection;
  partner: string;
  kind: RequestKind;
  status: RequestStatus;
  requester: { system: string; subject: string };
  /** The person or functional alias it is addressed to at the deciding system, if any. */
  handler: string | null;
  body: RequestBody;
  outcome: { approved: string[]; refused: UserVerdict[] } | null;
  decidedBy: string | null;
  reason: string | null;
  createdAt: Date;
  decideBy: Date | null;
  decidedAt: Date | null;
}

function toRecord(row: RequestTable): RequestRecord {
  return {
    id: row.id,
    direction: row.direction as RequestDirection,
    partner: row.partner,
    kind: row.kind as RequestKind,
    status: row.status as RequestStatus,
    requester: { system: row.requester_system, subject: row.requester_subject },
    handler: row.handler,
    body: fromJson<RequestBody>(row.body),
    outcome: row.outcome === null ? null : fromJson(row.outcome),
    decidedBy: row.decided_by,
    reason: row.reason,
    createdAt: fromTimestamp(row.created_at),
    decideBy: fromTimestamp(row.decide_by),
    decidedAt: fromTimestamp(row.decided_at),
  };
}

function toRow(record: RequestRecord): RequestTable {
  return {
    id: record.id,
    direction: record.direction,
    partner: record.partner,
    kind: record.kind,
    status: record.status,
    requester_system: record.requester.system,
    requester_subject: record.requester.subject,
    handler: record.handler,
    body: toJson(record.body),
    outcome: record.outcome === null ? null : toJson(record.outcome),
    decided_by: record.decidedBy,
    reason: record.reason,
    created_at: toTimestamp(record.createdAt),
    decide_by: record.decideBy && toTimestamp(record.decideBy),
    decided_at: record.decidedAt && toTimestamp(record.decidedAt),
  };
}

export class RequestStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(direction: RequestDirection, partner: string, id: string): Promise<RequestRecord | undefined> {
    const row = await this.db.selectFrom('requests').selectAll().where('direction', '=', direction).where('partner', '=', partner).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(filter: { direction: RequestDirection | null; status: RequestStatus | null; limit: number }): Promise<RequestRecord[]> {
    let query = this.db.selectFrom('requests').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit);
    if (filter.direction !== null) query = query.where('direction', '=', filter.direction);
    if (filter.status !== null) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toRecord);
  }

  /** Inbound requests still pending whose time to decide has passed. */
  async overdue(now: Date): Promise<RequestRecord[]> {
    const rows = await this.db.selectFrom('requests').selectAll().where('direction', '=', 'inbound').where('status', '=', 'PENDING').where('decide_by', '<=', toTimestamp(now)).execute();
    return rows.map(toRecord);
  }

  async insert(record: RequestRecord): Promise<void> {
    await this.db.insertInto('requests').values(toRow(record)).execute();
  }

  async update(record: RequestRecord): Promise<void> {
    const { id, direction, partner, ...rest } = toRow(record);
    await this.db.updateTable('requests').set(rest).where('direction', '=', direction).where('partner', '=', partner).where('id', '=', id).execute();
  }

  /** The policy for a kind of request from a partner: its own, else the one for every partner, else the default. */
  async policy(kind: RequestKind, partner: string): Promise<RequestPolicy> {
    const rows = await this.db.selectFrom('request_policies').selectAll().where('kind', '=', kind).where('partner', 'in', [partner, '*']).execute();
    const row = rows.find((r) => r.partner === partner) ?? rows.find((r) => r.partner === '*');
    return row ? { ...DEFAULT_POLICY, ...fromJson<RequestPolicy>(row.policy) } : DEFAULT_POLICY;
  }

  async savePolicy(kind: RequestKind, partner: string, policy: RequestPolicy): Promise<void> {
    await this.db
      .insertInto('request_policies')
      .values({ kind, partner, policy: toJson(policy) })
      .onConflict((oc) => oc.columns(['kind', 'partner']).doUpdateSet({ policy: toJson(policy) }))
      .execute();
  }
}
