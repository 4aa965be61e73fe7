import { checkResponse, type GraphQLBody } from './oracle.js';
import { send, type RawRequest } from './send.js';
import { tenantDigest, type TenantDigest } from './snapshot.js';
import type { FuzzWorld } from './world.js';

/** How the runs of one property ended (`ok` or the error codes), printed after it. */
export class Outcomes {
  private readonly counts = new Map<string, number>();

  record(status: number, body: GraphQLBody): void {
    const codes = [...new Set((body.errors ?? []).map((error) => error.extensions.code))].sort();
    const key = body.refused ? 'refused' : codes.length === 0 ? 'ok' : codes.join('+');
    this.counts.set(`${key} (HTTP ${status})`, (this.counts.get(`${key} (HTTP ${status})`) ?? 0) + 1);
  }

  summary(): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, count]) => `${key}: ${count}`)
      .join(', ');
  }
}

function changedRows(before: TenantDigest, after: TenantDigest): string[] {
  const changes: string[] = [];
  for (const table of Object.keys(before) as (keyof TenantDigest)[]) {
    const a = before[table];
    const b = after[table];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (Array.isArray(a) || Array.isArray(b)) {
      changes.push(`${table}: ${(a as string[]).length} rows before, ${(b as string[]).length} after, contents differ`);
      continue;
    }
    const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const id of ids) {
      const was = a[id];
      const is = b[id];
      if (was !== is) changes.push(`${table} ${id}: ${was === undefined ? 'added' : is === undefined ? 'removed' : 'changed'}`);
    }
  }
  return changes;
}

/** Strings of at least this length sent in variables must never show up in the server's log. */
const LOGGED_TEXT_MIN = 16;

/** The variables of a request (JSON body or GET parameter), when it has any that parse. */
function sentVariables(request: RawRequest): unknown {
  try {
    if (request.method === 'GET') return JSON.parse(new URLSearchParams(request.payload).get('variables') ?? 'null');
    const body: unknown = JSON.parse(request.payload);
    return body !== null && typeof body === 'object' && 'variables' in body ? body.variables : null;
  } catch {
    return null;
  }
}

/** Long strings among the request's variables (user text: search queries, content, titles …). */
function sentTexts(request: RawRequest): string[] {
  const texts: string[] = [];
  const stack: unknown[] = [sentVariables(request)];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string' && value.length >= LOGGED_TEXT_MIN) texts.push(value.slice(0, 200));
    else if (value !== null && typeof value === 'object') stack.push(...Object.values(value as Record<string, unknown>));
  }
  return texts;
}

// Only exchanges write the fuzz tenants, one at a time: the digest after a request that changed
// nothing is the digest before the next one, so it is kept rather than read again.
const unchanged = new WeakMap<FuzzWorld, TenantDigest>();

/**
 * Sends one request, holds the answer to the contract (oracle.ts), and checks the database: the
 * tenant's rows must be exactly as before unless `mayChange(body)` says the request succeeded.
 * `build` turns the generated input into the request, given the snapshot taken first.
 */
export async function exchange(
  world: FuzzWorld,
  outcomes: Outcomes,
  build: (before: TenantDigest) => RawRequest,
  mayChange: (body: GraphQLBody) => boolean,
): Promise<GraphQLBody> {
  const prisma = world.server.db.database.prisma;
  const before = unchanged.get(world) ?? (await tenantDigest(prisma, world.scope));
  unchanged.delete(world);
  const request = build(before);
  const logged = world.server.logger.lines.length;
  const response = await send(world.server, request);
  let body: GraphQLBody;
  try {
    body = checkResponse(request, response);
  } catch (error) {
    // What the server logged about it (the cause of an unexpected error) goes with the report.
    const lines = world.server.logger.lines.slice(logged).filter((line) => line.level === 'error');
    if (error instanceof Error && lines.length > 0) {
      error.message += `\nserver log:\n${lines.map((line) => `  ${JSON.stringify(line.fields).slice(0, 1500)}`).join('\n')}`;
    }
    throw error;
  }
  outcomes.record(response.status, body);
  const loggedText = JSON.stringify(world.server.logger.lines.slice(logged));
  const inLog = sentTexts(request).find((text) => loggedText.includes(text));
  if (inLog !== undefined)
    throw new Error(
      `User text from the variables reached the server log: ${JSON.stringify(inLog.slice(0, 80))}\nlog: ${loggedText.slice(0, 1500)}`,
    );
  if (mayChange(body)) return body;
  const after = await tenantDigest(prisma, world.scope);
  const changes = changedRows(before, after);
  if (changes.length === 0) unchanged.set(world, after);
  else {
    throw new Error(
      [
        'A rejected request (or a query) changed the database:',
        ...changes.map((change) => `  - ${change}`),
        `request: ${request.payload.slice(0, 2000)}`,
        `response: ${response.text.slice(0, 2000)}`,
      ].join('\n'),
    );
  }
  return body;
}
