import { ERROR_TABLE, isErrorCode } from '../../src/errors.js';
import type { RawRequest, RawResponse } from './send.js';
import { isRecord } from '../../src/schema/is-record.js';

/** A GraphQL-over-HTTP response body, once the oracle has checked its shape. */
export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions: { code: string; status: number } }[];
  /** HTTP 406 to a client that accepts no JSON: nothing ran, and there is no body to check. */
  refused?: true;
}

const isPathItem = (item: unknown) => typeof item === 'string' || Number.isInteger(item);

/**
 * Text that must never reach a client: SQL, database and driver names, stack frames, source
 * paths. A match only counts when the request did not contain that text itself (error messages
 * may quote a value the client sent).
 */
const LEAKS: RegExp[] = [
  /prisma/i,
  /pglite/i,
  /postgres/i,
  /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]{0,80}?\b(?:FROM|INTO|SET|WHERE)\b/i,
  /relation "|column "|syntax error at or near|violates [a-z ]*constraint|duplicate key|invalid input syntax/i,
  / {4}at /,
  /\bat [^\s()]+ \(/,
  /node_modules|\.[cm]?[jt]s:\d+/,
  /Unexpected error\./,
];

function leaks(text: string, sent: string): string[] {
  const sentLower = sent.toLowerCase();
  const found: string[] = [];
  for (const pattern of LEAKS) {
    const match = pattern.exec(text);
    if (match && !sentLower.includes(match[0].toLowerCase())) found.push(match[0]);
  }
  return found;
}

function errorProblems(error: unknown, i: number, sent: string): string[] {
  const at = `errors[${i}]`;
  if (!isRecord(error)) return [`${at} is not an object`];
  const problems: string[] = [];
  const known = new Set(['message', 'locations', 'path', 'extensions']);
  for (const key of Object.keys(error)) if (!known.has(key)) problems.push(`${at} has unexpected key "${key}"`);
  if (typeof error.message !== 'string' || error.message.length === 0) problems.push(`${at}.message is not a non-empty string`);
  if (error.locations !== undefined) {
    const ok =
      Array.isArray(error.locations) &&
      error.locations.every(
        (l) =>
          isRecord(l) && Number.isInteger(l.line) && Number.isInteger(l.column) && (l.line as number) >= 1 && (l.column as number) >= 1,
      );
    if (!ok) problems.push(`${at}.locations is malformed`);
  }
  if (error.path !== undefined && !(Array.isArray(error.path) && error.path.every(isPathItem))) problems.push(`${at}.path is malformed`);
  const extensions = error.extensions;
  if (!isRecord(extensions)) return [...problems, `${at} has no extensions envelope`];
  const { code, status, type, errors: items } = extensions;
  if (!isErrorCode(code)) {
    problems.push(`${at}.extensions.code ${JSON.stringify(code)} is not in the error table`);
  } else {
    if (code === 'INTERNAL_SERVER_ERROR') problems.push(`${at} is INTERNAL_SERVER_ERROR`);
    if (status !== ERROR_TABLE[code].status)
      problems.push(`${at}.extensions.status ${String(status)} is not ${ERROR_TABLE[code].status} for ${code}`);
    if (type !== ERROR_TABLE[code].type)
      problems.push(`${at}.extensions.type ${String(type)} is not ${ERROR_TABLE[code].type} for ${code}`);
  }
  if (items !== undefined) {
    const ok =
      Array.isArray(items) &&
      items.length > 0 &&
      items.every(
        (item) =>
          isRecord(item) &&
          Array.isArray(item.loc) &&
          item.loc.every(isPathItem) &&
          typeof item.msg === 'string' &&
          item.msg.length > 0 &&
          typeof item.type === 'string' &&
          item.type.length > 0,
      );
    if (!ok) problems.push(`${at}.extensions.errors items must each have loc, msg and type`);
  }
  for (const leak of leaks(JSON.stringify(error), sent)) problems.push(`${at} leaks internals: "${leak}"`);
  return problems;
}

/** HTTP statuses about the request's transport rather than its GraphQL: 405, 406, 413, 415. */
const TRANSPORT_STATUSES = new Set([405, 406, 413, 415]);

