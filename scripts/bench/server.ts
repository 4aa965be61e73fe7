import { readFile } from 'node:fs/promises';
import { startServerProcess, type ServerProcess as Spawned } from '../support/server-process.js';

const STARTUP_TIMEOUT_MS = 120_000;

/** A server configuration the bench compares: its entry point and the environment it starts with. */
export interface Variant {
  name: 'default' | 'no-dataloaders' | 'jit' | 'live';
  entry?: string;
  env: Record<string, string>;
}

export const VARIANTS: Record<Variant['name'], Variant> = {
  default: { name: 'default', env: { GRAPHQL_JIT: 'false' } },
  'no-dataloaders': { name: 'no-dataloaders', entry: 'scripts/bench/unbatched-server.ts', env: { GRAPHQL_JIT: 'false' } },
  jit: { name: 'jit', env: { GRAPHQL_JIT: 'true' } },
  // The live scenario's subscribers all use the benchmark's one token.
  live: { name: 'live', env: { GRAPHQL_JIT: 'false', LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN: '100000' } },
};

export interface ServerProcess extends Omit<Spawned, 'stop'> {
  /** The `db_statements_total` counter from /metrics. */
  statements(): Promise<number>;
  /** VmRSS of the server process, in bytes (Linux /proc). */
  rss(): Promise<number>;
  /** SIGTERM (the server exits 0 after draining, which also writes a --cpu-prof profile), SIGKILL after a grace. */
  stop(): Promise<void>;
}

export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

const STATEMENTS_METRIC = /^db_statements_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m;

/** A server of `variant` on the seeded database, without migrating it (the bench did). */
export async function startServer(databaseUrl: string, variant: Variant, options: { cpuProfileDir?: string } = {}): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', ...variant.env },
    ...(variant.entry ? { entry: variant.entry } : {}),
    nodeArgs: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  });
  const metricsUrl = new URL('/metrics', server.url).toString();
  return {
    ...server,
    statements: async () => {
      const text = await (await fetch(metricsUrl)).text();
      const value = STATEMENTS_METRIC.exec(text)?.[1];
      if (value === undefined) throw new Error('The server exposes no db_statements_total metric');
      return Number(value);
    },
    rss: () => readRss(server.pid),
    stop: async () => {
      await server.stop();
    },
  };
}
