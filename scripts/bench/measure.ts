import autocannon from 'autocannon';
import type { Scenario, ScenarioId } from './scenarios.js';
import type { ServerProcess, VariantName } from './server.js';

export interface Measurement {
  scenario: ScenarioId;
  variant: VariantName;
  connections: number;
  /** Responses received in the measured window. */
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** db_statements_total growth per request, over requests sent one at a time after the load. */
  statementsPerRequest: number | null;
  /** CPU time of the server's processes (user + system, /proc) over the measured window, per response. */
  cpuMsPerRequest: number;
  /** The same for PostgreSQL's processes (database-cpu.ts); null when the database is not on this host. */
  dbCpuMsPerRequest: number | null;
  rssMb: { peak: number; end: number };
  /** Anything that is not a 200 with data: such runs measure errors, not the scenario. */
  failures: { non2xx: number; graphqlErrors: number; connectionErrors: number };
}

export interface MeasureOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** PostgreSQL's CPU seconds so far (database-cpu.ts), when it runs on this host. */
  databaseCpuSeconds?: (() => Promise<number>) | null;
  /** Told the measured window on the monotonic clock, in microseconds (to cut a CPU profile to it). */
  onWindow?: (window: { fromUs: number; toUs: number }) => void;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const RSS_SAMPLE_MS = 200;
/** Requests sent one at a time to count statements exactly, once the load has drained. */
const STATEMENT_PROBES = 10;
const SETTLE_POLL_MS = 100;
const SETTLE_MAX_MS = 10_000;
const MB = 1024 * 1024;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Waits until the statement counter stops moving: autocannon stops with requests still in flight,
 * and the server finishes them.
 */
async function settle(server: ServerProcess): Promise<number | null> {
  const deadline = performance.now() + SETTLE_MAX_MS;
  let last = await server.statements();
  if (last === null) return null;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const now = await server.statements();
    if (now === last || performance.now() > deadline) return now;
    last = now;
  }
}

/**
 * Statements per request, exactly: requests one at a time on a quiet server, counter read around
 * them. (Counting over the load window would also count requests in flight at its edges.)
 */
async function statementsPerRequest(server: ServerProcess, scenario: Scenario, token: string): Promise<number | null> {
  const before = await settle(server);
  if (before === null) return null;
  for (let i = 0; i < STATEMENT_PROBES; i += 1) await sample(server, scenario, token);
  return ((await server.statements())! - before) / STATEMENT_PROBES;
}

/** One request outside the load, so a scenario that errors (or returns the wrong thing) stops the bench. */
async function sample(server: ServerProcess, scenario: Scenario, token: string): Promise<void> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: scenario.body(),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  const problem =
    response.status !== 200 || body.errors ? JSON.stringify(body.errors ?? response.status).slice(0, 500) : scenario.check(body.data);
  if (problem) throw new Error(`Scenario ${scenario.id} does not do what it should: ${problem}`);
}

interface Run {
  latencies: number[];
  result: autocannon.Result;
}

function run(server: ServerProcess, scenario: Scenario, token: string, seconds: number, connections: number): Promise<Run> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (request) => ({ ...request, body: scenario.body() }) }],
        // Counted as mismatches: a 200 that carries GraphQL errors.
        verifyBody: (body) => typeof body !== 'string' || !body.includes('"errors"'),
      },
      (error: unknown, result) =>
        error
          ? reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`))
          : resolve({ latencies, result }),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

export async function measure(
  server: ServerProcess,
  variant: VariantName,
  scenario: Scenario,
  token: string,
  options: MeasureOptions,
): Promise<Measurement> {
  const connections = scenario.connections ?? options.connections;
  await sample(server, scenario, token);
  if (options.warmupSeconds > 0) await run(server, scenario, token, options.warmupSeconds, connections);

  let peak = await server.rss();
  const sampler = setInterval(() => {
    server.rss().then(
      (rss) => (peak = Math.max(peak, rss)),
      () => {},
    );
  }, RSS_SAMPLE_MS);
  const cpuBefore = await server.cpuSeconds();
  const dbCpuBefore = (await options.databaseCpuSeconds?.()) ?? null;
  const started = performance.now();
  const fromUs = monotonicUs();
  let measured: Run;
  try {
    measured = await run(server, scenario, token, options.durationSeconds, connections);
  } finally {
    clearInterval(sampler);
  }
  // Read before the statement probes, which would add their own CPU time.
  const cpuSeconds = (await server.cpuSeconds()) - cpuBefore;
  const dbCpuSeconds = dbCpuBefore === null ? null : (await options.databaseCpuSeconds!()) - dbCpuBefore;
  const elapsed = (performance.now() - started) / 1000;
  options.onWindow?.({ fromUs, toUs: monotonicUs() });
  const end = await server.rss();
  const statements = await statementsPerRequest(server, scenario, token);

  const { latencies, result } = measured;
  const sorted = Float64Array.from(latencies).sort();
  const requests = sorted.length;
  const mean = requests === 0 ? 0 : latencies.reduce((sum, value) => sum + value, 0) / requests;
  return {
    scenario: scenario.id,
    variant,
    connections,
    requests,
    durationSeconds: round(elapsed, 2),
    requestsPerSecond: round(requests / elapsed, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50), 2),
      p95: round(percentile(sorted, 95), 2),
      p99: round(percentile(sorted, 99), 2),
      mean: round(mean, 2),
      max: round(sorted[requests - 1] ?? 0, 2),
    },
    statementsPerRequest: statements === null ? null : round(statements, 2),
    cpuMsPerRequest: requests === 0 ? 0 : round((cpuSeconds * 1000) / requests, 2),
    dbCpuMsPerRequest: dbCpuSeconds === null ? null : requests === 0 ? 0 : round((dbCpuSeconds * 1000) / requests, 2),
    rssMb: { peak: round(Math.max(peak, end) / MB, 1), end: round(end / MB, 1) },
    failures: { non2xx: result.non2xx, graphqlErrors: result.mismatches, connectionErrors: result.errors },
  };
}