function bodyProblems(body: unknown, sent: string): string[] {
  if (!isRecord(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  for (const key of Object.keys(body))
    if (!['data', 'errors', 'extensions'].includes(key)) problems.push(`unexpected top-level key "${key}"`);
  if (!('data' in body) && !('errors' in body)) problems.push('neither data nor errors');
  if ('data' in body && body.data !== null && !isRecord(body.data)) problems.push('data is neither an object nor null');
  if ('errors' in body) {
    if (!Array.isArray(body.errors) || body.errors.length === 0) problems.push('errors is not a non-empty array');
    else body.errors.forEach((error, i) => problems.push(...errorProblems(error, i, sent)));
  }
  return problems;
}

/**
 * GraphQL over HTTP: a response with data (even null) is 200; without data the request failed,
 * and with the graphql-response+json media type that is a 4xx whose status an error explains:
 * its envelope status, or 400 for BAD_USER_INPUT (variables that do not coerce, NUL characters),
 * or a transport status (wrong method, body too large, unsupported media type) for BAD_REQUEST.
 */
function statusProblems(body: Record<string, unknown>, response: RawResponse): string[] {
  const hasData = 'data' in body;
  const errors = Array.isArray(body.errors) ? body.errors.filter(isRecord) : [];
  const statuses = errors.map((error) => (isRecord(error.extensions) ? error.extensions.status : undefined));
  const codes = errors.map((error) => (isRecord(error.extensions) ? error.extensions.code : undefined));
  if (hasData && response.status !== 200) return [`HTTP ${response.status} with data`];
  if (hasData || !response.contentType?.startsWith('application/graphql-response+json')) return [];
  if (response.status < 400) return [`HTTP ${response.status} without data`];
  const explained =
    statuses.includes(response.status) ||
    (response.status === 400 && codes.includes('BAD_USER_INPUT')) ||
    (TRANSPORT_STATUSES.has(response.status) && codes.includes('BAD_REQUEST'));
  return explained ? [] : [`HTTP ${response.status} matches no error's envelope status (${statuses.join(', ')})`];
}

/** The `data:` payloads of a text/event-stream answer's `next` events (GraphQL over SSE). */
function sseEvents(text: string): string[] {
  return text
    .split(/\n\n/)
    .map((block) => block.split('\n'))
    .filter((lines) => lines.includes('event: next'))
    .map((lines) =>
      lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    );
}

/**
 * Whether the client takes a JSON answer at all, in UTF-8 (otherwise 406 with no body is the
 * right answer). No Accept header means anything.
 */
function acceptsJson(request: RawRequest): boolean {
  const accept = request.headers.accept;
  if (accept === undefined) return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const charset = params.find((param) => param.startsWith('charset='));
    return (
      /^(\*\/\*|application\/\*|application\/json|application\/graphql-response\+json)$/.test(type) &&
      (!charset || charset === 'charset=utf-8')
    );
  });
}

function readAnswer(request: RawRequest, response: RawResponse, problems: string[]): GraphQLBody {
  const type = response.contentType ?? '';
  if (response.status === 406 && !acceptsJson(request)) return { refused: true };
  if (type.startsWith('text/event-stream')) {
    if (!request.headers.accept?.includes('text/event-stream')) problems.push('an event stream nobody asked for');
    const merged: GraphQLBody = {};
    for (const data of sseEvents(response.text)) {
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        problems.push(`an event is not JSON: ${data.slice(0, 200)}`);
        continue;
      }
      problems.push(...bodyProblems(event, request.payload));
      if (isRecord(event)) {
        if ('data' in event) merged.data = event.data as GraphQLBody['data'];
        if (Array.isArray(event.errors))
          merged.errors = [...(merged.errors ?? []), ...(event.errors as NonNullable<GraphQLBody['errors']>)];
      }
    }
    if (!('data' in merged) && !merged.errors) problems.push('an event stream without a result');
    return merged;
  }
  if (!/^application\/(graphql-response\+)?json\b/.test(type)) problems.push(`content-type ${String(response.contentType)} is not JSON`);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    problems.push('the body is not JSON');
    return {};
  }
  // A batch (a JSON array body) is answered by an array of responses, one per operation, in order.
  if (Array.isArray(body) && sentBatch(request)) {
    if (response.status !== 200) problems.push(`HTTP ${response.status} for a batch that was answered`);
    const results = body as unknown[];
    for (const item of results) problems.push(...bodyProblems(item, request.payload));
    const items = results.filter(isRecord) as GraphQLBody[];
    return { data: items[0]?.data ?? null, errors: items.flatMap((item) => item.errors ?? []) };
  }
  problems.push(...bodyProblems(body, request.payload));
  if (isRecord(body)) problems.push(...statusProblems(body, response));
  return body as GraphQLBody;
}

function sentBatch(request: RawRequest): boolean {
  try {
    return request.method === 'POST' && Array.isArray(JSON.parse(request.payload));
  } catch {
    return false;
  }
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/**
 * The contract every answer keeps, whatever was sent: never a 5xx, a JSON GraphQL response with
 * data and/or errors (or GraphQL over SSE to a client that asked for text/event-stream, each event
 * such a response), every error in the envelope with a code from the error table (never
 * INTERNAL_SERVER_ERROR), validation items with loc, msg and type, and no internals in any message.
 * The one answer without a body: HTTP 406 to a client whose Accept names no JSON type.
 * Throws a ContractViolation naming every broken rule, with the request and the response.
 */
export function checkResponse(request: RawRequest, response: RawResponse): GraphQLBody {
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`HTTP ${response.status}`);
  if (!response.requestId) problems.push('no X-Request-Id header');
  const body = readAnswer(request, response, problems);
  if (problems.length > 0) {
    const shown = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} chars)` : text);
    throw new ContractViolation(
      [
        `${problems.length} contract violation(s):`,
        ...problems.map((problem) => `  - ${problem}`),
        `request: ${request.method} headers=${JSON.stringify(request.headers)}`,
        `  ${shown(request.payload)}`,
        `response: HTTP ${response.status} ${String(response.contentType)}`,
        `  ${shown(response.text)}`,
      ].join('\n'),
    );
  }
  return body;
}

/**
 * A request was turned down, so nothing of it may have happened: it failed as a whole, or a root
 * field errored (non-null mutation fields make data null). Errors deeper in a selection come
 * after the root field ran (a mutation may have written) and do not count.
 */
export function isRejected(body: GraphQLBody): boolean {
  if (body.refused) return true;
  if (!body.errors?.length || (body.data && Object.values(body.data).some((value) => value !== null))) return false;
  return body.errors.some((error) => !error.path || error.path.length === 1);
}
