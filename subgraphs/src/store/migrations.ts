/** Schema migrations, the same for SQLite and PostgreSQL (only the auto-increment column differs). */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from './database.js';

function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('mcptt_id', 'text', (c) => c.unique())
        .addColumn('mcdata_id', 'text', (c) => c.unique())
        .addColumn('mcvideo_id', 'text', (c) => c.unique())
        .addColumn('functional_aliases', 'text', (c) => c.notNull())
        .addColumn('enabled_services', 'text', (c) => c.notNull())
        .addColumn('security_domain', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_by_organisation').on('users').columns(['organisation_id', 'display_name']).execute();
      await db.schema
        .createTable('groups')
        .addColumn('group_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('home_system', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('services', 'text', (c) => c.notNull())
        .addColumn('member_limit', 'integer', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.group_id').onDelete('cascade'))
        .addColumn('system', 'text', (c) => c.notNull())
        .addColumn('mc_service_id', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'system', 'mc_service_id'])
        .execute();
      await db.schema.createIndex('group_members_by_member').on('group_members').columns(['system', 'mc_service_id']).execute();
      await db.schema
        .createTable('agreements')
        .addColumn('partner', 'text', (c) => c.primaryKey())
        .addColumn('partner_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text')
        .addColumn('valid_until', 'text')
        .addColumn('partner_key_fingerprint', 'text')
        .addColumn('granted_to_partner', 'text', (c) => c.notNull())
        .addColumn('granted_by_partner', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_system', 'text', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('actor_subject', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_by_actor').on('audit').columns(['actor_system', 'id']).execute();
    },
  };
}

function autoIncrementId(dialect: Dialect) {
  return [dialect === 'postgres' ? 'bigserial' : 'integer', (c: any) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())] as const;
}

/** Sharing updates: per-partner change feed (the outbox), delivery cursors, replicas of what partners share. */
function sharing(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('agreements').addColumn('partner_public_key', 'text').execute();
      const [idType, idConstraint] = autoIncrementId(dialect);
      await db.schema
        .createTable('feed_entries')
        .addColumn('seq', idType, idConstraint)
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feed_by_partner').on('feed_entries').columns(['partner', 'seq']).execute();
      // One row that every transaction writing to the feed updates first: feed writers commit one
      // after the other, so entries become visible in the order of their sequence numbers.
      await db.schema.createTable('feed_lock').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('writes', 'bigint', (c) => c.notNull()).execute();
      await (db as Kysely<any>).insertInto('feed_lock').values({ id: 1, writes: 0 }).execute();
      await db.schema
        .createTable('deliveries')
        .addColumn('partner', 'text', (c) => c.primaryKey())
        .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_attempt_at', 'text')
        .addColumn('last_success_at', 'text')
        .execute();
      await db.schema
        .createTable('replica_cursors')
        .addColumn('partner', 'text', (c) => c.primaryKey())
        .addColumn('applied_seq', 'bigint', (c) => c.notNull())
        .addColumn('applied_count', 'bigint', (c) => c.notNull())
        .addColumn('last_applied_at', 'text', (c) => c.notNull())
        .execute();
      for (const table of ['replica_users', 'replica_groups']) {
        await db.schema
          .createTable(table)
          .addColumn('partner', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['partner', 'id'])
          .execute();
      }
      await db.schema
        .createTable('received_messages')
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('received_messages_pk', ['sender', 'message_id'])
        .execute();
    },
  };
}

/** Agreements established between live systems: who proposed, fingerprint confirmation, resume requests, the partner's card, message counters. */
function agreementLifecycle(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const add = (column: string, type: 'text' | 'integer', notNull = false) =>
        db.schema.alterTable('agreements').addColumn(column, type, (c) => (notNull ? c.notNull().defaultTo(0) : c)).execute();
      await add('proposed_by', 'text');
      // Agreements from before this migration were made beforehand, their keys pinned from shared data.
      await db.schema.alterTable('agreements').addColumn('fingerprint_confirmed', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await add('resume_requested_by', 'text');
      await add('status_reason', 'text');
      await add('partner_card', 'text');
      await add('messages_sent', 'integer', true);
      await add('messages_received', 'integer', true);
      await add('partner_previous_key', 'text');
    },
  };
}

/** Requests between systems (the ACM pipeline) and migration authorisations. */
function requests(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requester_system', 'text', (c) => c.notNull())
        .addColumn('requester_subject', 'text', (c) => c.notNull())
        .addColumn('handler', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decide_by', 'text')
        .addColumn('decided_at', 'text')
        .addPrimaryKeyConstraint('requests_pk', ['direction', 'partner', 'id'])
        .execute();
      await db.schema.createIndex('requests_by_status').on('requests').columns(['direction', 'status', 'created_at']).execute();
      await db.schema
        .createTable('migration_authorisations')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull())
        .addColumn('mc_service_id', 'text', (c) => c.notNull())
        .addColumn('security_domain', 'text', (c) => c.notNull())
        .addColumn('services', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_until', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('enabled_services', 'text', (c) => c.notNull())
        .addColumn('visitor_groups', 'text', (c) => c.notNull())
        .addColumn('visitor_aliases', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('migration_authorisations_pk', ['direction', 'partner', 'user_id'])
        .execute();
      // The clock looks for active authorisations whose validity ended every second.
      await db.schema.createIndex('migration_authorisations_by_end').on('migration_authorisations').columns(['status', 'valid_until']).execute();
      await db.schema
        .createTable('scheduled_service_changes')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scheduled_service_changes_pk', ['direction', 'partner', 'id'])
        .execute();
      await db.schema.createTable('request_policies').addColumn('kind', 'text', (c) => c.notNull()).addColumn('partner', 'text', (c) => c.notNull()).addColumn('policy', 'text', (c) => c.notNull()).addPrimaryKeyConstraint('request_policies_pk', ['kind', 'partner']).execute();
    },
  };
}

function jointGroups(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Every member's security domain (KMS URI), where it is known: a group management server must know each member's domain.
      await db.schema.alterTable('group_members').addColumn('security_domain', 'text').execute();
      await db.schema
        .createTable('joint_groups')
        .addColumn('group_id', 'text', (c) => c.primaryKey())
        .addColumn('home_system', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('joint_group_participants')
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('handler', 'text')
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('reason', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('joint_group_participants_pk', ['group_id', 'partner'])
        .execute();
      await db.schema.createIndex('joint_group_participants_by_partner').on('joint_group_participants').columns(['partner', 'status']).execute();
    },
  };
}

function administrators(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('administrators')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return { '0001_initial': initial(dialect), '0002_sharing': sharing(dialect), '0003_agreement_lifecycle': agreementLifecycle(), '0004_requests': requests(), '0005_joint_groups': jointGroups(), '0006_administrators': administrators() };
    },
  };
}
