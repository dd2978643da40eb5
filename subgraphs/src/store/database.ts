/**
 * Opens a system's store: SQLite (a file per system, the embedded default) or PostgreSQL (one
 * schema per system) when a database URL is given. Both run the same migrations and queries.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import type { Database } from './tables.js';

export type Dialect = 'sqlite' | 'postgres';

export type StoreConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema: string };

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

const PG_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

// PostgreSQL returns BIGINT (bigserial) as a string; audit ids stay well below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * Kysely prepares every statement anew; better-sqlite3 statements can be reused. Keeping the
 * prepared statements by SQL text (bounded) saves most of the cost of a query.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 500): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let statement = statements.get(source);
        if (statement === undefined) {
          if (statements.size >= max) statements.delete(statements.keys().next().value!);
          statement = target.prepare(source);
          statements.set(source, statement);
        }
        return statement;
      };
    },
  });
}

export async function openDatabase(config: StoreConfig): Promise<OpenDatabase> {
  let db: Kysely<Database>;
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
    const sqlite = new BetterSqlite3(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  } else {
    if (!PG_SCHEMA.test(config.schema)) throw new Error(`invalid PostgreSQL schema name "${config.schema}"`);
    const setup = new pg.Client({ connectionString: config.url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema}"`);
    } finally {
      await setup.end();
    }
    const pool = new pg.Pool({ connectionString: config.url, max: 10, options: `-c search_path="${config.schema}"` });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const dialect: Dialect = config.kind;
  // On PostgreSQL the migration tables live in the system's own schema (several systems may share a database).
  const { error } = await new Migrator({
    db,
    provider: migrationProvider(dialect),
    ...(config.kind === 'postgres' && { migrationTableSchema: config.schema }),
  }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, close: () => db.destroy() };
}

/** Drops a PostgreSQL schema (tests clean up after themselves with it). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!PG_SCHEMA.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export { sql };
