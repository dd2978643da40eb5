/** Row shapes of the configuration store (the same on SQLite and PostgreSQL). */
import type { Generated, Selectable } from 'kysely';

export interface OrganisationTable {
  id: string;
  name: string;
  kind: string;
}

export interface UserTable {
  id: string;
  display_name: string;
  organisation_id: string;
  mcptt_id: string | null;
  mcdata_id: string | null;
  mcvideo_id: string | null;
  /** JSON array of SIP URIs. */
  functional_aliases: string;
  /** JSON array of McService. */
  enabled_services: string;
  security_domain: string;
  phone: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
}

export interface GroupTable {
  group_id: string;
  name: string;
  home_system: string;
  organisation_id: string | null;
  /** JSON array of McService. */
  services: string;
  member_limit: number;
  /** 0 or 1. */
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface GroupMemberTable {
  group_id: string;
  system: string;
  mc_service_id: string;
  added_at: string;
  /** The member's security domain (KMS URI), where known. */
  security_domain: string | null;
}

export interface AgreementTable {
  partner: string;
  partner_name: string;
  status: string;
  valid_from: string | null;
  valid_until: string | null;
  partner_key_fingerprint: string | null;
  /** JSON array of ScopeGrant. */
  granted_to_partner: string;
  /** JSON array of ScopeGrant. */
  granted_by_partner: string;
  updated_at: string;
  /** The partner's pinned public key (PEM): messages from the partner must be signed with it. */
  partner_public_key: string | null;
  proposed_by: string | null;
  /** 0 or 1. */
  fingerprint_confirmed: number;
  resume_requested_by: string | null;
  status_reason: string | null;
  /** JSON of the partner's SystemCard. */
  partner_card: string | null;
  messages_sent: number;
  messages_received: number;
  /** JSON { publicKey, validUntil } of the partner's key before its last rotation. */
  partner_previous_key: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor_system: string;
  actor_kind: string;
  actor_subject: string;
  action: string;
  target: string;
  result: string;
  code: string | null;
  detail: string | null;
}

export interface FeedEntryTable {
  seq: Generated<number>;
  partner: string;
  /** user | group | all (a reset) */
  entity: string;
  entity_id: string;
  /** upsert | delete | reset */
  op: string;
  /** JSON of the object as the partner may see it (upsert only). */
  payload: string | null;
  at: string;
}

export interface FeedLockTable {
  id: number;
  writes: number;
}

export interface DeliveryTable {
  partner: string;
  delivered_seq: number;
  attempts: number;
  last_error: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
}

export interface ReplicaCursorTable {
  partner: string;
  applied_seq: number;
  applied_count: number;
  last_applied_at: string;
}

export interface ReplicaObjectTable {
  partner: string;
  id: string;
  data: string;
  updated_at: string;
}

export interface ReceivedMessageTable {
  sender: string;
  message_id: string;
  received_at: string;
}

export interface RequestTable {
  id: string;
  /** outbound: this system asked; inbound: a partner asked this system. */
  direction: string;
  partner: string;
  kind: string;
  status: string;
  requester_system: string;
  requester_subject: string;
  handler: string | null;
  /** JSON RequestBody. */
  body: string;
  /** JSON { approved: string[] (user ids), refused: UserVerdict[] }, once decided. */
  outcome: string | null;
  decided_by: string | null;
  reason: string | null;
  created_at: string;
  decide_by: string | null;
  decided_at: string | null;
}

export interface MigrationAuthorisationTable {
  /** inbound: a partner's user authorised to migrate here; outbound: this system's user authorised at a partner. */
  direction: string;
  partner: string;
  user_id: string;
  display_name: string;
  organisation_id: string;
  mc_service_id: string;
  security_domain: string;
  /** JSON McService[]. */
  services: string;
  valid_from: string;
  valid_until: string;
  /** ACTIVE, REMOVED, REVOKED, EXPIRED. */
  status: string;
  request_id: string;
  /** The visiting profile issued with it (inbound): JSON McService[] enabled now, JSON group IDs and aliases here. */
  enabled_services: string;
  visitor_groups: string;
  visitor_aliases: string;
  updated_at: string;
}

export interface ScheduledServiceChangeTable {
  id: string;
  /** inbound: to this system's visitors from a partner; outbound: a partner's schedule for this system's users (a copy). */
  direction: string;
  partner: string;
  /** JSON ServiceToggleBody. */
  body: string;
  due_at: string;
  /** PENDING or APPLIED. */
  status: string;
  requested_by: string;
  created_at: string;
}

export interface RequestPolicyTable {
  kind: string;
  /** A partner's slug, or '*' for every partner. */
  partner: string;
  /** JSON RequestPolicy. */
  policy: string;
}

export interface JointGroupTable {
  group_id: string;
  home_system: string;
  /** home: this system owns the group (its configuration and members are in groups / group_members); participant: a copy. */
  role: string;
  /** JointGroupStatus. */
  status: string;
  priority: number;
  /** A participant's copy: JSON JointGroupState (null at the home). */
  state: string | null;
  version: number;
  /** A participant's copy: the provision request it came with. */
  request_id: string | null;
  /** Why it was dissolved, removed or suspended. */
  reason: string | null;
  updated_at: string;
}

export interface JointGroupParticipantTable {
  group_id: string;
  partner: string;
  /** ParticipantStatus. */
  status: string;
  handler: string | null;
  request_id: string;
  decided_by: string | null;
  reason: string | null;
  updated_at: string;
}

export interface AdministratorTable {
  /** The administrator's subject in tokens (e.g. an MC service ID or admin@north). */
  username: string;
  /** identity/passwords.ts */
  password_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  agreements: AgreementTable;
  audit: AuditTable;
  feed_entries: FeedEntryTable;
  feed_lock: FeedLockTable;
  deliveries: DeliveryTable;
  replica_cursors: ReplicaCursorTable;
  replica_users: ReplicaObjectTable;
  replica_groups: ReplicaObjectTable;
  received_messages: ReceivedMessageTable;
  requests: RequestTable;
  migration_authorisations: MigrationAuthorisationTable;
  request_policies: RequestPolicyTable;
  scheduled_service_changes: ScheduledServiceChangeTable;
  joint_groups: JointGroupTable;
  joint_group_participants: JointGroupParticipantTable;
  administrators: AdministratorTable;
}

export type UserRow = Selectable<UserTable>;
export type GroupRow = Selectable<GroupTable>;
export type AgreementRow = Selectable<AgreementTable>;
export type AuditRow = Selectable<AuditTable>;
