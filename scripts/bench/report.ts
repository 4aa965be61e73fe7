import type { Measurement } from './measure.js';
import type { ScenarioId } from './scenarios.js';
import type { VariantName } from './server.js';

type Variant = { name: VariantName };

/** A comparison of two variants on one scenario: b divided by a. */
export interface Ratio {
  scenario: ScenarioId;
  /** What is compared, e.g. "no-dataloaders / default". */
  compared: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  statementsPerRequest: number;
}

/** A variant against PostGraphile on one scenario (variant / PostGraphile). */
export interface PeerRatio {
  scenario: ScenarioId;
  variant: VariantName;
  requestsPerSecond: number;
  p99: number;
  cpuMsPerRequest: number;
  /** PostgreSQL's CPU per request (NaN when it was not measured). */
  dbCpuMsPerRequest: number;
}

export interface BenchReport {
  /** One per scenario and variant: the median of its rounds. */
  measurements: Measurement[];
  ratios: Ratio[];
  versusPostGraphile: PeerRatio[];
  /** Every round's measurement, in the order they ran. */
  rounds: Measurement[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 100) / 100;
};

/** The median of each figure over the rounds of one scenario and variant (requests and failures summed, the peak RSS the highest). */
export function medianMeasurement(rounds: Measurement[]): Measurement {
  const first = rounds[0]!;
  if (rounds.length === 1) return first;
  const of = (pick: (m: Measurement) => number) => median(rounds.map(pick));
  const sum = (pick: (m: Measurement) => number) => rounds.reduce((total, m) => total + pick(m), 0);
  return {
    ...first,
    requests: sum((m) => m.requests),
    durationSeconds: sum((m) => m.durationSeconds),
    requestsPerSecond: of((m) => m.requestsPerSecond),
    latencyMs: {
      p50: of((m) => m.latencyMs.p50),
      p95: of((m) => m.latencyMs.p95),
      p99: of((m) => m.latencyMs.p99),
      mean: of((m) => m.latencyMs.mean),
      max: Math.max(...rounds.map((m) => m.latencyMs.max)),
    },
    statementsPerRequest: first.statementsPerRequest === null ? null : of((m) => m.statementsPerRequest ?? 0),
    cpuMsPerRequest: of((m) => m.cpuMsPerRequest),
    dbCpuMsPerRequest: first.dbCpuMsPerRequest === null ? null : of((m) => m.dbCpuMsPerRequest ?? 0),
    rssMb: { peak: Math.max(...rounds.map((m) => m.rssMb.peak)), end: rounds.at(-1)!.rssMb.end },
    failures: {
      non2xx: sum((m) => m.failures.non2xx),
      graphqlErrors: sum((m) => m.failures.graphqlErrors),
      connectionErrors: sum((m) => m.failures.connectionErrors),
    },
  };
}

const find = (measurements: Measurement[], scenario: ScenarioId, variant: Variant['name']) =>
  measurements.find((m) => m.scenario === scenario && m.variant === variant);

const ratio = (b: number, a: number) => (a === 0 ? Number.NaN : Math.round((b / a) * 100) / 100);

function compare(measurements: Measurement[], a: Ref, b: Ref, compared: string): Ratio | undefined {
  const base = find(measurements, a.scenario, a.variant);
  const other = find(measurements, b.scenario, b.variant);
  if (!base || !other) return undefined;
  return {
    scenario: b.scenario,
    compared,
    requestsPerSecond: ratio(other.requestsPerSecond, base.requestsPerSecond),
    p50: ratio(other.latencyMs.p50, base.latencyMs.p50),
    p95: ratio(other.latencyMs.p95, base.latencyMs.p95),
    statementsPerRequest: ratio(other.statementsPerRequest ?? Number.NaN, base.statementsPerRequest ?? Number.NaN),
  };
}

interface Ref {
  scenario: ScenarioId;
  variant: Variant['name'];
}

