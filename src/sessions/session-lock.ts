import type { Prisma, PrismaClient, Session } from '../generated/prisma/client.js';
import { requireCanChange, type SessionChange, type WorkspaceAccess } from '../auth/access.js';
import { notFound } from '../errors.js';
import { SESSION_COLUMNS } from './sql.js';
import { findVisibleSession } from './visible-session.js';

type Tx = Prisma.TransactionClient;

/**
 * Runs `change` on one session in a transaction that holds the session's row lock, so changes to
 * one session (updates, label replacements, appends, freezing) happen one after the other and a
 * check made here (frozen? whose?) still holds when the change is written.
 */
export async function withLockedSession<T>(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  kind: SessionChange,
  change: (tx: Tx, session: Session) => Promise<T>,
): Promise<T> {
  const { id } = await findVisibleSession(prisma, access, idOrPrefix);
  return prisma.$transaction(async (tx) => {
    const session = await lockSession(tx, id);
    // Deleted between the look-up and the lock.
    if (!session) throw notFound('Session');
    requireCanChange(access, session, kind);
    return change(tx, session);
  });
}

/** The session's row, locked until the transaction ends: every change to a session takes it first. */
export async function lockSession(tx: Tx, id: string): Promise<Session | undefined> {
  const [session] = await tx.$queryRaw<Session[]>`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ${id}::uuid FOR UPDATE`;
  return session;
}
