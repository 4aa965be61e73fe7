import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { AppError, badUserInput, notFound } from '../errors.js';
import { visibleSessionsSql, type WorkspaceAccess } from '../auth/access.js';
import { SESSION_COLUMNS } from './session-row.js';

const UUID_TEMPLATE = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
export const MIN_PREFIX_HEX_DIGITS = 8;

/** Parses a full UUID or a prefix of one (at least 8 hex digits) into a lower-case id range. */
function parseIdOrPrefix(raw: string, loc: (string | number)[]): { low: string; high: string } {
  const text = raw.trim().toLowerCase();
  const fits =
    text.length <= UUID_TEMPLATE.length &&
    [...text].every((ch, i) => (UUID_TEMPLATE[i] === '-' ? ch === '-' : /[0-9a-f]/.test(ch)));
  const hexDigits = text.replaceAll('-', '').length;
  if (!fits || hexDigits < MIN_PREFIX_HEX_DIGITS) {
    throw badUserInput('Session id must be a UUID or a prefix of at least 8 hex characters', [
      { loc, msg: 'Expected a UUID or a UUID prefix of at least 8 hex characters', type: 'uuid_prefix' },
    ]);
  }
  const pad = (fill: string) =>
    [...UUID_TEMPLATE].map((ch, i) => (ch === '-' ? '-' : i < text.length ? text[i] : fill)).join('');
  return { low: pad('0'), high: pad('f') };
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
