/**
 * `npm run bench`: seeds PostgreSQL with a realistic data set, starts the server in its own
 * process and drives it with autocannon over loopback, one scenario at a time, for the default
 * server and its baselines (no DataLoader batching, graphql-js, two workers) and peers (PostGraphile 5,
 * a bare node:http + pg floor), with CPU per request from /proc. Prints a table (or JSON with
 * --json). `--explain` and `--profile` look into scenario (a) instead. See README, Performance.
 * Exit 0 when every scenario ran without failed requests; 1 otherwise; 2 on bad flags; 3 when the
 * time limit stopped the run.
 */
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './bench/args.js';
import { createBenchDatabase, givenDatabase, type BenchDatabase } from './bench/database.js';
import { explainScenario, formatExplained } from './bench/explain.js';
import { databaseCpuReader } from './bench/database-cpu.js';
import { prepareFixture, type BenchFixture } from './bench/fixture.js';
import { measure, type Measurement } from './bench/measure.js';
import { formatProfile, readServerProfile, type ClockWindow } from './bench/profile.js';
import { formatLive, measureLive, type LiveMeasurement } from './bench/live.js';
import { buildReport, formatReport } from './bench/report.js';
import { preparePostGraphile, type PostGraphilePeer } from './bench/peers.js';
import { buildScenarios, LOADER_SCENARIOS, PEER_SCENARIOS, peerScenario, type Scenario, type ScenarioId } from './bench/scenarios.js';
import { startServer, VARIANTS, type ServerProcess, type Variant, type VariantName } from './bench/server.js';

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** The scenarios graphql-js (GRAPHQL_JIT=false) is compared on: the five of the issue, and a at 50 connections. */
const JIT_SCENARIOS: readonly ScenarioId[] = ['a', 'a-c50', 'b', 'c', 'd', 'e'];
/** Seeding, server starts and slack on top of the measured time. */
const FIXED_TIME_LIMIT_S = 900;
const PER_RUN_SLACK_S = 30;

let database: BenchDatabase | undefined;
/** PostGraphile when it could be installed (the bench runs without it otherwise, and says why). */
let postgraphile: PostGraphilePeer | undefined;
/** Every server process this run has started and not yet stopped. */
const servers = new Set<ServerProcess>();

const warmupSeconds = (options: BenchOptions) => Math.min(3, Math.max(1, Math.round(options.durationSeconds / 5)));

function plan(options: BenchOptions): { variant: Variant; scenarios: ScenarioId[] }[] {
  const runs = [{ variant: VARIANTS.default, scenarios: options.scenarios }];
  if (options.baselines) {
    runs.push({ variant: VARIANTS['no-dataloaders'], scenarios: options.scenarios.filter((s) => LOADER_SCENARIOS.includes(s)) });
    runs.push({ variant: VARIANTS['no-jit'], scenarios: options.scenarios.filter((s) => JIT_SCENARIOS.includes(s)) });
    const peerScenarios = options.scenarios.filter((s) => PEER_SCENARIOS.includes(s));
    runs.push({ variant: VARIANTS['workers-2'], scenarios: peerScenarios });
    if (postgraphile) {
      // The same API on PostGraphile's runtime: the two compared on one Node.js as well as each on its own.
      runs.push({ variant: VARIANTS.node24, scenarios: peerScenarios });
      runs.push({ variant: VARIANTS.postgraphile, scenarios: peerScenarios });
    }
    runs.push({ variant: VARIANTS.floor, scenarios: peerScenarios });
  }
  return runs.filter((run) => run.scenarios.length > 0);
}

async function launch(variant: Variant, cpuProfileDir?: string): Promise<ServerProcess> {
  const running = await startServer(database!.url, variant, {
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
    ...(postgraphile ? { postgraphile } : {}),
  });
  servers.add(running);
  progress(`server ${variant.name} (pid ${running.pid}) at ${running.url}`);
  return running;
}

async function stop(running: ServerProcess): Promise<void> {
  await running.stop();
  servers.delete(running);
}

/** Variants measured in every round of the compared scenarios (the no-DataLoader baseline runs once). */
const ROUND_VARIANTS: readonly VariantName[] = ['default', 'node24', 'no-jit', 'workers-2', 'postgraphile', 'floor'];

