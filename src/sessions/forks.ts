import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { visibleToMemberSql } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { badUserInput } from '../errors.js';
import { SESSION_COLUMNS } from './sql.js';

export const DEFAULT_FORKS_PAGE = 20;
export const MAX_FORKS_PAGE = 100;

export interface ForkPage {
  edges: { cursor: string; node: Session }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

interface ForkCursor {
  createdAt: string;
  id: string;
}

const invalid = (loc: string, msg: string) => badUserInput('Invalid forks page', [{ loc: [loc], msg, type: 'page_invalid' }]);

const encode = (session: Session): string =>
  Buffer.from(JSON.stringify({ createdAt: session.createdAt.toISOString(), id: session.id } satisfies ForkCursor)).toString('base64url');

function decode(cursor: string): ForkCursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<ForkCursor>;
    if (typeof value.createdAt === 'string' && !Number.isNaN(Date.parse(value.createdAt)) && typeof value.id === 'string') {
      if (/^[0-9a-f-]{36}$/.test(value.id)) return { createdAt: value.createdAt, id: value.id };
    }
  } catch {
    // Falls through to the error below.
  }
  throw invalid('after', 'Not a cursor of this list');
}

/**
 * Session.forks: the forks of a session that the caller can see, oldest first, forward pages by a
 * keyset cursor on (createdAt, id) over their index. Forks live in the source's workspace, so the
 * member visibility rule applies as everywhere.
 */
export async function listForks(
  prisma: PrismaClient,
  principal: Principal,
  sessionId: string,
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
): Promise<ForkPage> {
  if (args.last != null || args.before != null) throw invalid('last', 'Forks page forward only: use first and after');
  const first = args.first ?? DEFAULT_FORKS_PAGE;
  if (first < 0 || first > MAX_FORKS_PAGE) throw invalid('first', `Must be between 0 and ${MAX_FORKS_PAGE}`);
  const after = args.after ? decode(args.after) : null;
  const rows = await prisma.$queryRaw<Session[]>`
    SELECT ${SESSION_COLUMNS} FROM sessions s
     WHERE s.forked_from_id = ${sessionId}::uuid AND ${visibleToMemberSql(principal)}
       AND (${after === null} OR (s.created_at, s.id) > (${after?.createdAt ?? null}::timestamptz, ${after?.id ?? null}::uuid))
     ORDER BY s.created_at, s.id
     LIMIT ${first + 1}`;
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encode(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
