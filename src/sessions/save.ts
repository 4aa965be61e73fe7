import type { PrismaClient, Session } from '../generated/prisma/client.js';
import type { SessionOrigin, SessionVisibility } from '../generated/prisma/enums.js';
import { AppError, badUserInput, type ValidationItem } from '../errors.js';
import { requireOriginAllowed, requireWriter, type WorkspaceAccess } from '../auth/access.js';
import { normalizeLabels, validateLabels, type Label } from './labels.js';
import { lockSession } from './session-lock.js';
import { validateText } from './input-rules.js';

export interface SaveSessionInput {
  id: string;
  model: string;
  messageCount?: number | null;
  agent?: string | null;
  title?: string | null;
  labels?: Label[] | null;
  origin?: SessionOrigin | null;
  visibility?: SessionVisibility | null;
  projectId?: string | null;
  runtimeId?: string | null;
  groupId?: string | null;
}

function validate(input: SaveSessionInput): void {
  const items: ValidationItem[] = [
    ...validateText(input.model, ['input', 'model'], { required: true }),
    ...validateText(input.agent, ['input', 'agent']),
    ...validateText(input.title, ['input', 'title'], { max: 1000 }),
    ...(input.labels ? validateLabels(input.labels, ['input', 'labels']) : []),
  ];
  if (items.length > 0) throw badUserInput('Invalid session input', items);
}

/**
 * saveSession (docs/api.md, Save): a new id creates the session owned by the caller; the owner saving
 * again in the same workspace is a retry that updates messageCount, model, agent and title; any
 * other existing id is ALREADY_EXISTS. The insert is `ON CONFLICT DO NOTHING`, so concurrent saves
 * of one new id leave exactly one row and every one of them then takes the retry path.
 */
export async function saveSession(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  input: SaveSessionInput,
): Promise<{ session: Session; created: boolean }> {
  requireWriter(access);
  const origin = input.origin ?? 'USER';
  requireOriginAllowed(access.principal, origin);
  validate(input);
  const id = input.id.toLowerCase();
  const mutable = {
    model: input.model,
    messageCount: input.messageCount ?? 0,
    agent: input.agent ?? null,
    title: input.title ?? null,
  };

  const created = await prisma.$transaction(async (tx) => {
    const { count } = await tx.session.createMany({
      data: [
        {
          id,
          workspaceId: access.workspaceId,
          userId: access.principal.userId,
          origin,
          visibility: input.visibility ?? 'PRIVATE',
          projectId: input.projectId ?? null,
          runtimeId: input.runtimeId ?? null,
          groupId: input.groupId ?? null,
          ...mutable,
        },
      ],
      skipDuplicates: true,
    });
    if (count === 0) return null;
    const labelRows = normalizeLabels(input.labels ?? []).flatMap((label) =>
      label.values.map((value) => ({ sessionId: id, key: label.key, value })),
    );
    if (labelRows.length > 0) await tx.sessionLabel.createMany({ data: labelRows });
    return tx.session.findUniqueOrThrow({ where: { id } });
  });
  if (created) return { session: created, created: true };

  // A retry takes the row lock like every other change, so it cannot slip past a concurrent freeze.
  const retried = await prisma.$transaction(async (tx) => {
    const existing = await lockSession(tx, id);
    const ownRetry = existing?.workspaceId === access.workspaceId && existing.userId === access.principal.userId;
    if (!existing || !ownRetry) throw new AppError('ALREADY_EXISTS', 'A session with this id already exists');
    if (existing.frozenAt) throw new AppError('CONFLICT', 'Session is frozen and cannot change');
    // The stored origin decides, whatever the retry says (it cannot change origin).
    requireOriginAllowed(access.principal, existing.origin);
    return tx.session.update({ where: { id }, data: mutable });
  });
  return { session: retried, created: false };
}
