import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import { databaseFault, type DatabaseFault } from '../db/faults.js';
import { AppError, envelope, ERROR_TABLE, isErrorCode, type ValidationItem } from '../errors.js';

/**
 * What a client may see of anything thrown, in the envelope of the error table (errors.ts). The
 * HTTP edge applies it to every error of a response (plugins/error-envelope.ts, and yoga's masking
 * for errors raised before execution).
 */

export const MASKED_MESSAGE = 'Unexpected error.';

function findAppError(error: unknown): AppError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth += 1) {
    if (current instanceof AppError) return current;
    current = current instanceof GraphQLError ? current.originalError : current.cause;
  }
  return undefined;
}

function isPublic(error: GraphQLError): boolean {
  return isErrorCode(error.extensions.code) && typeof error.extensions.status === 'number';
}

// graphql-js 16 reports a variable that fails coercion as
// `Variable "$input" got invalid value "x" at "input.id"; Expected type "UUID". …`. The value is
// printed as is, object keys unquoted, so it may span lines (a key with a newline in it).
const VARIABLE_ERROR = /^Variable "\$([^"]+)" got invalid value (?:[\s\S]*?)(?: at "([^"]+)")?; ([\s\S]*)$/;

function locFromPath(variable: string, path: string | undefined): (string | number)[] {
  const loc: (string | number)[] = [];
  const source = path ?? variable;
  for (const part of source.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (part[2] !== undefined) loc.push(Number(part[2]));
    else if (part[1] !== undefined) loc.push(part[1]);
  }
  return loc;
}

/** A variable that did not coerce: BAD_USER_INPUT with one `errors` item pointing at it. */
function variableError(error: GraphQLError): GraphQLError | undefined {
  if (error.originalError && !(error.originalError instanceof GraphQLError) && !(error.originalError instanceof TypeError)) {
    return undefined;
  }
  const match = VARIABLE_ERROR.exec(error.message);
  if (!match) return undefined;
  const [, variable = '', path, reason = ''] = match;
  const item: ValidationItem = { loc: locFromPath(variable, path), msg: reason, type: 'invalid_value' };
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, ...envelope('BAD_USER_INPUT', [item]) },
  });
}

/**
 * A parse or validation error of the request gets the BAD_REQUEST envelope. It is extended in
 * place, as yoga itself extends these errors, so yoga's HTTP status handling (`extensions.http`)
 * is kept. Errors that already carry an envelope code are left alone.
 */
export function withRequestEnvelope(error: GraphQLError): GraphQLError {
  const extensions = error.extensions as Record<string, unknown>;
  if (!isPublic(error)) Object.assign(extensions, envelope('BAD_REQUEST'));
  // As yoga marks its own validation errors: 400 for application/graphql-response+json, and the
  // spec's 200 for application/json. Errors from validation plugins arrive without it.
  extensions.http ??= { status: 400, spec: true };
  return error;
}

const FAULT_MESSAGES: Record<DatabaseFault, string> = {
  BAD_GATEWAY: 'The database is unreachable. Try again shortly.',
  GATEWAY_TIMEOUT: 'The database did not answer in time. Try again shortly.',
};

export interface PublicError {
  error: GraphQLError;
  /** How the caller should log the original server-side: bugs as errors, database faults as warnings. */
  log: 'error' | 'warn' | undefined;
}

/**
 * The one mapping from anything thrown to what a client may see.
 * - AppError (possibly wrapped by graphql-js) → its envelope, located at the failing field;
 * - a variable that failed coercion → BAD_USER_INPUT with an `errors` item;
 * - parse and validation errors → BAD_REQUEST envelope, keeping yoga's HTTP behaviour;
 * - the database unreachable or too slow → BAD_GATEWAY or GATEWAY_TIMEOUT (db/faults.ts);
 * - anything else → INTERNAL_SERVER_ERROR with a fixed message (no stack, SQL or internals).
 * `failsRequest` is set for errors raised before execution (the context, i.e. authentication):
 * those fail the whole request, so a database fault there also sets the HTTP status (docs/api.md).
 */
export function toPublicError(error: unknown, { failsRequest = false } = {}): PublicError {
  const app = findAppError(error);
  const located = error instanceof GraphQLError ? error : undefined;
  const at = { nodes: located?.nodes, source: located?.source, positions: located?.positions, path: located?.path };
  if (app) {
    if (app === error) return { error: app, log: undefined };
    return { error: new GraphQLError(app.message, { ...at, extensions: app.extensions }), log: undefined };
  }
  if (located && isPublic(located)) return { error: located, log: undefined };
  const fault = databaseFault(error);
  if (fault) {
    const extensions: GraphQLErrorExtensions = { ...envelope(fault) };
    if (failsRequest) extensions.http = { status: ERROR_TABLE[fault].status };
    return { error: new GraphQLError(FAULT_MESSAGES[fault], { ...at, extensions }), log: 'warn' };
  }
  if (located) {
    const fromVariable = variableError(located);
    if (fromVariable) return { error: fromVariable, log: undefined };
    if (!located.originalError) return { error: withRequestEnvelope(located), log: undefined };
  }
  return {
    error: new GraphQLError(MASKED_MESSAGE, {
      ...at,
      // Kept off the wire (GraphQLError serialises message, locations, path and extensions only);
      // it lets yoga answer 500 when nothing else of the request succeeded.
      originalError: error instanceof Error ? error : undefined,
      extensions: envelope('INTERNAL_SERVER_ERROR'),
    }),
    log: 'error',
  };
}