/** Each scenario in the order it runs, with its round: the compared ones (a, a-c50) `rounds` times, interleaved. */
function schedule(options: BenchOptions): { id: ScenarioId; round: number }[] {
  const order: { id: ScenarioId; round: number }[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    for (const id of options.scenarios) if (round === 0 || PEER_SCENARIOS.includes(id)) order.push({ id, round });
  }
  return order;
}

/**
 * One server process per variant, all started first; then scenario by scenario, the variants one
 * after the other, and the compared scenarios again in further rounds. Comparisons are thus
 * between runs minutes apart at most, on a machine whose load drifts; the servers that wait are
 * idle. CPU per request is read from each server's own processes, so it holds on a busy machine.
 */
async function benchmark(
  options: BenchOptions,
  fixture: BenchFixture,
  scenarios: Record<ScenarioId, Scenario>,
  databaseCpuSeconds: (() => Promise<number>) | null,
): Promise<Measurement[]> {
  const runs = plan(options);
  const running = new Map<VariantName, ServerProcess>();
  try {
    for (const { variant } of runs) running.set(variant.name, await launch(variant));
    const measurements: Measurement[] = [];
    for (const { id, round } of schedule(options)) {
      for (const { variant } of runs.filter(
        (run) => run.scenarios.includes(id) && (round === 0 || ROUND_VARIANTS.includes(run.variant.name)),
      )) {
        const scenario = variant.peer ? peerScenario(variant.peer, scenarios[id], fixture) : scenarios[id];
        const m = await measure(running.get(variant.name)!, variant.name, scenario, fixture.token, {
          durationSeconds: options.durationSeconds,
          warmupSeconds: warmupSeconds(options),
          connections: options.connections,
          databaseCpuSeconds,
        });
        progress(
          `${id} ${variant.name}: ${m.requestsPerSecond} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, ` +
            `${m.cpuMsPerRequest} ms CPU/req (database ${m.dbCpuMsPerRequest ?? '-'}), ${m.statementsPerRequest ?? '-'} SQL/req`,
        );
        measurements.push(m);
      }
    }
    return measurements;
  } finally {
    for (const server of running.values()) await stop(server);
  }
}

/** The live scenario on a server of its own (its subscribers share the benchmark's token). */
async function liveScenario(options: BenchOptions, fixture: BenchFixture): Promise<LiveMeasurement> {
  const running = await launch(VARIANTS.live);
  try {
    const m = await measureLive(running, fixture, { subscribers: options.liveSubscribers, appends: options.liveAppends }, progress);
    progress(
      `live: p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, ${(m.rssPerSubscriberBytes / 1024).toFixed(1)} KiB RSS per subscriber`,
    );
    return m;
  } finally {
    await stop(running);
  }
}

async function profile(options: BenchOptions, fixture: BenchFixture, scenario: Scenario): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cs-bench-profile-'));
  let window: ClockWindow | undefined;
  const running = await launch(VARIANTS.default, dir);
  let m: Measurement;
  try {
    m = await measure(running, 'default', scenario, fixture.token, {
      durationSeconds: options.durationSeconds,
      warmupSeconds: warmupSeconds(options),
      connections: options.connections,
      onWindow: (w) => (window = w),
    });
  } finally {
    // The profile is written when the process exits.
    await stop(running);
  }
  const summary = await readServerProfile(dir, window);
  return [
    `Scenario ${scenario.id} (${scenario.title}) under --cpu-prof: ${m.requestsPerSecond} req/s, p50 ${m.latencyMs.p50} ms (profiling slows the server)`,
    formatProfile(summary),
    `Open ${summary.file} in Chrome DevTools (Performance) or speedscope for the call tree.`,
  ].join('\n');
}

function header(options: BenchOptions, fixture: BenchFixture): string {
  const { size, seed } = fixture;
  return [
    `Data: ${size.sessions} sessions, ${size.messages} messages (longest ${size.maxMessages}), ${size.labels} labels, ${size.users} users` +
      (seed ? `; seeded in ${seed.timings.totalSeconds.toFixed(1)} s` : '; reused'),
    `Load: ${options.connections} connections, ${options.durationSeconds} s per scenario after a ${warmupSeconds(options)} s warm-up; ` +
      `${availableParallelism()} CPUs shared by server, PostgreSQL and autocannon; Node ${process.version}; ` +
      `${options.rounds} interleaved rounds of ${PEER_SCENARIOS.join(', ')} (medians)`,
  ].join('\n');
}

