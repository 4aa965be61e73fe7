import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';

/** PostgreSQL when TEST_DATABASE_URL is set (CI), otherwise an in-memory PGlite per test worker. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;
export const DATABASE_KIND = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  database: Database;
  /** Every SQL statement Prisma sent, in order; tests read a slice of it around one request. */
  statements: string[];
  /** The parameters of each of `statements` (same index), as Prisma reports them: JSON text. */
  parameters: string[];
}

export async function openTestDatabase(databaseUrl: string | undefined): Promise<TestDatabase> {
  const statements: string[] = [];
  const parameters: string[] = [];
  const database = await openDatabase({
    databaseUrl,
    dataDir: 'memory://',
    onQuery: (sql, params) => {
      statements.push(sql);
      parameters.push(params());
    },
  });
  const migrations = await readMigrations();
  await database.withConnection((conn) => applyMigrations(conn, migrations));
  return { database, statements, parameters };
}

let shared: Promise<TestDatabase> | undefined;

/**
 * The worker's database, migrated once. Tests share it and isolate by data: each creates its own
 * tenant (test/support/tenant.ts), so they never see each other's rows.
 */
export function sharedTestDatabase(): Promise<TestDatabase> {
  shared ??= openTestDatabase(TEST_DATABASE_URL);
  return shared;
}

/**
 * A brand-new, empty database for tests that need one (migrations, first-start seeding): a new
 * in-memory PGlite, or a new database on the TEST_DATABASE_URL server, dropped afterwards.
 * `fn` receives the URL in PostgreSQL mode (undefined for PGlite).
 */
export async function withFreshDatabase<T>(fn: (url: string | undefined) => Promise<T>): Promise<T> {
  if (!TEST_DATABASE_URL) return fn(undefined);
  const name = `cs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
