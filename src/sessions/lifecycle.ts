import type { Prisma, PrismaClient, Session } from '../generated/prisma/client.js';
import type { SessionVisibility } from '../generated/prisma/enums.js';
import type { WorkspaceAccess } from '../auth/access.js';
import { AppError, badUserInput, type ValidationItem } from '../errors.js';
import { validateText } from './input-rules.js';
import { normalizeLabels, validateLabels, type Label } from './labels.js';
import { withLockedSession } from './session-lock.js';

const frozen = () => new AppError('CONFLICT', 'Session is frozen: it can be read but no longer changed');

export interface UpdateSessionInput {
  title?: string | null;
  model?: string | null;
  agent?: string | null;
  visibility?: SessionVisibility | null;
  labels?: Label[] | null;
}

function validateUpdate(input: UpdateSessionInput): void {
  const items: ValidationItem[] = [
    ...validateText(input.model, ['input', 'model'], { required: true }),
    ...validateText(input.agent, ['input', 'agent']),
    ...validateText(input.title, ['input', 'title'], { max: 1000 }),
    ...(input.labels ? validateLabels(input.labels, ['input', 'labels']) : []),
  ];
  // Omitted means "keep". null clears title and agent; these three cannot be cleared.
  for (const field of ['model', 'visibility', 'labels'] as const) {
    if (input[field] === null) {
      items.push({ loc: ['input', field], msg: `${field} cannot be null; leave it out to keep it`, type: 'value_null' });
    }
  }
  if (items.length > 0) throw badUserInput('Invalid session update', items);
}

/** updateSession: a partial update; `labels` replaces the whole set. Frozen sessions are CONFLICT. */
export async function updateSession(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  input: UpdateSessionInput,
): Promise<Session> {
  validateUpdate(input);
  // An ADMIN may update others' sessions, but not change who can see them.
  const kind = input.visibility !== undefined ? 'visibility' : 'update';
  return withLockedSession(prisma, access, idOrPrefix, kind, async (tx, session) => {
    if (session.frozenAt) throw frozen();
    const data: Prisma.SessionUpdateInput = {};
    if (input.title !== undefined) data.title = input.title;
    if (input.agent !== undefined) data.agent = input.agent;
    if (input.model != null) data.model = input.model;
    if (input.visibility != null) data.visibility = input.visibility;
    if (input.labels != null) {
      await tx.sessionLabel.deleteMany({ where: { sessionId: session.id } });
      const rows = normalizeLabels(input.labels).flatMap((label) =>
        label.values.map((value) => ({ sessionId: session.id, key: label.key, value })),
      );
      if (rows.length > 0) await tx.sessionLabel.createMany({ data: rows });
    }
    // Touch updatedAt even when only labels changed.
    return tx.session.update({ where: { id: session.id }, data: { ...data, updatedAt: new Date() } });
  });
}

/** archiveSession / unarchiveSession: idempotent and reversible (SES-ARC-002); frozen sessions too. */
export function setArchived(prisma: PrismaClient, access: WorkspaceAccess, idOrPrefix: string, archived: boolean): Promise<Session> {
  return withLockedSession(prisma, access, idOrPrefix, archived ? 'archive' : 'unarchive', async (tx, session) => {
    if ((session.archivedAt !== null) === archived) return session;
    return tx.session.update({ where: { id: session.id }, data: { archivedAt: archived ? new Date() : null } });
  });
}

/** freezeSession: terminal and idempotent; frozenAt and frozenBy (the caller's user id) are set once. */
export function freezeSession(prisma: PrismaClient, access: WorkspaceAccess, idOrPrefix: string): Promise<Session> {
  return withLockedSession(prisma, access, idOrPrefix, 'freeze', async (tx, session) => {
    if (session.frozenAt) return session;
    return tx.session.update({
      where: { id: session.id },
      data: { frozenAt: new Date(), frozenBy: access.principal.userId },
    });
  });
}

/**
 * deleteSession: removes the session with its labels and messages (foreign keys cascade). A frozen
 * session is a preserved record (evaluations freeze what they reference) and is CONFLICT.
 */
export function deleteSession(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
): Promise<{ id: string; session: Session }> {
  return withLockedSession(prisma, access, idOrPrefix, 'delete', async (tx, session) => {
    if (session.frozenAt) throw new AppError('CONFLICT', 'Session is frozen and cannot be deleted');
    await tx.session.delete({ where: { id: session.id } });
    // The row as it was: live subscribers learn who could see it.
    return { id: session.id, session };
  });
}
