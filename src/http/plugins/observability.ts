import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { getOperationAST } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Context } from '../../context.js';
import { isErrorCode } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { operationOf } from './operation.js';
import { requestIdOf } from './request-id.js';

/**
 * What the server tells operators: one JSON log line per GraphQL request (request id, operation
 * name and type, HTTP status, duration, outcome and error codes; never tokens, variables or message
 * content) and Prometheus metrics at /metrics (yoga's request and phase metrics, errors by code,
 * duration per operation, process metrics).
 *
 * Every label has a bounded set of values, so no caller can grow /metrics (and the process's
 * memory) by sending new names: yoga's metrics carry the operation type but not its name; the
 * per-operation histogram names only operations an authenticated caller got past validation, at
 * most MAX_OPERATION_LABELS distinct ones, the rest as `other`; error codes are the table's.
 */

interface RequestRecord {
  start: number;
  operationName?: string;
  operationType?: string;
  /** Set once the operation is about to execute: its label in the per-operation histogram. */
  operationLabel?: string;
  errorCodes: Set<string>;
}

export const MAX_OPERATION_LABELS = 100;
/** Operation names in log lines are cut here (a GraphQL name may be as long as the document). */
export const MAX_LOGGED_NAME_LENGTH = 100;

/** The first MAX_OPERATION_LABELS operation names seen keep their own label; later ones are `other`. */
function operationLabels(max = MAX_OPERATION_LABELS): (name: string) => string {
  const admitted = new Set<string>();
  return (name) => {
    if (admitted.has(name)) return name;
    if (admitted.size >= max) return 'other';
    admitted.add(name);
    return name;
  };
}

const truncated = (name: string | undefined) =>
  name !== undefined && name.length > MAX_LOGGED_NAME_LENGTH ? `${name.slice(0, MAX_LOGGED_NAME_LENGTH)}…` : name;

const OPERATION = /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/;

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * `db_statements_total`: SQL statements Prisma sent (fed by the database's onQuery hook). Divided
 * by requests served it gives statements per request, which is how a lost DataLoader batch shows.
 */
export function createStatementCounter(registry: Registry): () => void {
  const counter = new Counter({ name: 'db_statements_total', help: 'SQL statements sent to the database', registers: [registry] });
  return () => counter.inc();
}

export function useObservability(logger: Logger, registry: Registry, graphqlEndpoint = '/graphql'): Plugin[] {
  const records = new WeakMap<Request, RequestRecord>();
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors returned to clients, by envelope code',
    labelNames: ['code'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: `Time from request to response of executed operations, by operation (at most ${MAX_OPERATION_LABELS} names, then "other")`,
    labelNames: ['operation', 'type'],
    registers: [registry],
  });
  const labelOf = operationLabels();

  const operationLog: Plugin = {
    onRequest({ request, url }) {
      if (url.pathname === graphqlEndpoint) records.set(request, { start: performance.now(), errorCodes: new Set() });
    },
    onParams({ request, params }) {
      const record = records.get(request);
      if (!record) return;
      const declared = typeof params.query === 'string' ? OPERATION.exec(params.query) : null;
      record.operationName = truncated(params.operationName ?? declared?.[2]);
      record.operationType = declared?.[1] ?? (params.query ? 'query' : undefined);
    },
    onExecute({ args }) {
      const context = args.contextValue as Partial<Context> & { request?: Request };
      const record = context.request ? records.get(context.request) : undefined;
      if (!record) return;
      const { document, operationName } = operationOf(args);
      const operation = getOperationAST(document, operationName);
      // Anonymous callers cannot take one of the bounded name labels.
      const name = context.principal ? (operation?.name?.value ?? 'anonymous') : 'other';
      record.operationLabel = labelOf(name);
      record.operationType = operation?.operation ?? record.operationType;
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (!record) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!single || typeof single !== 'object' || !('errors' in single) || !Array.isArray(single.errors)) continue;
        for (const error of single.errors as { extensions?: { code?: unknown } }[]) {
          const code = isErrorCode(error.extensions?.code) ? error.extensions.code : 'UNKNOWN';
          record.errorCodes.add(code);
          errors.inc({ code });
        }
      }
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      const codes = [...record.errorCodes];
      const seconds = (performance.now() - record.start) / 1000;
      if (record.operationLabel) durations.observe({ operation: record.operationLabel, type: record.operationType ?? 'query' }, seconds);
      const outcome = response.status >= 500 ? 'failed' : codes.length > 0 ? 'errors' : 'ok';
      const line = {
        requestId: requestIdOf(request),
        operation: record.operationName ?? null,
        type: record.operationType ?? null,
        status: response.status,
        durationMs: Math.round(seconds * 10_000) / 10,
        outcome,
        ...(codes.length > 0 ? { errorCodes: codes } : {}),
      };
      if (outcome === 'failed') logger.error('graphql request', line);
      else logger.info('graphql request', line);
    },
  };

  return [
    operationLog,
    usePrometheus({
      endpoint: '/metrics',
      registry,
      metrics: {
        graphql_envelop_request: true,
        graphql_envelop_request_duration: true,
        graphql_envelop_error_result: true,
        graphql_envelop_phase_parse: true,
        graphql_envelop_phase_validate: true,
        graphql_envelop_phase_execute: true,
        graphql_yoga_http_duration: true,
        // Off, though the plugin turns them on by default: the summary repeats the duration
        // histogram with a t-digest per label set, and the deprecated-field counter walks every
        // document with TypeInfo; together about 6 % of a list request's CPU (docs/performance.md).
        graphql_envelop_request_time_summary: false,
        graphql_envelop_deprecated_field: false,
      },
      // Operation names and error paths are the caller's to choose: unbounded, so not labels.
      labels: { method: true, statusCode: true, url: false, operationName: false, path: false },
    }),
  ];
}
