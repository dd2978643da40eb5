import type { Kysely } from 'kysely';
import type { AgreementRecord, AgreementStatus, ScopeGrant } from '../../../domain/model.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { AgreementRow, Database } from './tables.js';

function toRecord(row: AgreementRow): AgreementRecord {
  return {
    partner: row.partner,
    partnerName: row.partner_name,
    status: row.status as AgreementStatus,
    validFrom: fromTimestamp(row.valid_from),
    validUntil: fromTimestamp(row.valid_until),
    partnerKeyFingerprint: row.partner_key_fingerprint,
    partnerPublicKey: row.partner_public_key,
    grantedToPartner: fromJson<ScopeGrant[]>(row.granted_to_partner),
    grantedByPartner: fromJson<ScopeGrant[]>(row.granted_by_partner),
    proposedBy: row.proposed_by as AgreementRecord['proposedBy'],
    fingerprintConfirmed: Number(row.fingerprint_confirmed) === 1,
    resumeRequestedBy: row.resume_requested_by as AgreementRecord['resumeRequestedBy'],
    statusReason: row.status_reason,
    partnerCard: row.partner_card === null ? null : fromJson<NonNullable<AgreementRecord['partnerCard']>>(row.partner_card),
    messagesSent: Number(row.messages_sent),
    messagesReceived: Number(row.messages_received),
    partnerPreviousKey: row.partner_previous_key === null ? null : ((saved) => ({ publicKey: saved.publicKey, validUntil: new Date(saved.validUntil) }))(fromJson<{ publicKey: string; validUntil: string }>(row.partner_previous_key)),
    updatedAt: fromTimestamp(row.updated_at)!,
  };
}

function toRow(agreement: AgreementRecord): AgreementRow {
  return {
    partner: agreement.partner,
    partner_name: agreement.partnerName,
    status: agreement.status,
    valid_from: agreement.validFrom && toTimestamp(agreement.validFrom),
    valid_until: agreement.validUntil && toTimestamp(agreement.validUntil),
    partner_key_fingerprint: agreement.partnerKeyFingerprint,
    partner_public_key: agreement.partnerPublicKey,
    granted_to_partner: toJson(agreement.grantedToPartner),
    granted_by_partner: toJson(agreement.grantedByPartner),
    proposed_by: agreement.proposedBy,
    fingerprint_confirmed: agreement.fingerprintConfirmed ? 1 : 0,
    resume_requested_by: agreement.resumeRequestedBy,
    status_reason: agreement.statusReason,
    partner_card: agreement.partnerCard === null ? null : toJson(agreement.partnerCard),
    messages_sent: agreement.messagesSent,
    messages_received: agreement.messagesReceived,
    partner_previous_key: agreement.partnerPreviousKey === null ? null : toJson({ publicKey: agreement.partnerPreviousKey.publicKey, validUntil: agreement.partnerPreviousKey.validUntil.toISOString() }),
    updated_at: toTimestamp(agreement.updatedAt),
  };
}

export class AgreementStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<AgreementRecord[]> {
    return (await this.db.selectFrom('agreements').selectAll().orderBy('partner').execute()).map(toRecord);
  }

  async get(partner: string): Promise<AgreementRecord | undefined> {
    const row = await this.db.selectFrom('agreements').selectAll().where('partner', '=', partner).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * The agreement, locked until the transaction ends: a change of an agreement reads it this way, so
   * that two changes at once (this side's step and the partner's message) do not both start from the
   * same state and one overwrite the other (PostgreSQL; SQLite runs one transaction at a time). Taken
   * first in a transaction, before the feed's lock, always in that order.
   */
  async getForUpdate(partner: string): Promise<AgreementRecord | undefined> {
    // A no-op update takes the row lock the same way on both databases (SQLite has no FOR UPDATE).
    await this.db.updateTable('agreements').set((eb) => ({ messages_sent: eb.ref('messages_sent') })).where('partner', '=', partner).execute();
    return this.get(partner);
  }

  async insert(agreement: AgreementRecord): Promise<void> {
    await this.db.insertInto('agreements').values(toRow(agreement)).execute();
  }

  /** Inserts the agreement, or replaces the one with the same partner (a new agreement after a final one). */
  async save(agreement: AgreementRecord): Promise<void> {
    const row = toRow(agreement);
    const { partner: _partner, ...rest } = row;
    await this.db.insertInto('agreements').values(row).onConflict((oc) => oc.column('partner').doUpdateSet(rest)).execute();
  }

  async update(agreement: AgreementRecord): Promise<void> {
    const { partner, ...rest } = toRow(agreement);
    await this.db.updateTable('agreements').set(rest).where('partner', '=', partner).execute();
  }
}
