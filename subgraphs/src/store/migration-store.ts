/** Migration authorisations: partners' users authorised to migrate here (inbound), and this system's users authorised at partners (outbound). */
import type { Kysely } from 'kysely';
import type { McService } from '../../../domain/model.js';
import type { MigratingUser, ServiceToggleBody } from '../../../domain/requests.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { RequestDirection } from './request-store.js';
import type { Database, MigrationAuthorisationTable } from './tables.js';

export type AuthorisationStatus = 'ACTIVE' | 'REMOVED' | 'REVOKED' | 'EXPIRED';

export interface AuthorisationRecord extends MigratingUser {
  direction: RequestDirection;
  partner: string;
  services: McService[];
  validFrom: Date;
  validUntil: Date;
  status: AuthorisationStatus;
  requestId: string;
  /** Of the authorised services, those enabled for the visitor now. */
  enabledServices: McService[];
  /** Groups of the authorising system the visitor may use, and its functional aliases there. */
  groups: string[];
  aliases: string[];
  updatedAt: Date;
}

function toRecord(row: MigrationAuthorisationTable): AuthorisationRecord {
  return {
    direction: row.direction as RequestDirection,
    partner: row.partner,
    userId: row.user_id,
    displayName: row.display_name,
    organisationId: row.organisation_id,
    mcServiceId: row.mc_service_id,
    securityDomain: row.security_domain,
    services: fromJson<McService[]>(row.services),
    validFrom: fromTimestamp(row.valid_from),
    validUntil: fromTimestamp(row.valid_until),
    status: row.status as AuthorisationStatus,
    requestId: row.request_id,
    enabledServices: fromJson<McService[]>(row.enabled_services),
    groups: fromJson<string[]>(row.visitor_groups),
    aliases: fromJson<string[]>(row.visitor_aliases),
    updatedAt: fromTimestamp(row.updated_at),
  };
}

function toRow(record: AuthorisationRecord): MigrationAuthorisationTable {
  return {
    direction: record.direction,
    partner: record.partner,
    user_id: record.userId,
    display_name: record.displayName,
    organisation_id: record.organisationId,
    mc_service_id: record.mcServiceId,
    security_domain: record.securityDomain,
    services: toJson(record.services),
    valid_from: toTimestamp(record.validFrom),
    valid_until: toTimestamp(record.validUntil),
    status: record.status,
    request_id: record.requestId,
    enabled_services: toJson(record.enabledServices),
    visitor_groups: toJson(record.groups),
    visitor_aliases: toJson(record.aliases),
    updated_at: toTimestamp(record.updatedAt),
  };
}

const CHUNK = 500;

export interface ScheduledChange {
  id: string;
  direction: RequestDirection;
  partner: string;
  body: ServiceToggleBody;
  dueAt: Date;
  status: 'PENDING' | 'APPLIED';
  requestedBy: string;
  createdAt: Date;
}

export class MigrationStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Saves these authorisations (a user authorised again replaces the earlier authorisation). */
  async save(records: AuthorisationRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += CHUNK) {
      const rows = records.slice(start, start + CHUNK).map(toRow);
      await this.db
        .insertInto('migration_authorisations')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['direction', 'partner', 'user_id']).doUpdateSet((eb) => ({
            display_name: eb.ref('excluded.display_name'),
            organisation_id: eb.ref('excluded.organisation_id'),
            mc_service_id: eb.ref('excluded.mc_service_id'),
            security_domain: eb.ref('excluded.security_domain'),
            services: eb.ref('excluded.services'),
            valid_from: eb.ref('excluded.valid_from'),
            valid_until: eb.ref('excluded.valid_until'),
            status: eb.ref('excluded.status'),
            request_id: eb.ref('excluded.request_id'),
            enabled_services: eb.ref('excluded.enabled_services'),
            visitor_groups: eb.ref('excluded.visitor_groups'),
            visitor_aliases: eb.ref('excluded.visitor_aliases'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  async list(filter: { direction: RequestDirection; partner: string | null; status: AuthorisationStatus | null; limit: number; offset: number }): Promise<AuthorisationRecord[]> {
    let query = this.db.selectFrom('migration_authorisations').selectAll().where('direction', '=', filter.direction).orderBy('partner').orderBy('display_name').orderBy('user_id').limit(filter.limit).offset(filter.offset);
    if (filter.partner !== null) query = query.where('partner', '=', filter.partner);
    if (filter.status !== null) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toRecord);
  }

  /** The active authorisations of these users (of one partner, one direction). */
  async active(direction: RequestDirection, partner: string, userIds: string[] | null): Promise<AuthorisationRecord[]> {
    const found: AuthorisationRecord[] = [];
    const ids = userIds ?? [null];
    for (let start = 0; start < ids.length; start += CHUNK) {
      let query = this.db.selectFrom('migration_authorisations').selectAll().where('direction', '=', direction).where('partner', '=', partner).where('status', '=', 'ACTIVE');
      if (userIds !== null) query = query.where('user_id', 'in', userIds.slice(start, start + CHUNK));
      found.push(...(await query.execute()).map(toRecord));
    }
    return found;
  }

  async schedule(change: ScheduledChange): Promise<void> {
    await this.db
      .insertInto('scheduled_service_changes')
      .values({ id: change.id, direction: change.direction, partner: change.partner, body: toJson(change.body), due_at: toTimestamp(change.dueAt), status: change.status, requested_by: change.requestedBy, created_at: toTimestamp(change.createdAt) })
      .onConflict((oc) => oc.columns(['direction', 'partner', 'id']).doNothing())
      .execute();
  }

  async scheduled(filter: { direction: RequestDirection | null; dueBy: Date | null; status: 'PENDING' | 'APPLIED' | null }): Promise<ScheduledChange[]> {
    let query = this.db.selectFrom('scheduled_service_changes').selectAll().orderBy('due_at');
    if (filter.direction !== null) query = query.where('direction', '=', filter.direction);
    if (filter.dueBy !== null) query = query.where('due_at', '<=', toTimestamp(filter.dueBy));
    if (filter.status !== null) query = query.where('status', '=', filter.status);
    return (await query.execute()).map((row) => ({
      id: row.id,
      direction: row.direction as RequestDirection,
      partner: row.partner,
      body: fromJson<ServiceToggleBody>(row.body),
      dueAt: fromTimestamp(row.due_at),
      status: row.status as 'PENDING' | 'APPLIED',
      requestedBy: row.requested_by,
      createdAt: fromTimestamp(row.created_at),
    }));
  }

  async markApplied(direction: RequestDirection, partner: string, id: string): Promise<void> {
    await this.db.updateTable('scheduled_service_changes').set({ status: 'APPLIED' }).where('direction', '=', direction).where('partner', '=', partner).where('id', '=', id).execute();
  }

  /** Active authorisations whose validity has ended. */
  async endedBy(now: Date): Promise<AuthorisationRecord[]> {
    const rows = await this.db.selectFrom('migration_authorisations').selectAll().where('status', '=', 'ACTIVE').where('valid_until', '<=', toTimestamp(now)).execute();
    return rows.map(toRecord);
  }
}