export function buildReport(rounds: Measurement[]): BenchReport {
  const keys = [...new Set(rounds.map((m) => `${m.scenario}\u0000${m.variant}`))];
  const measurements = keys.map((key) => medianMeasurement(rounds.filter((m) => `${m.scenario}\u0000${m.variant}` === key)));
  const scenarios = [...new Set(measurements.map((m) => m.scenario))];
  const variants = [...new Set(measurements.map((m) => m.variant))];
  const across = (scenario: ScenarioId, a: Variant['name'], b: Variant['name']) =>
    compare(measurements, { scenario, variant: a }, { scenario, variant: b }, `${b} / ${a}`);
  const within = (variant: Variant['name'], a: ScenarioId, b: ScenarioId) =>
    compare(measurements, { scenario: a, variant }, { scenario: b, variant }, `${b} / ${a} (${variant})`);
  const ratios = [
    ...scenarios.map((s) => across(s, 'default', 'no-dataloaders')),
    ...scenarios.map((s) => across(s, 'default', 'no-jit')),
    ...variants.map((v) => within(v, 'a10', 'a100')),
    ...variants.map((v) => within(v, 'a-short', 'a-long')),
  ].filter((r): r is Ratio => r !== undefined);
  const versusPostGraphile = measurements.flatMap((m) => {
    const peer = find(measurements, m.scenario, 'postgraphile');
    if (!peer || m.variant === 'postgraphile') return [];
    return [
      {
        scenario: m.scenario,
        variant: m.variant,
        requestsPerSecond: ratio(m.requestsPerSecond, peer.requestsPerSecond),
        p99: ratio(m.latencyMs.p99, peer.latencyMs.p99),
        cpuMsPerRequest: ratio(m.cpuMsPerRequest, peer.cpuMsPerRequest),
        dbCpuMsPerRequest: ratio(m.dbCpuMsPerRequest ?? Number.NaN, peer.dbCpuMsPerRequest ?? Number.NaN),
      },
    ];
  });
  return { measurements, ratios, versusPostGraphile, rounds };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const times = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(2)}x`);

function failures(m: Measurement): string {
  const { non2xx, graphqlErrors, connectionErrors } = m.failures;
  const total = non2xx + graphqlErrors + connectionErrors;
  return total === 0 ? '0' : `${total} (${non2xx} non-2xx, ${graphqlErrors} with errors, ${connectionErrors} socket)`;
}

export function formatReport(report: BenchReport, titles: Record<ScenarioId, string>): string {
  const { measurements, ratios } = report;
  const out: string[] = [];
  out.push(
    table(
      [
        'scenario',
        'variant',
        'conns',
        'requests',
        'req/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'CPU ms/req',
        'DB CPU ms/req',
        'SQL/req',
        'RSS MB peak/end',
        'failed',
      ],
      measurements.map((m) => [
        m.scenario,
        m.variant,
        String(m.connections),
        String(m.requests),
        m.requestsPerSecond.toFixed(1),
        ms(m.latencyMs.p50),
        ms(m.latencyMs.p95),
        ms(m.latencyMs.p99),
        ms(m.cpuMsPerRequest),
        m.dbCpuMsPerRequest === null ? '-' : ms(m.dbCpuMsPerRequest),
        m.statementsPerRequest === null ? '-' : m.statementsPerRequest.toFixed(2),
        `${m.rssMb.peak.toFixed(0)}/${m.rssMb.end.toFixed(0)}`,
        failures(m),
      ]),
    ),
  );
  const { versusPostGraphile } = report;
  if (versusPostGraphile.length > 0) {
    out.push(
      '',
      'vs PostGraphile (variant / PostGraphile, same scenario and connections; req/s above 1, p99 and CPU per request below 1 mean the variant does better):',
      table(
        ['scenario', 'variant', 'req/s', 'p99', 'CPU/req', 'DB CPU/req'],
        versusPostGraphile.map((r) => [
          r.scenario,
          r.variant,
          times(r.requestsPerSecond),
          times(r.p99),
          times(r.cpuMsPerRequest),
          times(r.dbCpuMsPerRequest),
        ]),
      ),
    );
  }
  const scenarios = [...new Set(measurements.map((m) => m.scenario))];
  out.push('', 'Scenarios:', ...scenarios.map((s) => `  ${s.padEnd(8)} ${titles[s]}`));
  if (ratios.length > 0) {
    out.push(
      '',
      'Ratios (second variant / first; req/s below 1 and latency above 1 mean the second is slower):',
      table(
        ['scenario', 'compared', 'req/s', 'p50', 'p95', 'SQL/req'],
        ratios.map((r) => [r.scenario, r.compared, times(r.requestsPerSecond), times(r.p50), times(r.p95), times(r.statementsPerRequest)]),
      ),
    );
  }
  const growth = growthRows(measurements);
  if (growth.length > 0) {
    out.push(
      '',
      'Cost growth (same list, different page sizes and transcript lengths):',
      table(['list', 'variant', 'SQL/req', 'p50 ms', 'p95 ms', 'req/s'], growth),
    );
  }
  return out.join('\n');
}

const GROWTH: { scenario: ScenarioId; label: string }[] = [
  { scenario: 'a10', label: 'first: 10' },
  { scenario: 'a', label: 'first: 50' },
  { scenario: 'a100', label: 'first: 100' },
  { scenario: 'a-short', label: 'sessions of 10 messages' },
  { scenario: 'a-long', label: 'sessions of 5000+ messages' },
];

function growthRows(measurements: Measurement[]): string[][] {
  const present = GROWTH.filter((g) => g.scenario !== 'a').some((g) => measurements.some((m) => m.scenario === g.scenario));
  if (!present) return [];
  return GROWTH.flatMap(({ scenario, label }) =>
    measurements
      .filter((m) => m.scenario === scenario)
      .map((m) => [
        label,
        m.variant,
        m.statementsPerRequest === null ? '-' : m.statementsPerRequest.toFixed(2),
        ms(m.latencyMs.p50),
        ms(m.latencyMs.p95),
        m.requestsPerSecond.toFixed(1),
      ]),
  );
}
