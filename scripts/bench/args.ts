import { parseArgs } from 'node:util';
import { loopbackPostgresUrlProblem } from '../support/loopback-url.js';
import { SCENARIO_IDS, type ScenarioId } from './scenarios.js';

export interface BenchOptions {
  sessions: number;
  users: number;
  /** Measured seconds per scenario (a warm-up runs before, not counted). */
  durationSeconds: number;
  connections: number;
  scenarios: ScenarioId[];
  /** Also run the no-DataLoader, graphql-js and two-worker variants, PostGraphile and the bare floor. */
  baselines: boolean;
  /** Interleaved rounds of the scenarios compared with PostGraphile (a, a-c50); medians are reported. */
  rounds: number;
  json: boolean;
  keepDb: boolean;
  /** A database to use (and seed when empty) instead of a fresh one; never dropped. */
  databaseUrl: string | undefined;
  /** Server URL to create and drop the fresh database on. */
  adminUrl: string;
  /** Print EXPLAIN (ANALYZE, BUFFERS) of scenario (a)'s statements instead of benchmarking. */
  explain: boolean;
  /** Profile the server (--cpu-prof) under scenario (a) instead of benchmarking. */
  profile: boolean;
  /** PRNG seed of the data set. */
  seed: number;
  /** The live scenario: concurrent transcript subscribers (0 skips it) and appends made while they listen. */
  liveSubscribers: number;
  liveAppends: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run bench -- [flags]

  --sessions N         sessions to seed in the workspace (default 10000)
  --users N            workspace members owning them (default 20)
  --duration S         measured seconds per scenario (default 10; a warm-up runs before)
  --connections N      concurrent autocannon connections (default 10)
  --scenarios LIST     comma-separated, from ${SCENARIO_IDS.join(',')} (default: all)
  --no-baselines       only the default server (no unbatched-loader, graphql-js, two-worker, PostGraphile or floor runs)
  --rounds N           interleaved rounds of a and a-c50, the scenarios compared with PostGraphile (default 3)
  --json               JSON on stdout (the table goes to stderr)
  --keep-db            keep the fresh database (its URL is printed) to rerun with --database-url
  --database-url URL   use this database; seeded when it has no bench data; never dropped
  --explain            print EXPLAIN (ANALYZE, BUFFERS) of each statement of scenario (a), then stop
  --profile            profile the server under scenario (a) with --cpu-prof, print the top self time
  --seed N             seed of the generated data (default 1)
  --live-subscribers N live scenario: concurrent transcript subscribers over graphql-ws (default 500; 0 skips it)
  --live-appends N     live scenario: appends made while they listen (default 50)

The fresh database is created on BENCH_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).`;

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got "${raw}"`);
  return value;
}

function scenarioList(raw: string | undefined): ScenarioId[] {
  if (raw === undefined) return [...SCENARIO_IDS];
  const ids = raw
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !(SCENARIO_IDS as readonly string[]).includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new UsageError(`--scenarios takes ${SCENARIO_IDS.join(', ')}; got "${raw}"`);
  }
  // In the documented order, whatever order they were given in.
  return SCENARIO_IDS.filter((id) => ids.includes(id));
}

export function parseBenchArgs(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowNegative: true,
      options: {
        sessions: { type: 'string' },
        users: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        scenarios: { type: 'string' },
        baselines: { type: 'boolean', default: true },
        rounds: { type: 'string' },
        json: { type: 'boolean', default: false },
        'keep-db': { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        explain: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        seed: { type: 'string' },
        'live-subscribers': { type: 'string' },
        'live-appends': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const databaseUrl = values['database-url'];
  const adminUrl = env.BENCH_PG_ADMIN_URL?.trim() || DEFAULT_ADMIN_URL;
  const problem =
    (databaseUrl === undefined ? undefined : loopbackPostgresUrlProblem(databaseUrl, '--database-url')) ??
    loopbackPostgresUrlProblem(adminUrl, 'BENCH_PG_ADMIN_URL');
  if (problem) throw new UsageError(problem);
  return {
    sessions: positiveInt('sessions', values.sessions, 10_000, 200),
    users: positiveInt('users', values.users, 20),
    durationSeconds: positiveInt('duration', values.duration, 10),
    connections: positiveInt('connections', values.connections, 10),
    scenarios: scenarioList(values.scenarios),
    baselines: values.baselines,
    rounds: positiveInt('rounds', values.rounds, 3),
    json: values.json,
    keepDb: values['keep-db'],
    databaseUrl,
    adminUrl,
    explain: values.explain,
    profile: values.profile,
    seed: positiveInt('seed', values.seed, 1, 0),
    liveSubscribers: positiveInt('live-subscribers', values['live-subscribers'], 500, 0),
    liveAppends: positiveInt('live-appends', values['live-appends'], 50),
  };
}
