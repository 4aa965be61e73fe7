import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { IsolationSessionViewFragment } from '../generated/graphql.js';
import type { Label, ModelSession } from './access-model.js';

/**
 * One shape for a session as the model, the API and the database each tell it, so the test
 * compares them whole: owner, place, visibility, lifecycle, searchable fields, labels, transcript.
 */
export interface SessionView {
  id: string;
  workspaceId?: string;
  userId: string | null;
  projectId: string | null;
  visibility: string;
  origin: string;
  model: string | null;
  agent: string | null;
  title: string | null;
  archived: boolean;
  frozenBy: string | null;
  labels: Label[];
  messageIds: string[];
}

export function modelView(s: ModelSession, withWorkspace = false): SessionView {
  return {
    id: s.id,
    ...(withWorkspace ? { workspaceId: s.workspaceId } : {}),
    userId: s.ownerId,
    projectId: s.projectId,
    visibility: s.visibility,
    origin: s.origin,
    model: s.model,
    agent: s.agent,
    title: s.title,
    archived: s.archived,
    frozenBy: s.frozenBy,
    labels: s.labels,
    messageIds: s.messageIds,
  };
}

export function apiView(s: IsolationSessionViewFragment): SessionView {
  return {
    id: s.id,
    userId: s.userId,
    projectId: s.projectId,
    visibility: s.visibility,
    origin: s.origin,
    model: s.model,
    agent: s.agent,
    title: s.title,
    archived: s.archivedAt !== null,
    frozenBy: s.frozenBy,
    labels: s.labels!,
    // Pages hold 50 messages and the world never has that many, so hasMore must be false.
    messageIds: s.transcript!.hasMore ? ['<more>'] : s.transcript!.messages.map((m) => m.id),
  };
}

export interface DatabaseState {
  /** Every column of every session, label and message row of the world, to prove "unchanged". */
  exact: string;
  views: SessionView[];
}

/** The world's rows as they are in the database now. */
export async function readDatabaseState(prisma: PrismaClient, workspaceIds: string[]): Promise<DatabaseState> {
  const rows = await prisma.session.findMany({
    where: { workspaceId: { in: workspaceIds } },
    include: { labels: { orderBy: [{ key: 'asc' }, { value: 'asc' }] }, messages: { orderBy: { seq: 'asc' } } },
    orderBy: { id: 'asc' },
  });
  const views = rows.map((row): SessionView => {
    const labels = new Map<string, string[]>();
    for (const label of row.labels) labels.set(label.key, [...(labels.get(label.key) ?? []), label.value]);
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      userId: row.userId,
      projectId: row.projectId,
      visibility: row.visibility,
      origin: row.origin,
      model: row.model,
      agent: row.agent,
      title: row.title,
      archived: row.archivedAt !== null,
      frozenBy: row.frozenBy,
      labels: [...labels].map(([key, values]) => ({ key, values })),
      messageIds: row.messages.map((m) => m.id),
    };
  });
  return { exact: JSON.stringify(rows), views };
}

export const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
