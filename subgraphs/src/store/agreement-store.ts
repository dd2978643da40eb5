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
    updatedAt: fromTimestamp(row.updated_at),
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

  async insert(agreement: AgreementRecord): Promise<void> {
    await this.db.insertInto('agreements').values(toRow(agreement)).execute();
  }

  async update(agreement: AgreementRecord): Promise<void> {
    const { partner, ...rest } = toRow(agreement);
    await this.db.updateTable('agreements').set(rest).where('partner', '=', partner).execute();
  }
}
