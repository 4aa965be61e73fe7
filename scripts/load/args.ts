import { parseArgs } from 'node:util';
import { loopbackPostgresUrlProblem } from '../support/loopback-url.js';

export const MAX_CLIENTS = 500;
export const MAX_DURATION_SECONDS = 600;
const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export const USAGE = `Usage: npm run load -- [options]

Starts the server as a child process, drives it over loopback HTTP with concurrent clients doing
a mix of saves, transcript appends, lists, gets and facets, then checks in the database that
every acknowledged write is there.

Options:
  --clients N          concurrent clients, 1-${MAX_CLIENTS} (default 50)
  --duration SECONDS   how long the clients send requests, 1-${MAX_DURATION_SECONDS} (default 30)
  --database-url URL   use this existing PostgreSQL database (kept; rows go to a new workspace)
                       default: a fresh database cs_load_<random> on LOAD_PG_ADMIN_URL
                       (default ${DEFAULT_ADMIN_URL}), dropped at the end
  --embedded           run on the embedded PGlite database in a temporary folder instead
  --keep               keep the fresh database (or the temporary folder) for inspection
  --seed N             seed of the operation mix and content (default: random, printed)
  --json               print the report as one JSON object on stdout`;

export type Target = { kind: 'fresh-postgres'; adminUrl: string } | { kind: 'postgres'; databaseUrl: string } | { kind: 'embedded' };

export interface LoadOptions {
  clients: number;
  durationSeconds: number;
  target: Target;
  keep: boolean;
  json: boolean;
  seed: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function boundedInt(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${flag} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

function requireLoopbackPostgresUrl(raw: string, what: string): string {
  const problem = loopbackPostgresUrlProblem(raw, what);
  if (problem) throw new UsageError(problem);
  return raw;
}

export function parseLoadArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      duration: { type: 'string' },
      'database-url': { type: 'string' },
      embedded: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.embedded && values['database-url']) throw new UsageError('--embedded and --database-url exclude each other');

  let target: Target;
  if (values.embedded) target = { kind: 'embedded' };
  else if (values['database-url']) {
    target = { kind: 'postgres', databaseUrl: requireLoopbackPostgresUrl(values['database-url'], '--database-url') };
  } else {
    const adminUrl = env.LOAD_PG_ADMIN_URL?.trim() || DEFAULT_ADMIN_URL;
    target = { kind: 'fresh-postgres', adminUrl: requireLoopbackPostgresUrl(adminUrl, 'LOAD_PG_ADMIN_URL') };
  }

  let seed = Math.floor(Math.random() * 2 ** 31);
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${values.seed}"`);
  }

  return {
    clients: boundedInt(values.clients, '--clients', 50, MAX_CLIENTS),
    durationSeconds: boundedInt(values.duration, '--duration', 30, MAX_DURATION_SECONDS),
    target,
    keep: values.keep,
    json: values.json,
    seed,
  };
}
