import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { processTree, readCpuSeconds, sumOver } from './proc.js';

/**
 * CPU seconds PostgreSQL has spent so far, when it runs on this host: its postmaster's own time,
 * the time of the backends it has reaped (cutime, cstime) and of those alive. A measurement takes
 * the difference over its window, so the database's share of each request is counted beside the
 * server's, for PostGraphile as for this API (it counts every database of that PostgreSQL, so
 * nothing else should use it during a bench). Null when the database is not a local process this
 * user can read.
 */
export async function databaseCpuReader(databaseUrl: string): Promise<(() => Promise<number>) | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const status = await readFile(`/proc/${rows[0]!.pid}/status`, 'utf8');
    const postmaster = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    const name = (await readFile(`/proc/${postmaster}/comm`, 'utf8')).trim();
    if (!/^postgres|^postmaster/.test(name)) return null;
    return async () =>
      (await readCpuSeconds(postmaster, { reaped: true })) + (await sumOver((await processTree(postmaster)).slice(1), readCpuSeconds));
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
