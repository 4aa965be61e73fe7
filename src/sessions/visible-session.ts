import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { AppError, badUserInput, notFound } from '../errors.js';
import { visibleSessionsSql, visibleToMemberSql, type WorkspaceAccess } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { SESSION_COLUMNS } from './sql.js';

const UUID_TEMPLATE = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
export const MIN_PREFIX_HEX_DIGITS = 8;
/** A full UUID in canonical (lower-case) text, as ids are stored and returned. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const canonical = (hex32: string) =>
  `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;

/**
 * Parses a full UUID or a prefix of one into the range of ids it covers. A prefix is the start of
 * the canonical text (dashes where a UUID has them) or the same hex digits without dashes, with
 * at least 8 hex digits.
 */
function parseIdOrPrefix(raw: string, loc: (string | number)[]): { low: string; high: string } {
  const text = raw.trim().toLowerCase();
  const hex = text.replaceAll('-', '');
  const dashesFit = !text.includes('-') || [...text].every((ch, i) => (UUID_TEMPLATE[i] === '-') === (ch === '-'));
  if (!/^[0-9a-f]*$/.test(hex) || hex.length < MIN_PREFIX_HEX_DIGITS || hex.length > 32 || !dashesFit) {
    throw badUserInput('Session id must be a UUID or a prefix of at least 8 hex characters', [
      { loc, msg: 'Expected a UUID or a UUID prefix of at least 8 hex characters', type: 'uuid_prefix' },
    ]);
  }
  return { low: canonical(hex.padEnd(32, '0')), high: canonical(hex.padEnd(32, 'f')) };
}

/**
 * Finds a session the caller can see by full id or unique prefix. Sessions the caller cannot see
 * do not count (no existence leaks): unknown and invisible are both NOT_FOUND, and a prefix that
 * matches two visible sessions is BAD_REQUEST.
 */
export async function findVisibleSession(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  loc: (string | number)[] = ['id'],
): Promise<Session> {
  const { low, high } = parseIdOrPrefix(idOrPrefix, loc);
  const matches = await prisma.$queryRaw<Session[]>`
    SELECT ${SESSION_COLUMNS} FROM sessions s
     WHERE ${visibleSessionsSql(access)} AND s.id BETWEEN ${low}::uuid AND ${high}::uuid
     LIMIT 2`;
  if (matches.length > 1) throw new AppError('BAD_REQUEST', `Session id prefix "${idOrPrefix}" is ambiguous`);
  const [session] = matches;
  if (!session) throw notFound('Session');
  return session;
}

/**
 * Sessions by id for federation's reference resolver, in one statement for any number of ids,
 * under the same visibility rule as `session`: a session the caller cannot see is null.
 */
export async function loadVisibleSessions(prisma: PrismaClient, principal: Principal, ids: readonly string[]): Promise<(Session | null)[]> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()).filter((id) => CANONICAL_UUID.test(id)))];
  const rows =
    wanted.length === 0
      ? []
      : await prisma.$queryRaw<Session[]>`
          SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ANY(${wanted}::uuid[]) AND ${visibleToMemberSql(principal)}`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
