import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Target } from './args.js';

/** Where the server under load keeps its data, as the server's environment names it. */
export interface LoadDatabase {
  mode: 'postgres' | 'embedded';
  /** DATABASE_URL for the server (undefined: embedded). */
  databaseUrl: string | undefined;
  /** DATA_DIR for the server in embedded mode. */
  dataDir: string;
  /** A human description for the report (no credentials). */
  description: string;
  /** Drops what this run created (unless kept); safe to call twice. */
  dispose(): Promise<void>;
}

function describe(url: string): string {
  const parsed = new URL(url);
  return `postgresql://${parsed.host}${parsed.pathname}`;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function freshPostgres(adminUrl: string, keep: boolean): Promise<LoadDatabase> {
  // Random hex only: the name is safe to quote into DDL, which takes no parameters.
  const name = `cs_load_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let disposed = keep;
  return {
    mode: 'postgres',
    databaseUrl: url.toString(),
    dataDir: '',
    description: `${describe(url.toString())}${keep ? ' (kept)' : ' (fresh, dropped at the end)'}`,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function embedded(keep: boolean): Promise<LoadDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cs-load-'));
  let disposed = keep;
  return {
    mode: 'embedded',
    databaseUrl: undefined,
    dataDir,
    description: `embedded PGlite in ${dataDir}${keep ? ' (kept)' : ' (removed at the end)'}`,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function prepareLoadDatabase(target: Target, keep: boolean): Promise<LoadDatabase> {
  switch (target.kind) {
    case 'fresh-postgres':
      return freshPostgres(target.adminUrl, keep);
    case 'embedded':
      return embedded(keep);
    case 'postgres':
      return Promise.resolve({
        mode: 'postgres',
        databaseUrl: target.databaseUrl,
        dataDir: '',
        description: `${describe(target.databaseUrl)} (existing, kept)`,
        dispose: async () => {},
      });
  }
}
