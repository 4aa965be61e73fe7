import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { visibleToMemberSql } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { CANONICAL_UUID } from './visible-session.js';
import { SESSION_COLUMNS } from './sql.js';

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
