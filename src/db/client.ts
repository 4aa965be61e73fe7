import { createHash } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { createPGlite } from './pglite-template.js';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { DEFAULT_POOL, type PoolConfig } from '../config.js';
import type { MigrationConnection } from './migrate.js';
import { rowObjects } from './row-objects.js';
import { registerRowReader, type RowReader } from './rows.js';
import { ROW_TYPES } from './timestamps.js';

export type DatabaseMode = 'embedded' | 'postgres';

/** One database, whichever mode: the Prisma client and a way to run migrations on it. */
export interface Database {
  mode: DatabaseMode;
  prisma: PrismaClient;
  /** Runs `fn` on one dedicated connection (multi-statement scripts, advisory locks). */
  withConnection<T>(fn: (conn: MigrationConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Told each statement sent; `params` (its parameters as JSON) is made only when asked for: the server counts, tests read them. */
export type OnQuery = (sql: string, params: () => string) => void;

export interface DatabaseOptions {
  /** PostgreSQL URL; undefined opens the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory. */
  dataDir: string;
  /** Called with every SQL statement sent and (on demand) its parameters as JSON: counting, plans. */
  onQuery?: OnQuery;
  /** PostgreSQL only: pool size and timeouts (the embedded database is in-process). */
  pool?: PoolConfig;
}

/**
 * A statement that runs too long is cancelled by PostgreSQL itself (statement_timeout: the
 * connection stays usable). A network that stops answering is caught by the client-side guard a
 * little later, and a connection that does not come by connectionTimeoutMillis. Each surfaces as
 * GATEWAY_TIMEOUT (db/faults.ts). Interactive transactions get the same budgets.
 */
function postgresPool(databaseUrl: string, pool: PoolConfig): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: pool.size,
    connectionTimeoutMillis: pool.connectTimeoutMs,
    statement_timeout: pool.statementTimeoutMs,
    query_timeout: pool.statementTimeoutMs + 1_000,
  });
}

/** Statements read through db/rows.ts are counted like Prisma's (onQuery gets the text and the parameters as JSON). */
function counted(reader: RowReader, onQuery: OnQuery | undefined): RowReader {
  if (!onQuery) return reader;
  return (text, values, prepared) => {
    onQuery(text, () => JSON.stringify(values));
    return reader(text, values, prepared);
  };
}

/**
 * Most texts a process prepares. Only fixed texts ask to be prepared (db/rows.ts), so a handful
 * are; past the cap a text runs unnamed, so a mistake cannot grow every connection's memory.
 */
const MAX_PREPARED_TEXTS = 32;

/** Names of prepared statements, one per text (the same text gets the same name on every connection). */
function statementNames(): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED_TEXTS) {
      name = `cs_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
}

function createPrisma(adapter: PrismaPg | PrismaPGlite, onQuery: OnQuery | undefined, pool: PoolConfig = DEFAULT_POOL): PrismaClient {
  const transactionOptions = { maxWait: pool.connectTimeoutMs, timeout: pool.statementTimeoutMs };
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions });
  const prisma = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (event) => onQuery(event.query, () => event.params));
  return prisma;
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: two processes writing one data folder would corrupt it. A lock
 * file holding the owner's pid keeps a second process (say, the admin CLI while the server runs)
 * out with a clear message; a lock left by a dead process is taken over. The lock appears with its
 * pid already in it (written aside, then hard-linked into place, which fails if it exists), so no
 * other process can read it empty and take it for a stale one.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dataDir, 'server.lock');
  const draft = path.join(dataDir, `server.lock.${process.pid}`);
  await writeFile(draft, String(process.pid));
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(draft, lockPath);
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new DatabaseInUseError(
            `The embedded database in ${dataDir} is in use by process ${pid}. Stop it first, or use PostgreSQL (DATABASE_URL).`,
          );
        }
        await rm(lockPath, { force: true });
      }
    }
    throw new DatabaseInUseError(`Could not lock the embedded database in ${dataDir}`);
  } finally {
    await rm(draft, { force: true });
  }
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://');
  let unlock = async () => {};
  if (!inMemory) {
    await mkdir(options.dataDir, { recursive: true });
    unlock = await lockDataDir(options.dataDir);
  }
  let pglite: PGlite;
  try {
    // PostgreSQL's own files live in a sub-folder, next to the lock file.
    pglite = await createPGlite(inMemory ? options.dataDir : path.join(options.dataDir, 'pgdata'));
  } catch (error) {
    await unlock();
    throw error;
  }
  const prisma = createPrisma(new PrismaPGlite(pglite), options.onQuery);
  registerRowReader(
    prisma,
    // PGlite runs in this process: there is no parse per round trip worth a name.
    counted(async (text, values) => {
      const { fields, rows } = await pglite.query<unknown[]>(text, values, { rowMode: 'array' });
      return rowObjects(
        fields.map((field) => field.name),
        rows,
      );
    }, options.onQuery),
  );
  const conn: MigrationConnection = {
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
  };
  return {
    mode: 'embedded',
    prisma,
    // PGlite is a single connection; it serialises statements itself.
    withConnection: (fn) => fn(conn),
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      await unlock();
    },
  };
}

function openPostgres(databaseUrl: string, options: DatabaseOptions): Database {
  const pool = options.pool ?? DEFAULT_POOL;
  // One pool for Prisma and for db/rows.ts, ended by prisma.$disconnect().
  const connections = postgresPool(databaseUrl, pool);
  const statementName = statementNames();
  const prisma = createPrisma(new PrismaPg(connections, { disposeExternalPool: true }), options.onQuery, pool);
  registerRowReader(
    prisma,
    counted(async (text, values, prepared) => {
      const name = prepared ? statementName(text) : undefined;
      const { fields, rows } = await connections.query<unknown[]>({
        text,
        values,
        types: ROW_TYPES,
        rowMode: 'array',
        ...(name ? { name } : {}),
      });
      return rowObjects(
        fields.map((field) => field.name),
        rows,
      );
    }, options.onQuery),
  );
  return {
    mode: 'postgres',
    prisma,
    withConnection: async (fn) => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as Row[],
        });
      } finally {
        await client.end();
      }
    },
    close: () => prisma.$disconnect(),
  };
}

export function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? Promise.resolve(openPostgres(options.databaseUrl, options)) : openEmbedded(options);
}
