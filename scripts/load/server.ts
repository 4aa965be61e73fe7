import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadDatabase } from './database.js';
import { measuredServerEnv } from '../support/server-env.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const READY_LINE = /GraphQL API and GraphiQL at (http:\/\/\S+)/;
const OUTPUT_TAIL_CHARS = 20_000;
const STOP_GRACE_MS = 20_000;

export interface ServerProcess {
  url: string;
  pid: number;
  /** Lines the server logged at level "error" (unexpected errors, with their request id). */
  errorLogLines(): string[];
  /** The last part of its stdout and stderr, for diagnostics. */
  outputTail(): string;
  /** CPU time (user + system) the server process has used so far; null where /proc is missing. */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after a grace period; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
  /** Immediate SIGKILL (hard stop). */
  kill(): void;
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
 * The server as `npm start` runs it, in its own process, so the load driver's CPU and event loop
 * are not the server's. Rate limiting is off: a load test measures the server, not the limiter
 * (at the default 600 requests per minute per token, most requests would be RATE_LIMITED).
 */
export async function startServerProcess(database: LoadDatabase, startupTimeoutMs: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...measuredServerEnv(),
      DATABASE_URL: database.databaseUrl ?? '',
      DATA_DIR: database.dataDir,
      MIGRATE_ON_START: 'true',
      DEMO_TOKEN: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const errorLines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{') && line.includes('"level":"error"')) errorLines.push(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The server did not start within ${startupTimeoutMs / 1000} s. Output:\n${tail}`));
    }, startupTimeoutMs);
    const check = () => {
      const match = READY_LINE.exec(tail);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`The server exited before it was ready (code ${code}, signal ${signal}). Output:\n${tail}`));
    });
  });

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    url,
    pid: child.pid ?? -1,
    errorLogLines: () => [...errorLines],
    cpuSeconds: () => (child.pid === undefined ? null : processCpuSeconds(child.pid)),
    outputTail: () => tail,
    kill,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        kill();
      }, STOP_GRACE_MS);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, killed };
    },
  };
}
