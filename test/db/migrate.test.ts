import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseInUseError, openDatabase } from '../../src/db/client.js';
import { applyMigrations, MigrationError, readMigrations } from '../../src/db/migrate.js';
import { withFreshDatabase } from '../support/database.js';
import { runTs } from '../support/process.js';
import { PROCESS_TEST_MS } from '../support/budget.js';

function runMigrateProcess(env: Record<string, string>) {
  return runTs('scripts/migrate.ts', [], env);
}

interface BookkeepingRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

// Each child process starts tsx and opens its own database: slow on a loaded 2-core machine.

describe('migrations', () => {
  it('apply in order, are recorded like prisma migrate deploy, and a second run applies nothing', async () => {
    await withFreshDatabase(async (url) => {
      const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://' });
      try {
        const migrations = await readMigrations();
        expect(migrations.length).toBeGreaterThan(0);
        const first = await database.withConnection((conn) => applyMigrations(conn, migrations));
        expect(first.applied).toEqual(migrations.map((m) => m.name));
        const rows = await database.withConnection((conn) =>
          conn.query<BookkeepingRow>(
            'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
          ),
        );
        expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
        for (const [i, row] of rows.entries()) {
          expect(row.checksum).toBe(createHash('sha256').update(migrations[i]!.sql).digest('hex'));
          expect(row.finished_at).not.toBeNull();
          expect(row.applied_steps_count).toBe(1);
        }
        const second = await database.withConnection((conn) => applyMigrations(conn, migrations));
        expect(second).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.name) });
      } finally {
        await database.close();
      }
    });
  });

  it('a failing migration leaves nothing behind (one transaction) and is reported', async () => {
    await withFreshDatabase(async (url) => {
      const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://' });
      try {
        const broken = [
          { name: '20990101000000_broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;', checksum: 'x'.repeat(64) },
        ];
        await expect(database.withConnection((conn) => applyMigrations(conn, broken))).rejects.toBeInstanceOf(MigrationError);
        const tables = await database.withConnection((conn) =>
          conn.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'"),
        );
        expect(tables[0]!.n).toBe(0);
        const recorded = await database.withConnection((conn) =>
          conn.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"'),
        );
        expect(recorded[0]!.n).toBe(0);
      } finally {
        await database.close();
      }
    });
  });

  it(
    'two processes migrating at once: each migration is applied exactly once',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'cs-migrate-'));
      try {
        await withFreshDatabase(async (url) => {
          // PostgreSQL: the advisory lock serialises the two. Embedded: the data folder's lock keeps
          // the second process out with a clear message while the first one holds it.
          const env: Record<string, string> = url ? { DATABASE_URL: url } : { DATABASE_URL: '', DATA_DIR: dataDir };
          const results = await Promise.all([runMigrateProcess(env), runMigrateProcess(env)]);
          const names = (await readMigrations()).map((m) => m.name);
          const applied: string[] = [];
          for (const result of results) {
            if (result.code === 0) {
              applied.push(...(JSON.parse(result.stdout) as { applied: string[] }).applied);
            } else {
              expect(url, result.stderr).toBeUndefined();
              expect(result.stderr).toMatch(/is in use by process \d+/);
            }
          }
          expect(results.some((r) => r.code === 0)).toBe(true);
          expect(applied.sort()).toEqual(names);
          const database = await openDatabase({ databaseUrl: url, dataDir });
          try {
            const rows = await database.withConnection((conn) =>
              conn.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"'),
            );
            expect(rows[0]!.n).toBe(names.length);
          } finally {
            await database.close();
          }
        });
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PROCESS_TEST_MS,
  );

  it('embedded: a second process cannot open a data folder in use', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cs-lock-'));
    try {
      const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      try {
        // The lock file names this process; pretend another live process (our parent) holds it.
        const { writeFile } = await import('node:fs/promises');
        await writeFile(path.join(dir, 'server.lock'), String(process.ppid));
        await expect(openDatabase({ databaseUrl: undefined, dataDir: dir })).rejects.toBeInstanceOf(DatabaseInUseError);
      } finally {
        await first.close();
      }
      // Closed: the lock is gone and the folder opens again, data intact.
      const again = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
