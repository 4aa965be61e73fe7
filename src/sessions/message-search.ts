import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { visibleSessionsSql, type WorkspaceAccess } from '../auth/access.js';
import { badUserInput } from '../errors.js';
import { boundedSearch, tsQueryOf, type Term } from './search.js';
import { MESSAGE_COLUMNS, type StoredMessage } from './transcript-read.js';

/**
 * Search inside messages (docs/api.md, Search inside messages): the messages of the sessions the
 * caller can see whose content matches a query in the session search's syntax, ranked, with a
 * highlighted snippet. Full-text over the GIN index of migration 20261202030000_transcripts; the
 * document expression below must stay exactly the index's.
 */

export const DEFAULT_MESSAGE_SEARCH_PAGE = 20;
export const MAX_MESSAGE_SEARCH_PAGE = 100;
/**
 * At most this many matching messages are ranked: a word that half of all messages hold would
 * otherwise make every query rank hundreds of thousands of rows. Past it, pages end
 * (`rankedCount` says how many were ranked); narrow the query to reach the others.
 */
export const MAX_RANKED_MESSAGES = 1000;
/** Characters of content a message's document covers (the index's expression). */
export const MESSAGE_DOCUMENT_LENGTH = 100_000;

/** The indexed document of `session_messages o`: keep it identical to the index's expression. */
const MESSAGE_DOCUMENT = Prisma.sql`to_tsvector('simple'::regconfig, left(o.content, 100000))`;

/**
 * The messages whose content matches, ranked, as a derived table of `(id, session_id, seq, rank)`.
 * The index holds first-hand messages only (a fork's copies name theirs in `copy_of_id`,
 * migration 20261202070000_fork_copies_share_search): each first-hand match brings its copies
 * along, ranked as it is (their content is the same). Row by row, so a LIMIT above it stops the
 * index scan early.
 */
function matchingMessages(tsquery: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(
    SELECT x.id, x.session_id, x.seq, ts_rank(${MESSAGE_DOCUMENT}, ${tsquery}) AS rank
      FROM session_messages o
     CROSS JOIN LATERAL (
       SELECT o.id, o.session_id, o.seq
       UNION ALL
       SELECT c.id, c.session_id, c.seq FROM session_messages c WHERE c.copy_of_id = o.id
     ) AS x
     WHERE ${MESSAGE_DOCUMENT} @@ ${tsquery} AND o.copy_of_id IS NULL)`;
}

export interface MessageHit {
  message: StoredMessage;
  sessionId: string;
  rank: number;
  snippet: string;
}

export interface MessageHitPage {
  edges: { cursor: string; node: MessageHit }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  rankedCount: number;
}

const invalid = (loc: string | (string | number)[], msg: string, type: string) =>
  badUserInput('Invalid message search', [{ loc: typeof loc === 'string' ? [loc] : loc, msg, type }]);

/** Each OR-group needs a word to look up: a query of only exclusions would read every message. */
const hasPositiveTerm = (group: Term[]) => group.some((term) => !term.negated);

/** The message search's tsquery, or BAD_USER_INPUT when the query has nothing the index can find. */
export function messageSearchQuery(raw: string, loc: (string | number)[]): Prisma.Sql {
  const query = raw.trim();
  const groups = boundedSearch(query, loc);
  if (groups.length === 0 || !groups.every(hasPositiveTerm)) {
    throw invalid(loc, 'Needs at least one word of 3 or more characters to look for (in each "or" alternative)', 'search_no_word');
  }
  return tsQueryOf(groups);
}

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^o:(\d{1,4})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = match ? Number(match[1]) : NaN;
  if (!(offset >= 0 && offset < MAX_RANKED_MESSAGES)) throw invalid('after', 'Not a cursor of this search', 'cursor_invalid');
  return offset + 1;
}

/**
 * One statement: the visible matches (at most MAX_RANKED_MESSAGES, from the index), ranked by
 * ts_rank and then by session and seq so the order is total, and the page's snippets by
 * ts_headline (computed for the page's rows only). Cursors are positions in that order.
 */
export async function searchMessages(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  query: string,
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
): Promise<MessageHitPage> {
  if (args.last != null || args.before != null) throw invalid('last', 'The search pages forward only: use first and after', 'page_invalid');
  const first = args.first ?? DEFAULT_MESSAGE_SEARCH_PAGE;
  if (first < 0 || first > MAX_MESSAGE_SEARCH_PAGE) throw invalid('first', `Must be between 0 and ${MAX_MESSAGE_SEARCH_PAGE}`, 'page_size');
  const tsquery = messageSearchQuery(query, ['query']);
  const offset = args.after ? decodeCursor(args.after) : 0;

  const rows = await prisma.$queryRaw<(StoredMessage & { rank: number; snippet: string; ranked: number })[]>`
    WITH matches AS MATERIALIZED (
      SELECT h.id, h.session_id, h.seq, h.rank
        FROM ${matchingMessages(tsquery)} h JOIN sessions s ON s.id = h.session_id
       WHERE ${visibleSessionsSql(access)}
       LIMIT ${MAX_RANKED_MESSAGES}
    ),
    ranked AS (
      SELECT id, rank, count(*) OVER () AS ranked FROM matches
       ORDER BY rank DESC, session_id, seq
       LIMIT ${first + 1} OFFSET ${offset}
    )
    SELECT ${MESSAGE_COLUMNS}, r.rank::float8 AS "rank", r.ranked::int AS "ranked",
           ts_headline('simple', left(m.content, ${MESSAGE_DOCUMENT_LENGTH}), ${tsquery},
                       'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "') AS "snippet"
      FROM ranked r JOIN session_messages m ON m.id = r.id JOIN sessions s ON s.id = m.session_id
     ORDER BY r.rank DESC, m.session_id, m.seq`;

  const page = rows.slice(0, first);
  const edges = page.map(({ rank, snippet, ranked: _ranked, ...message }, i) => ({
    cursor: encodeCursor(offset + i),
    node: { message, sessionId: message.sessionId, rank, snippet },
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    rankedCount: rows[0]?.ranked ?? 0,
  };
}

/**
 * The SessionFilter condition over `sessions s`: sessions with a message that matches. The
 * matching messages come from the index, so the session list pays for the query's matches.
 */
export function messageSearchCondition(search: string | null | undefined): Prisma.Sql | null {
  if (search == null || search.trim() === '') return null;
  const tsquery = messageSearchQuery(search, ['filter', 'messageSearch']);
  return Prisma.sql`s.id IN (SELECT h.session_id FROM ${matchingMessages(tsquery)} h)`;
}
