import { processTree, readCpuSeconds, readRss, sumOver } from './proc.js';
import { startServerProcess, type ServerProcess as Spawned } from '../support/server-process.js';
import { FLOOR_SCRIPT, type PostGraphilePeer } from './peers.js';
import type { Peer } from './scenarios.js';

const STARTUP_TIMEOUT_MS = 120_000;

export type VariantName = 'default' | 'node24' | 'no-dataloaders' | 'no-jit' | 'workers-2' | 'postgraphile' | 'floor' | 'live';

/** A server configuration the bench compares: its entry point and the environment it starts with. */
export interface Variant {
  name: VariantName;
  entry?: string;
  env: Record<string, string>;
  /** Not this API but a peer it is compared with (scripts/bench/peers). */
  peer?: Peer;
  /** Several processes: each has its own /metrics, so statements are not counted. */
  workers?: number;
  /** Runs on the Node.js PostGraphile runs on (its install's Node 24), not on the bench's own. */
  peerRuntime?: boolean;
}

export const VARIANTS: Record<VariantName, Variant> = {
  default: { name: 'default', env: {} },
  node24: { name: 'node24', env: {}, peerRuntime: true },
  'no-dataloaders': { name: 'no-dataloaders', entry: 'scripts/bench/unbatched-server.ts', env: {} },
  'no-jit': { name: 'no-jit', env: { GRAPHQL_JIT: 'false' } },
  'workers-2': { name: 'workers-2', env: { WEB_CONCURRENCY: '2' }, workers: 2 },
  postgraphile: { name: 'postgraphile', env: {}, peer: 'postgraphile' },
  floor: { name: 'floor', env: {}, peer: 'floor' },
  // The live scenario's subscribers all use the benchmark's one token.
  live: { name: 'live', env: { LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN: '100000' } },
};

export interface ServerProcess extends Omit<Spawned, 'stop'> {
  /** The `db_statements_total` counter from /metrics; null for a peer (it has none). */
  statements(): Promise<number | null>;
  /** VmRSS of the server's processes (itself and its workers), in bytes (Linux /proc). */
  rss(): Promise<number>;
  /** CPU time the server's processes have used, user and system, in seconds (Linux /proc). */
  cpuSeconds(): Promise<number>;
  /** SIGTERM (the server exits 0 after draining, which also writes a --cpu-prof profile), SIGKILL after a grace. */
  stop(): Promise<void>;
}

const STATEMENTS_METRIC = /^db_statements_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m;
const PEER_READY_LINE = /(?:PostGraphile|Floor) at (http:\/\/\S+)/;

function peerProgram(variant: Variant, postgraphile: PostGraphilePeer | undefined) {
  if (variant.peer === 'floor') return { executable: process.execPath, args: [FLOOR_SCRIPT], readyLine: PEER_READY_LINE };
  if (!postgraphile) throw new Error('PostGraphile is not installed');
  return { executable: postgraphile.node, args: [postgraphile.script], readyLine: PEER_READY_LINE };
}

function peerNode(postgraphile: PostGraphilePeer | undefined): string {
  if (!postgraphile) throw new Error('PostGraphile (and its Node.js) is not installed');
  return postgraphile.node;
}

/** A server of `variant` on the seeded database, without migrating it (the bench did). */
export async function startServer(
  databaseUrl: string,
  variant: Variant,
  options: { cpuProfileDir?: string; postgraphile?: PostGraphilePeer } = {},
): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', ...variant.env },
    ...(variant.entry ? { entry: variant.entry } : {}),
    ...(variant.peer ? { program: peerProgram(variant, options.postgraphile) } : {}),
    ...(variant.peerRuntime ? { node: peerNode(options.postgraphile) } : {}),
    nodeArgs: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  });
  const metricsUrl = new URL('/metrics', server.url).toString();
  return {
    ...server,
    statements: async () => {
      if (variant.peer || variant.workers) return null;
      const text = await (await fetch(metricsUrl)).text();
      const value = STATEMENTS_METRIC.exec(text)?.[1];
      if (value === undefined) throw new Error('The server exposes no db_statements_total metric');
      return Number(value);
    },
    rss: async () => sumOver(await processTree(server.pid), readRss),
    cpuSeconds: async () => sumOver(await processTree(server.pid), readCpuSeconds),
    stop: async () => {
      await server.stop();
    },
  };
}
