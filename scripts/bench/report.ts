import type { Measurement } from './measure.js';
import type { ScenarioId } from './scenarios.js';
import type { Variant } from './server.js';

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

export interface BenchReport {
  measurements: Measurement[];
  ratios: Ratio[];
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
    statementsPerRequest: ratio(other.statementsPerRequest, base.statementsPerRequest),
  };
}

interface Ref {
  scenario: ScenarioId;
  variant: Variant['name'];
}

export function buildReport(measurements: Measurement[]): BenchReport {
  const scenarios = [...new Set(measurements.map((m) => m.scenario))];
  const variants = [...new Set(measurements.map((m) => m.variant))];
  const across = (scenario: ScenarioId, a: Variant['name'], b: Variant['name']) =>
    compare(measurements, { scenario, variant: a }, { scenario, variant: b }, `${b} / ${a}`);
  const within = (variant: Variant['name'], a: ScenarioId, b: ScenarioId) =>
    compare(measurements, { scenario: a, variant }, { scenario: b, variant }, `${b} / ${a} (${variant})`);
  const ratios = [
    ...scenarios.map((s) => across(s, 'default', 'no-dataloaders')),
    ...scenarios.map((s) => across(s, 'default', 'jit')),
    ...variants.map((v) => within(v, 'a10', 'a100')),
    ...variants.map((v) => within(v, 'a-short', 'a-long')),
  ].filter((r): r is Ratio => r !== undefined);
  return { measurements, ratios };
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
      ['scenario', 'variant', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'SQL/req', 'RSS MB peak/end', 'failed'],
      measurements.map((m) => [
        m.scenario,
        m.variant,
        String(m.requests),
        m.requestsPerSecond.toFixed(1),
        ms(m.latencyMs.p50),
        ms(m.latencyMs.p95),
        ms(m.latencyMs.p99),
        m.statementsPerRequest.toFixed(2),
        `${m.rssMb.peak.toFixed(0)}/${m.rssMb.end.toFixed(0)}`,
        failures(m),
      ]),
    ),
  );
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
        m.statementsPerRequest.toFixed(2),
        ms(m.latencyMs.p50),
        ms(m.latencyMs.p95),
        m.requestsPerSecond.toFixed(1),
      ]),
  );
}