async function run(options: BenchOptions): Promise<number> {
  database = options.databaseUrl ? givenDatabase(options.databaseUrl) : await createBenchDatabase(options.adminUrl, options.keepDb);
  progress(`database ${database.description}`);
  const fixture = await prepareFixture(database.url, options, progress);
  const scenarios = buildScenarios(fixture);
  const titles = Object.fromEntries(Object.values(scenarios).map((s) => [s.id, s.title])) as Record<ScenarioId, string>;

  if (options.explain || options.profile) {
    if (options.explain) {
      process.stdout.write(`EXPLAIN (ANALYZE, BUFFERS) of scenario a (${titles.a}), one request:\n\n`);
      process.stdout.write(`${formatExplained(await explainScenario(database.url, scenarios.a, fixture.token))}\n\n`);
    }
    if (options.profile) process.stdout.write(`${await profile(options, fixture, scenarios.a)}\n`);
    return 0;
  }

  let peerNote = '';
  if (options.baselines && options.scenarios.some((s) => PEER_SCENARIOS.includes(s))) {
    const prepared = await preparePostGraphile(progress);
    if (typeof prepared === 'string') {
      peerNote = `\nNo PostGraphile in this run: ${prepared}`;
      progress(peerNote.trim());
    } else {
      postgraphile = prepared;
    }
  }
  const databaseCpu = await databaseCpuReader(database.url);
  if (!databaseCpu) progress('PostgreSQL is not a process of this host that can be read: no database CPU figures');
  const report = buildReport(await benchmark(options, fixture, scenarios, databaseCpu));
  const live = options.liveSubscribers > 0 ? await liveScenario(options, fixture) : null;
  const text = `${header(options, fixture)}${peerNote}\n\n${formatReport(report, titles)}\n${live ? `\n${formatLive(live)}\n` : ''}`;
  if (options.json) {
    process.stderr.write(text);
    const json = {
      data: fixture.size,
      seed: fixture.seed?.timings ?? null,
      options: {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: warmupSeconds(options),
        baselines: options.baselines,
        rounds: options.rounds,
      },
      machine: { cpus: availableParallelism(), node: process.version },
      ...report,
      live,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(text);
  }
  const failed =
    report.measurements.some((m) => m.failures.non2xx + m.failures.graphqlErrors + m.failures.connectionErrors > 0) ||
    (live !== null && live.delivered < live.expected);
  return failed ? 1 : 0;
}

/** Stops the server at once and drops a fresh database; for interruptions and the time limit. */
async function abandon(): Promise<void> {
  for (const running of servers) running.kill();
  await database?.dispose().catch((error: unknown) => progress(`could not drop ${database?.description}: ${String(error)}`));
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runs =
    plan(options).reduce((sum, r) => sum + r.scenarios.length, 0) * options.rounds +
    (options.profile ? 1 : 0) +
    (options.baselines ? 2 : 0); // the peers' rounds, PostGraphile's planned or not
  const limitS = FIXED_TIME_LIMIT_S + runs * (options.durationSeconds + warmupSeconds(options) + PER_RUN_SLACK_S);
  const limit = setTimeout(() => {
    progress(`time limit of ${limitS} s reached; stopping`);
    void abandon().finally(() => process.exit(3));
  }, limitS * 1000);
  limit.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      void abandon().finally(() => process.exit(130));
    });
  }

  let code = 1;
  try {
    code = await run(options);
  } catch (error) {
    progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    for (const running of servers) {
      progress(`server (pid ${running.pid}) output:\n${running.outputTail()}`);
      running.kill();
    }
  } finally {
    clearTimeout(limit);
    if (database?.owned) {
      await database.dispose();
      progress(`dropped ${database.description}`);
    } else if (database && !options.databaseUrl) {
      progress(`kept the database: rerun with --database-url ${database.url}`);
    }
  }
  process.exit(code);
}

await main();
