import { readFileSync } from 'node:fs';
import type { LoadDatabase } from './database.js';
import { startServerProcess as startProcess, type ServerProcess as Spawned } from '../support/server-process.js';

export interface ServerProcess extends Spawned {
  /** Lines the server logged at level "error" (unexpected errors, with their request id). */
  errorLogLines(): string[];
  /** CPU time (user + system) the server process has used so far; null where /proc is missing. */
  cpuSeconds(): number | null;
}

/** Linux's clock tick for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream platform). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds of a process from /proc. On a shared machine, throughput alone says as much about
 * the neighbours as about the server; CPU used per request does not.
 */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/**
 * The server on the load test's database, migrating it on start. Rate limiting is off (see
 * measuredServerEnv): at the default 600 requests per minute per token, most requests would be
 * RATE_LIMITED.
 */
export async function startServerProcess(database: LoadDatabase, startupTimeoutMs: number): Promise<ServerProcess> {
  const errorLines: string[] = [];
  const server = await startProcess({
    env: { DATABASE_URL: database.databaseUrl ?? '', DATA_DIR: database.dataDir, MIGRATE_ON_START: 'true', DEMO_TOKEN: '' },
    startupTimeoutMs,
    onLine: (line) => {
      if (line.startsWith('{') && line.includes('"level":"error"')) errorLines.push(line);
    },
  });
  return {
    ...server,
    errorLogLines: () => [...errorLines],
    cpuSeconds: () => (server.pid < 0 ? null : processCpuSeconds(server.pid)),
  };
}
