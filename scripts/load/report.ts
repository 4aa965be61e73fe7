import { isServerFault } from './graphql-client.js';
import { OPERATIONS, WEIGHTS, type Operation, type ReadMismatches } from './mix.js';
import { summarize, type LatencySummary, type Recorder } from './stats.js';
import type { Verification } from './verify.js';

export interface LoadReport {
  database: { mode: 'postgres' | 'embedded'; description: string };
  clients: number;
  durationSeconds: number;
  /** From the first request sent to the last answer received. */
  elapsedSeconds: number;
  seed: number;
  requests: number;
  throughputPerSecond: number;
  mix: Record<Operation, number>;
  latencyMs: { overall: LatencySummary; byOperation: Record<Operation, LatencySummary & { errors: number }> };
  errors: { total: number; serverFaults: number; byCode: Record<string, number> };
  httpStatuses: Record<string, number>;
  readMismatches: ReadMismatches;
  /** CPU used during the load window; the machine may be shared, so throughput alone misleads. */
  resources: Resources & { serverCpuMsPerRequest: number | null };
  verification: Verification;
  server: { errorLogLines: number; exit: { code: number | null; signal: string | null; killed: boolean } };
  passed: boolean;
  /** Why the run failed; empty when it passed. */
  failures: string[];
}

export interface Resources {
  /** CPU seconds the server process used during the load window (null without /proc). */
  serverCpuSeconds: number | null;
  /** CPU seconds of this process (the clients) during the load window. */
  driverCpuSeconds: number;
  cpus: number;
  /** The machine's 1-minute load average when the load started and ended. */
  loadAverage1m: { start: number; end: number };
}

