/**
 * Joint groups: at the home, which of its groups are joint (with the priority and version) and the
 * partners they are provided to; at a participant, its copy of the home's shared state.
 */
import type { Kysely } from 'kysely';
import type { JointGroupState, JointGroupStatus, ParticipantRecord, ParticipantStatus } from '../../../domain/joint-groups.js';
import { fromJson, fromTimestamp, toJson, toTimestamp } from './json-columns.js';
import type { Database, JointGroupParticipantTable, JointGroupTable } from './tables.js';

export interface JointGroupRecord {
  groupId: string;
  homeSystem: string;
  role: 'home' | 'participant';
  status: JointGroupStatus;
  priority: number;
  /** A participant's copy (null at the home, whose group is in the groups table). */
  state: JointGroupState | null;
  version: number;
  requestId: string | null;
  reason: string | null;
  updatedAt: Date;
}

function toRecord(row: JointGroupTable): JointGroupRecord {
  return {
    groupId: row.group_id,
    homeSystem: row.home_system,
    role: row.role as JointGroupRecord['role'],
    status: row.status as JointGroupStatus,
    priority: row.priority,
    state: row.state === null ? null : fromJson<JointGroupState>(row.state),
    version: row.version,
    requestId: row.request_id,
    reason: row.reason,
    updatedAt: fromTimestamp(row.updated_at),
  };
}

function toRow(record: JointGroupRecord): JointGroupTable {
  return {
    group_id: record.groupId,
    home_system: record.homeSystem,
    role: record.role,
    status: record.status,
    priority: record.priority,
    state: record.state === null ? null : toJson(record.state),
    version: record.version,
    request_id: record.requestId,
    reason: record.reason,
    updated_at: toTimestamp(record.updatedAt),
  };
}

function participantRecord(row: JointGroupParticipantTable): ParticipantRecord {
  return {
    partner: row.partner,
    status: row.status as ParticipantStatus,
    handler: row.handler,
    requestId: row.request_id,
    decidedBy: row.decided_by,
    reason: row.reason,
    updatedAt: fromTimestamp(row.updated_at),
  };
}

export class JointGroupStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(groupId: string): Promise<JointGroupRecord | undefined> {
    const row = await this.db.selectFrom('joint_groups').selectAll().where('group_id', '=', groupId).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(): Promise<JointGroupRecord[]> {
    return (await this.db.selectFrom('joint_groups').selectAll().orderBy('group_id').execute()).map(toRecord);
  }

  /** Participant copies of groups homed at a partner. */
  async copiesFrom(home: string): Promise<JointGroupRecord[]> {
    const rows = await this.db.selectFrom('joint_groups').selectAll().where('role', '=', 'participant').where('home_system', '=', home).orderBy('group_id').execute();
    return rows.map(toRecord);
  }

  async save(record: JointGroupRecord): Promise<void> {
    const row = toRow(record);
    const { group_id: _id, ...rest } = row;
    await this.db.insertInto('joint_groups').values(row).onConflict((oc) => oc.column('group_id').doUpdateSet(rest)).execute();
  }

  async participants(groupId: string): Promise<ParticipantRecord[]> {
    const rows = await this.db.selectFrom('joint_group_participants').selectAll().where('group_id', '=', groupId).orderBy('partner').execute();
    return rows.map(participantRecord);
  }

  /** The home's joint groups a partner takes part in (in any of these statuses). */
  async groupsOfPartner(partner: string, statuses: ParticipantStatus[]): Promise<string[]> {
    const rows = await this.db.selectFrom('joint_group_participants').select('group_id').where('partner', '=', partner).where('status', 'in', statuses).orderBy('group_id').execute();
    return rows.map((r) => r.group_id);
  }

  async saveParticipant(groupId: string, participant: ParticipantRecord): Promise<void> {
    const row: JointGroupParticipantTable = {
      group_id: groupId,
      partner: participant.partner,
      status: participant.status,
      handler: participant.handler,
      request_id: participant.requestId,
      decided_by: participant.decidedBy,
      reason: participant.reason,
      updated_at: toTimestamp(participant.updatedAt),
    };
    const { group_id: _g, partner: _p, ...rest } = row;
    await this.db
      .insertInto('joint_group_participants')
      .values(row)
      .onConflict((oc) => oc.columns(['group_id', 'partner']).doUpdateSet(rest))
      .execute();
  }
}
