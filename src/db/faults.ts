import { GraphQLError } from 'graphql';

/**
 * Database faults a client can do something about (retry later), as opposed to bugs:
 * - BAD_GATEWAY: the database is unreachable (refused, reset, closed, shutting down);
 * - GATEWAY_TIMEOUT: it did not answer in time (statement timeout, a connection or a pool slot
 *   that did not come in time, a transaction that could not start or ran out of time).
 *
 * Errors reach us in three shapes: Prisma's errors (P-codes, with the driver adapter's error in
 * `meta.driverAdapterError`), the adapter's DriverAdapterError, and plain errors from `pg` and
 * `pg-pool` (passed through by the adapter, or raised by db/rows.ts's direct reads), which carry
 * a message and, for PostgreSQL's own errors, the SQLSTATE as `code`.
 */
export type DatabaseFault = 'BAD_GATEWAY' | 'GATEWAY_TIMEOUT';

const PRISMA_CODES: Record<string, DatabaseFault> = {
  P1001: 'BAD_GATEWAY', // can't reach database server
  P1002: 'GATEWAY_TIMEOUT', // reached, but timed out
  P1008: 'GATEWAY_TIMEOUT', // operation timed out
  P1017: 'BAD_GATEWAY', // server closed the connection
  P2024: 'GATEWAY_TIMEOUT', // timed out fetching a connection from the pool
};

const ADAPTER_KINDS: Record<string, DatabaseFault> = {
  DatabaseNotReachable: 'BAD_GATEWAY',
  ConnectionClosed: 'BAD_GATEWAY',
  TooManyConnections: 'BAD_GATEWAY',
  SocketTimeout: 'GATEWAY_TIMEOUT',
};

/** Node's socket errors on the way to the database. */
const NETWORK_CODES: Record<string, DatabaseFault> = {
  ECONNREFUSED: 'BAD_GATEWAY',
  ECONNRESET: 'BAD_GATEWAY',
  EPIPE: 'BAD_GATEWAY',
  EHOSTUNREACH: 'BAD_GATEWAY',
  ENETUNREACH: 'BAD_GATEWAY',
  ENOTFOUND: 'BAD_GATEWAY',
  EAI_AGAIN: 'BAD_GATEWAY',
  ETIMEDOUT: 'GATEWAY_TIMEOUT',
};

/** PostgreSQL SQLSTATEs: 57014 query_canceled (statement_timeout), 57P0x shutdown, class 08 connection. */
function fromSqlState(code: string): DatabaseFault | undefined {
  if (code === '57014') return 'GATEWAY_TIMEOUT';
  if (/^57P0[1-3]$/.test(code) || code.startsWith('08')) return 'BAD_GATEWAY';
  return undefined;
}

const PG_MESSAGES: [RegExp, DatabaseFault][] = [
  [/^Query read timeout$/, 'GATEWAY_TIMEOUT'],
  [/^Connection terminated due to connection timeout$/, 'GATEWAY_TIMEOUT'],
  [/^timeout exceeded when trying to connect$/, 'GATEWAY_TIMEOUT'],
  [/^Connection terminated( unexpectedly)?$/, 'BAD_GATEWAY'],
  [/is not queryable$/, 'BAD_GATEWAY'],
  // Prisma's interactive transactions (P2028), prefixed "Transaction API error: ".
  [/Unable to start a transaction in the given time/, 'GATEWAY_TIMEOUT'],
  [/Transaction already closed: .*(expired|timeout)/s, 'GATEWAY_TIMEOUT'],
];

interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}

function fromAdapterCause(cause: AdapterCause | undefined): DatabaseFault | undefined {
  if (!cause) return undefined;
  if (typeof cause.kind === 'string' && ADAPTER_KINDS[cause.kind]) return ADAPTER_KINDS[cause.kind];
  const sqlState = typeof cause.originalCode === 'string' ? cause.originalCode : cause.code;
  return typeof sqlState === 'string' ? fromSqlState(sqlState) : undefined;
}

function classifyOne(error: Error): DatabaseFault | undefined {
  const { code, meta, cause } = error as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: AdapterCause } } };
  if (typeof code === 'string' && PRISMA_CODES[code]) return PRISMA_CODES[code];
  // pg's and PGlite's own errors (db/rows.ts reads without Prisma) carry the SQLSTATE as `code`,
  // and socket errors Node's code (which Prisma's adapter would have turned into an adapter kind).
  const fromDriver = typeof code === 'string' ? (NETWORK_CODES[code] ?? fromSqlState(code)) : undefined;
  if (fromDriver) return fromDriver;
  const fromMeta = fromAdapterCause(meta?.driverAdapterError?.cause);
  if (fromMeta) return fromMeta;
  if (error.name === 'DriverAdapterError') {
    const fromCause = fromAdapterCause(cause as AdapterCause | undefined);
    if (fromCause) return fromCause;
  }
  // Prisma's own messages begin with an invocation banner; the reason is on the last line.
  const reason = error.message.trim().split('\n').at(-1)?.trim() ?? '';
  return PG_MESSAGES.find(([pattern]) => pattern.test(reason) || pattern.test(error.message))?.[1];
}

/** The fault `error` stands for, looking through GraphQL wrapping and `cause` chains. */
export function databaseFault(error: unknown): DatabaseFault | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const fault = classifyOne(current);
    if (fault) return fault;
    current = current instanceof GraphQLError && current.originalError ? current.originalError : current.cause;
  }
  return undefined;
}
