import { randomBytes } from 'node:crypto';
import { bootstrap } from '../../src/admin/provision.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';
import type { LoadDatabase } from './database.js';

export interface LoadUser {
  userId: string;
  token: string;
}

export interface LoadTenant {
  org: string;
  workspace: string;
  workspaceId: string;
  /** One user (and token) per client. */
  users: LoadUser[];
}

/**
 * Opens the database directly, outside the server. The embedded database admits one process at a
 * time, so callers finish with it before the server starts and open it again after it stopped.
 */
export async function withDirectDatabase<T>(target: LoadDatabase, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/**
 * Migrates the database and provisions one org and workspace for this run, with one CONTRIBUTOR
 * per client: each client then owns the sessions it writes, so the final state of every session
 * is known from that one client's acknowledged writes. Fresh slugs keep a reused database's
 * older rows out of the run's lists and checks.
 */
export async function provisionTenant(target: LoadDatabase, clients: number): Promise<LoadTenant> {
  const suffix = randomBytes(4).toString('hex');
  const org = `load-${suffix}`;
  const workspace = 'main';
  return withDirectDatabase(target, async (database) => {
    const migrations = await readMigrations();
    await database.withConnection((conn) => applyMigrations(conn, migrations));
    const users: LoadUser[] = [];
    let workspaceId = '';
    for (let i = 0; i < clients; i += 1) {
      const result = await bootstrap(database.prisma, {
        org,
        workspace,
        email: `load-client-${i}-${suffix}@example.com`,
        role: 'CONTRIBUTOR',
        tokenKind: 'USER',
        tokenName: `load test client ${i}`,
      });
      workspaceId = result.workspaceId;
      users.push({ userId: result.userId, token: result.token });
    }
    return { org, workspace, workspaceId, users };
  });
}
