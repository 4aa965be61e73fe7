export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (the value at least p% of samples are at or below). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** Latency and outcome of every request, by operation. */
export class Recorder<Op extends string> {
  readonly latencies = new Map<Op, number[]>();
  readonly errors = new Map<Op, number>();
  readonly errorsByCode = new Map<string, number>();
  readonly httpStatuses = new Map<string, number>();
  requests = 0;

  record(op: Op, latencyMs: number, httpStatus: number | null, errorCode: string | null): void {
    this.requests += 1;
    let list = this.latencies.get(op);
    if (!list) this.latencies.set(op, (list = []));
    list.push(latencyMs);
    const status = httpStatus === null ? 'none' : String(httpStatus);
    this.httpStatuses.set(status, (this.httpStatuses.get(status) ?? 0) + 1);
    if (errorCode !== null) {
      this.errors.set(op, (this.errors.get(op) ?? 0) + 1);
      this.errorsByCode.set(errorCode, (this.errorsByCode.get(errorCode) ?? 0) + 1);
    }
  }
}
