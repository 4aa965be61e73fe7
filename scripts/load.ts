/**
 * `npm run load`: the server on PostgreSQL (or PGlite) in its own process, N concurrent clients for
 * T seconds over loopback HTTP, then a check in the database that every acknowledged write is
 * there. Exit 0 when nothing was lost and the server never failed; 1 otherwise; 2 on bad flags;
 * 3 when the hard time limit stopped the run.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../test/support/random.js';
import { parseLoadArgs, USAGE, UsageError, type LoadOptions } from './load/args.js';
import { prepareLoadDatabase, type LoadDatabase } from './load/database.js';
import { graphqlClient } from './load/graphql-client.js';
import { newLedger } from './load/ledger.js';
import { runClient, type ClientContext, type Operation, type ReadMismatches } from './load/mix.js';
import { provisionTenant, withDirectDatabase, type LoadTenant } from './load/provision.js';
import { buildReport, formatReport, type Resources } from './load/report.js';
import { startServerProcess, type ServerProcess } from './load/server.js';
import { Recorder } from './load/stats.js';
import { verifyLedger } from './load/verify.js';

const STARTUP_TIMEOUT_MS = 180_000;
/** A request that takes longer counts as TIMEOUT (and its write as of unknown outcome). */
const REQUEST_TIMEOUT_MS = 30_000;
const CLEANUP_TIMEOUT_MS = 20_000;
/** Provisioning, server start, the run, draining, stopping and verifying must all fit in this. */
const hardLimitMs = (options: LoadOptions) => STARTUP_TIMEOUT_MS * 2 + options.durationSeconds * 1000 + REQUEST_TIMEOUT_MS + 240_000;

const progress = (message: string) => process.stderr.write(`load: ${message}\n`);

let database: LoadDatabase | undefined;
let server: ServerProcess | undefined;

/** Stops the server at once and drops the run's database; bounded, for error paths. */
async function abandon(): Promise<void> {
  server?.kill();
  await Promise.race([
    database?.dispose().catch((error: unknown) => progress(`could not clean up ${database?.description}: ${String(error)}`)),
    new Promise((resolve) => setTimeout(resolve, CLEANUP_TIMEOUT_MS).unref()),
  ]);
}

async function drive(options: LoadOptions, running: ServerProcess, tenant: LoadTenant) {
  const url = running.url;
  const ledger = newLedger();
  const recorder = new Recorder<Operation>();
  const readMismatches: ReadMismatches = { count: 0, examples: [] };
  const contexts: ClientContext[] = tenant.users.map((user, i) => ({
    org: tenant.org,
    workspace: tenant.workspace,
    userId: user.userId,
    client: graphqlClient(url, user.token, REQUEST_TIMEOUT_MS),
    // One stream per client, derived from the seed, so a run's mix can be replayed.
    rng: seededRandom((options.seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0),
    ledger,
    recorder,
    readMismatches,
  }));
  progress(`${options.clients} clients for ${options.durationSeconds} s against ${url}`);
  const serverCpuAtStart = running.cpuSeconds();
  const driverCpuAtStart = process.cpuUsage();
  const loadAverageAtStart = loadavg()[0]!;
  const started = performance.now();
  const ticker = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    progress(
      `${seconds.toFixed(0)} s: ${recorder.requests} requests, ${recorder.errorsByCode.size === 0 ? 'no errors' : `errors ${JSON.stringify(Object.fromEntries(recorder.errorsByCode))}`}`,
    );
  }, 5_000);
  try {
    await Promise.all(contexts.map((ctx) => runClient(ctx, started + options.durationSeconds * 1000)));
  } finally {
    clearInterval(ticker);
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const serverCpuAtEnd = running.cpuSeconds();
  const driverCpu = process.cpuUsage(driverCpuAtStart);
  const resources: Resources = {
    serverCpuSeconds: serverCpuAtStart === null || serverCpuAtEnd === null ? null : serverCpuAtEnd - serverCpuAtStart,
    driverCpuSeconds: (driverCpu.user + driverCpu.system) / 1e6,
    cpus: cpus().length,
    loadAverage1m: { start: loadAverageAtStart, end: loadavg()[0]! },
  };
  return { ledger, recorder, readMismatches, elapsedSeconds, resources };
}

async function main(options: LoadOptions): Promise<number> {
  database = await prepareLoadDatabase(options.target, options.keep);
  progress(`database: ${database.description}`);
  const tenant = await provisionTenant(database, options.clients);
  progress(`provisioned org "${tenant.org}" with ${tenant.users.length} users; starting the server`);
  server = await startServerProcess(database, STARTUP_TIMEOUT_MS);

  const run = await drive(options, server, tenant);
  progress(`stopping the server (SIGTERM)`);
  const exit = await server.stop();
  const errorLogLines = server.errorLogLines();
  if (errorLogLines.length > 0) progress(`the server logged ${errorLogLines.length} errors; first: ${errorLogLines[0]!.slice(0, 600)}`);

  progress('verifying acknowledged writes in the database');
  const verification = await withDirectDatabase(database, (direct) =>
    direct.withConnection((conn) => verifyLedger((sql, params) => conn.query(sql, params), tenant.workspaceId, run.ledger)),
  );
  const report = buildReport({
    database: { mode: database.mode, description: database.description },
    clients: options.clients,
    durationSeconds: options.durationSeconds,
    elapsedSeconds: run.elapsedSeconds,
    seed: options.seed,
    recorder: run.recorder,
    readMismatches: run.readMismatches,
    resources: run.resources,
    verification,
    serverErrorLogLines: errorLogLines.length,
    serverExit: { code: exit.code, signal: exit.signal, killed: exit.killed },
  });
  await database.dispose();
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.passed ? 0 : 1;
}

let options: LoadOptions;
try {
  const parsed = parseLoadArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  options = parsed;
} catch (error) {
  const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage ? `\n${USAGE}\n` : ''}`);
  process.exit(2);
}

// Bounded whatever happens: a hung server or database cannot keep the run (or its database) alive.
const watchdog = setTimeout(() => {
  progress(`hard time limit (${hardLimitMs(options) / 1000} s) reached; stopping`);
  if (server) process.stderr.write(`server output (tail):\n${server.outputTail()}\n`);
  void abandon().finally(() => process.exit(3));
}, hardLimitMs(options));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the server and cleaning up`);
    void abandon().finally(() => process.exit(130));
  });
}

main(options).then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(`load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await abandon();
    process.exit(1);
  },
);