export interface ReportInput {
  database: LoadReport['database'];
  clients: number;
  durationSeconds: number;
  elapsedSeconds: number;
  seed: number;
  recorder: Recorder<Operation>;
  readMismatches: ReadMismatches;
  resources: Resources;
  verification: Verification;
  serverErrorLogLines: number;
  serverExit: LoadReport['server']['exit'];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function buildReport(input: ReportInput): LoadReport {
  const { recorder, verification } = input;
  const all = [...recorder.latencies.values()].flat();
  const byOperation = Object.fromEntries(
    OPERATIONS.map((op) => [op, { ...summarize(recorder.latencies.get(op) ?? []), errors: recorder.errors.get(op) ?? 0 }]),
  ) as LoadReport['latencyMs']['byOperation'];
  const byCode = Object.fromEntries([...recorder.errorsByCode].sort(([a], [b]) => a.localeCompare(b)));
  const serverFaults = [...recorder.errorsByCode].filter(([code]) => isServerFault(code)).reduce((sum, [, n]) => sum + n, 0);
  const fifthHundreds = [...recorder.httpStatuses].filter(([status]) => status.startsWith('5')).reduce((sum, [, n]) => sum + n, 0);

  const failures: string[] = [];
  if (recorder.requests === 0) failures.push('no request was sent');
  if (verification.lostWrites > 0) failures.push(`${verification.lostWrites} acknowledged writes lost`);
  const integrityFaults = Object.entries(verification.integrity).filter(([, n]) => n > 0);
  if (integrityFaults.length > 0) failures.push(`integrity: ${integrityFaults.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  if (serverFaults > 0 || fifthHundreds > 0)
    failures.push(
      `${Math.max(serverFaults, fifthHundreds)} requests failed on the server side (5xx, INTERNAL_SERVER_ERROR, network error or timeout)`,
    );
  if (input.readMismatches.count > 0)
    failures.push(`${input.readMismatches.count} reads disagreed with the client's own acknowledged writes`);
  if (input.serverExit.code !== 0 || input.serverExit.killed)
    failures.push(`the server did not exit cleanly on SIGTERM (${JSON.stringify(input.serverExit)})`);

  return {
    database: input.database,
    clients: input.clients,
    durationSeconds: input.durationSeconds,
    elapsedSeconds: round2(input.elapsedSeconds),
    seed: input.seed,
    requests: recorder.requests,
    throughputPerSecond: Math.round((recorder.requests / Math.max(input.elapsedSeconds, 0.001)) * 10) / 10,
    mix: WEIGHTS,
    latencyMs: { overall: summarize(all), byOperation },
    errors: { total: [...recorder.errors.values()].reduce((sum, n) => sum + n, 0), serverFaults, byCode },
    httpStatuses: Object.fromEntries(recorder.httpStatuses),
    readMismatches: input.readMismatches,
    resources: {
      ...input.resources,
      serverCpuSeconds: input.resources.serverCpuSeconds === null ? null : round2(input.resources.serverCpuSeconds),
      driverCpuSeconds: round2(input.resources.driverCpuSeconds),
      loadAverage1m: { start: round2(input.resources.loadAverage1m.start), end: round2(input.resources.loadAverage1m.end) },
      serverCpuMsPerRequest:
        input.resources.serverCpuSeconds === null || recorder.requests === 0
          ? null
          : round2((input.resources.serverCpuSeconds * 1000) / recorder.requests),
    },
    verification,
    server: { errorLogLines: input.serverErrorLogLines, exit: input.serverExit },
    passed: failures.length === 0,
    failures,
  };
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

function latencyRow(name: string, summary: LatencySummary, errors: number, weight: string): string {
  const ms = (value: number) => pad(value.toFixed(1), 9);
  return `${name.padEnd(18)}${pad(weight, 6)}${pad(summary.count, 9)}${pad(errors, 8)}${ms(summary.p50)}${ms(summary.p95)}${ms(summary.p99)}${ms(summary.max)}`;
}

const counts = (record: Record<string, number>) =>
  Object.keys(record).length === 0
    ? 'none'
    : Object.entries(record)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ');

/** The human-readable report. */
export function formatReport(report: LoadReport): string {
  const { verification: v } = report;
  const lines = [
    `Load test on ${report.database.mode}: ${report.database.description}`,
    `clients ${report.clients}, duration ${report.durationSeconds} s (elapsed ${report.elapsedSeconds} s), seed ${report.seed}`,
    `requests ${report.requests}, throughput ${report.throughputPerSecond} req/s`,
    '',
    `${'operation'.padEnd(18)}${pad('mix%', 6)}${pad('requests', 9)}${pad('errors', 8)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}`,
    ...Object.entries(report.latencyMs.byOperation).map(([op, summary]) =>
      latencyRow(op, summary, summary.errors, String(report.mix[op as Operation])),
    ),
    latencyRow('all', report.latencyMs.overall, report.errors.total, '100'),
    '',
    `errors by code: ${counts(report.errors.byCode)}`,
    `HTTP statuses: ${counts(report.httpStatuses)}`,
    `read-your-writes mismatches: ${report.readMismatches.count}`,
    `CPU during the load: server ${report.resources.serverCpuSeconds ?? 'n/a'} s (${report.resources.serverCpuMsPerRequest ?? 'n/a'} ms per request), ` +
      `load driver ${report.resources.driverCpuSeconds} s; ${report.resources.cpus} CPUs, ` +
      `load average ${report.resources.loadAverage1m.start} -> ${report.resources.loadAverage1m.end}`,
    `verified in the database: ${v.sessionsChecked} acknowledged sessions, ${v.messagesChecked} acknowledged messages`,
    `lost writes: ${v.lostWrites} (missing sessions ${v.lost.missingSessions}, changed sessions ${v.lost.changedSessions}, missing messages ${v.lost.missingMessages}, changed messages ${v.lost.changedMessages})`,
    `integrity: seq gaps ${v.integrity.seqGaps}, messageCount mismatches ${v.integrity.messageCountMismatches}, unexpected messages ${v.integrity.unexpectedMessages}, unexpected sessions ${v.integrity.unexpectedSessions}`,
    `unknown outcomes: saves ${v.unsure.saves}, sessions with unsure updates ${v.unsure.sessionsWithUnsureUpdates}, with unsure appends ${v.unsure.sessionsWithUnsureAppends}`,
    `server: ${report.server.errorLogLines} error log lines, exit ${JSON.stringify(report.server.exit)}`,
    ...[...v.examples, ...report.readMismatches.examples].map((text) => `  ! ${text}`),
    '',
    report.passed ? 'PASS' : `FAIL: ${report.failures.join('; ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
