import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name: utime is field 14, stime 15, cutime 16, cstime 17. */
async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

async function childrenOf(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return children.split(' ').filter(Boolean).map(Number);
}

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
    return async () => {
      const own = await statFields(postmaster);
      let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
      for (const child of await childrenOf(postmaster)) {
        const fields = await statFields(child).catch(() => null);
        if (fields) ticks += Number(fields[11]) + Number(fields[12]);
      }
      return ticks / TICKS_PER_SECOND;
    };
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
