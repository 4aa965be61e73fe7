import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { measuredServerEnv } from '../support/server-env.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const READY_LINE = /GraphQL API and GraphiQL at (http:\/\/\S+)/;
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const OUTPUT_TAIL_CHARS = 10_000;

/** A server configuration the bench compares: the environment switches it starts with. */
export interface Variant {
  name: 'default' | 'no-dataloaders' | 'jit';
  env: Record<string, string>;
}

export const VARIANTS: Record<Variant['name'], Variant> = {
  default: { name: 'default', env: { DATALOADERS: 'true', GRAPHQL_JIT: 'false' } },
  'no-dataloaders': { name: 'no-dataloaders', env: { DATALOADERS: 'false', GRAPHQL_JIT: 'false' } },
  jit: { name: 'jit', env: { DATALOADERS: 'true', GRAPHQL_JIT: 'true' } },
};

export interface ServerProcess {
  /** The GraphQL endpoint, http://127.0.0.1:<port>/graphql. */
  url: string;
  pid: number;
  /** The `db_statements_total` counter from /metrics. */
  statements(): Promise<number>;
  /** VmRSS of the server process, in bytes (Linux /proc). */
  rss(): Promise<number>;
  outputTail(): string;
  /** SIGTERM (the server exits 0 after draining, which also writes a --cpu-prof profile), SIGKILL after a grace. */
  stop(): Promise<void>;
  /** Immediate SIGKILL, for error paths. */
  kill(): void;
}

export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

const STATEMENTS_METRIC = /^db_statements_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m;

/**
 * The server as `npm start` runs it, in its own process (so autocannon's CPU is not the server's),
 * on loopback, without rate limiting (it would limit the bench, not measure the server).
 */
export async function startServer(databaseUrl: string, variant: Variant, options: { cpuProfileDir?: string } = {}): Promise<ServerProcess> {
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...measuredServerEnv(), DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', ...variant.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const onData = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`The server did not start within ${STARTUP_TIMEOUT_MS / 1000} s. Output:\n${tail}`));
    }, STARTUP_TIMEOUT_MS);
    const check = () => {
      const match = READY_LINE.exec(tail);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(match[1]!);
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The server exited before it was ready. Output:\n${tail}`));
    });
  });
  const pid = child.pid!;
  const metricsUrl = new URL('/metrics', url).toString();

  return {
    url,
    pid,
    statements: async () => {
      const text = await (await fetch(metricsUrl)).text();
      const value = STATEMENTS_METRIC.exec(text)?.[1];
      if (value === undefined) throw new Error('The server exposes no db_statements_total metric');
      return Number(value);
    },
    rss: () => readRss(pid),
    outputTail: () => tail,
    kill,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(kill, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
