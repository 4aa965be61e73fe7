import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database a bench run works on: a fresh one it drops at the end, or one it was given. */
export interface BenchDatabase {
  url: string;
  /** For messages: the URL without credentials. */
  description: string;
  /** Whether dispose() drops it. */
  owned: boolean;
  dispose(): Promise<void>;
}

export function describeUrl(url: string): string {
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

/** `cs_bench_<random>` on the admin URL's server; kept when `keep` (the caller prints its URL). */
export async function createBenchDatabase(adminUrl: string, keep: boolean): Promise<BenchDatabase> {
  // Random hex only: safe to quote into DDL, which takes no parameters.
  const name = `cs_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    description: describeUrl(url.toString()),
    owned: !keep,
    dispose: async () => {
      if (keep || dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export function givenDatabase(url: string): BenchDatabase {
  return { url, description: describeUrl(url), owned: false, dispose: async () => {} };
}
