import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { requestIdOf } from './request-id.js';

/**
 * What the server tells operators: one JSON log line per GraphQL request (request id, operation
 * name and type, HTTP status, duration, outcome and error codes; never tokens, variables or message
 * content) and Prometheus metrics at /metrics (yoga's request and phase metrics, errors by code,
 * process metrics).
 */

interface RequestRecord {
  start: number;
  operationName?: string;
  operationType?: string;
  errorCodes: Set<string>;
}

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

  const operationLog: Plugin = {
    onRequest({ request, url }) {
      if (url.pathname === graphqlEndpoint) records.set(request, { start: performance.now(), errorCodes: new Set() });
    },
    onParams({ request, params }) {
      const record = records.get(request);
      if (!record) return;
      const declared = typeof params.query === 'string' ? OPERATION.exec(params.query) : null;
      record.operationName = params.operationName ?? declared?.[2];
      record.operationType = declared?.[1] ?? (params.query ? 'query' : undefined);
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (!record) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!single || typeof single !== 'object' || !('errors' in single) || !Array.isArray(single.errors)) continue;
        for (const error of single.errors as { extensions?: { code?: unknown } }[]) {
          const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';
          record.errorCodes.add(code);
          errors.inc({ code });
        }
      }
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      const codes = [...record.errorCodes];
      const outcome = response.status >= 500 ? 'failed' : codes.length > 0 ? 'errors' : 'ok';
      const line = {
        requestId: requestIdOf(request),
        operation: record.operationName ?? null,
        type: record.operationType ?? null,
        status: response.status,
        durationMs: Math.round((performance.now() - record.start) * 10) / 10,
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
      },
      labels: { method: true, statusCode: true, url: false },
    }),
  ];
}
