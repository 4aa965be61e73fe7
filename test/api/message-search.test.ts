import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  SaveSessionDocument,
  SearchMessagesDocument,
  SessionsWithMatchingMessagesDocument,
  type SessionVisibility,
} from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

describe('searchMessages and filter.messageSearch (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let other: Member;
  const ids = { shared: randomUUID(), hidden: randomUUID(), otherWorkspace: randomUUID() };

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const codeOf = (response: { body: { errors?: { extensions: { code: string } }[] } }) => response.body.errors?.[0]?.extensions.code;
  const session = async (id: string, visibility: SessionVisibility, contents: string[], title: string, at = tenant, by = owner) => {
    await server.execute(
      SaveSessionDocument,
      { org: at.org, workspace: at.workspace, input: { id, model: 'm', title, visibility } },
      by.token,
    );
    const messages = contents.map((content) => ({ role: 'USER' as const, content }));
    const response = await server.execute(
      AppendTranscriptDocument,
      { org: at.org, workspace: at.workspace, id, input: { messages } },
      by.token,
    );
    expect(response.body.errors).toBeUndefined();
  };
  const search = (query: string, by: Member = other, first?: number, after?: string | null) =>
    server.execute(SearchMessagesDocument, { ...ws(), query, first, after }, by.token);

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'READER' }]);
    [owner, other] = tenant.members as [Member, Member];
    await session(
      ids.shared,
      'WORKSPACE',
      [
        'The build is flaky on the second run',
        'Flaky flaky flaky: the flaky build again, a flaky cache',
        'Release notes for version 2',
        'The cache key includes a timestamp',
      ],
      'Shared',
    );
    await session(ids.hidden, 'PRIVATE', ['A private flaky build'], 'Hidden');
    const elsewhere = await createTenant(server.db.database.prisma);
    await session(ids.otherWorkspace, 'WORKSPACE', ['flaky build elsewhere'], 'Elsewhere', elsewhere, elsewhere.members[0]);
  });

  it('finds the matching messages of visible sessions, ranked, with the session, seq and a highlighted snippet', async () => {
    const response = await search('flaky build');
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data!.searchMessages!;
    expect(result.rankedCount).toBe(2);
    expect(result.nodes.map((n) => [n.session!.id, n.message.seq])).toEqual([
      [ids.shared, 2],
      [ids.shared, 1],
    ]);
    expect(result.nodes[0]!.rank).toBeGreaterThan(result.nodes[1]!.rank);
    expect(result.nodes[1]!.snippet).toContain('<mark>flaky</mark>');
    expect(result.nodes[1]!.snippet).toContain('<mark>build</mark>');
    expect(result.nodes[0]!.session!.title).toBe('Shared');
    // The owner also sees their private session's message; nobody sees another workspace's.
    const mine = (await search('flaky build', owner)).body.data!.searchMessages!;
    expect(mine.nodes.map((n) => n.session!.id).sort()).toEqual([ids.hidden, ids.shared, ids.shared].sort());
  });

  it('speaks the session search’s syntax: phrases, or, -exclusion', async () => {
    const seqs = async (query: string) => (await search(query)).body.data!.searchMessages!.nodes.map((n) => n.message.seq).sort();
    expect(await seqs('"flaky build"')).toEqual([2]);
    expect(await seqs('release or timestamp')).toEqual([3, 4]);
    expect(await seqs('flaky -cache')).toEqual([1]);
    expect(await seqs('FLAKY second')).toEqual([1]);
  });

  it('pages forward with cursors', async () => {
    const first = (await search('flaky', other, 1)).body.data!.searchMessages!;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await search('flaky', other, 1, first.pageInfo.endCursor)).body.data!.searchMessages!;
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect([...first.nodes, ...second.nodes].map((n) => n.message.seq)).toEqual([2, 1]);
    expect(codeOf(await search('flaky', other, 1, 'bm9wZQ'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await search('flaky', other, 101))).toBe('BAD_USER_INPUT');
  });

  it('bounds the input: too long, too many terms, or nothing to look up is BAD_USER_INPUT at query', async () => {
    for (const query of [
      'x'.repeat(257),
      Array.from({ length: 33 }, (_, i) => `w${i}xx`).join(' '),
      'ab',
      '-flaky',
      '!!!',
      'flaky or -cache',
    ]) {
      const response = await search(query);
      expect(codeOf(response), query.slice(0, 20)).toBe('BAD_USER_INPUT');
      expect(response.body.errors![0]!.extensions.errors![0]!.loc).toEqual(['query']);
    }
  });

  it('filter.messageSearch lists the visible sessions that have a matching message', async () => {
    const list = async (messageSearch: string, by: Member) =>
      (await server.execute(SessionsWithMatchingMessagesDocument, { ...ws(), messageSearch }, by.token)).body.data!.sessions!;
    expect((await list('flaky', other)).nodes.map((n) => n.id)).toEqual([ids.shared]);
    expect((await list('flaky', owner)).totalCount).toBe(2);
    expect((await list('timestamp', owner)).nodes.map((n) => n.id)).toEqual([ids.shared]);
    expect((await list('nowhere', owner)).totalCount).toBe(0);
    const bad = await server.execute(SessionsWithMatchingMessagesDocument, { ...ws(), messageSearch: '-x' }, owner.token);
    expect(bad.body.errors![0]!.extensions.errors![0]!.loc).toEqual(['filter', 'messageSearch']);
  });

  it('reads the matches off the GIN index of message contents (sequential scans priced out, not forbidden)', async () => {
    const { db } = server;
    // A workspace big enough that walking its sessions' transcripts costs more than the index.
    const prisma = db.database.prisma;
    const sessions = Array.from({ length: 200 }, () => randomUUID());
    await prisma.session.createMany({
      data: sessions.map((id) => ({ id, workspaceId: tenant.workspaceId, userId: owner.userId, visibility: 'WORKSPACE' as const })),
    });
    await prisma.sessionMessage.createMany({
      data: sessions.flatMap((sessionId, i) =>
        Array.from({ length: 10 }, (_, seq) => ({
          id: randomUUID(),
          sessionId,
          seq: seq + 1,
          role: 'USER' as const,
          content: `filler ${i} ${seq} words`,
        })),
      ),
    });
    // ANALYZE samples 300 rows per unit of statistics target from the whole table, computing the
    // search index's expression for each; on the PostgreSQL CI database that table holds every
    // test file's messages, and at the default target (100) it once ran past the statement
    // timeout. A target of 10 still tells the planner that a rare word is rare.
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL default_statistics_target = 10');
      await tx.$executeRawUnsafe('ANALYZE session_messages');
      await tx.$executeRawUnsafe('ANALYZE sessions');
    });
    const from = db.statements.length;
    expect((await search('flaky build')).body.errors).toBeUndefined();
    const index = db.statements.slice(from).findIndex((sql) => sql.includes('ts_headline'));
    expect(index).toBeGreaterThanOrEqual(0);
    const rows = await db.database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      const params = JSON.parse(db.parameters[from + index]!) as unknown[];
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${db.statements[from + index]!}`, ...params);
    });
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Bitmap Index Scan on session_messages_content_search_idx/);
    expect(plan).not.toMatch(/Seq Scan on session_messages/);
  });
});
