import { visibleToMemberSql } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { MESSAGE_COLUMNS, type StoredMessage } from './transcript-read.js';
import { CANONICAL_UUID } from './visible-session.js';

/**
 * What `node(id:)` may find besides sessions (visible-session.ts), each in one statement for any
 * number of ids, under the rules of the fields that show them: a message of a session the caller
 * can see (as `Session.transcript` shows it), and a user who shares a workspace with the caller
 * (as `Session.creator` and `viewer.user` show them). Anything else is null.
 */

const canonicalIds = (ids: readonly string[]) => [...new Set(ids.map((id) => id.toLowerCase()).filter((id) => CANONICAL_UUID.test(id)))];

function inOrder<T extends { id: string }>(ids: readonly string[], rows: T[]): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export async function loadVisibleMessages(
  prisma: PrismaClient,
  principal: Principal,
  ids: readonly string[],
): Promise<(StoredMessage | null)[]> {
  const wanted = canonicalIds(ids);
  if (wanted.length === 0) return ids.map(() => null);
  const rows = await prisma.$queryRaw<StoredMessage[]>`
    SELECT ${MESSAGE_COLUMNS} FROM session_messages m JOIN sessions s ON s.id = m.session_id
     WHERE m.id = ANY(${wanted}::uuid[]) AND ${visibleToMemberSql(principal)}`;
  return inOrder(ids, rows);
}

export async function loadVisibleUsers(prisma: PrismaClient, principal: Principal, ids: readonly string[]): Promise<(User | null)[]> {
  const wanted = canonicalIds(ids);
  if (wanted.length === 0) return ids.map(() => null);
  const rows = await prisma.user.findMany({
    where: {
      id: { in: wanted },
      OR: [{ id: principal.userId }, { memberships: { some: { workspace: { memberships: { some: { userId: principal.userId } } } } } }],
    },
  });
  return inOrder(ids, rows);
}
