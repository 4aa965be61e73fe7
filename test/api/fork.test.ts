import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  CompactTranscriptDocument,
  DeleteSessionDocument,
  ForkSessionDocument,
  FreezeSessionDocument,
  SaveSessionDocument,
  SearchMessagesDocument,
  SessionForksDocument,
  SessionsWithMatchingMessagesDocument,
  UpdateSessionDocument,
  type MessageInput,
  type SessionVisibility,
} from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

describe('forkSession (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let other: Member;
  let reader: Member;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }, { role: 'READER' }]);
    [owner, other, reader] = tenant.members as [Member, Member, Member];
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const codeOf = (response: { body: { errors?: { extensions: { code: string } }[] } }) => response.body.errors?.[0]?.extensions.code;
  let parent = randomUUID();
  const messages = (): MessageInput[] => [
    { role: 'SYSTEM', content: 'You are helpful.' },
    { id: parent, role: 'USER', content: 'Find the flaky test' },
    {
      role: 'ASSISTANT',
      content: 'Looking',
      parentId: parent,
      toolCalls: [{ id: 'call_1', name: 'grep', arguments: '{"q":"flaky"}' }],
      usage: { inputTokens: 100, outputTokens: 10, costUsd: 0.5 },
    },
    { role: 'TOOL', content: 'test/a.test.ts', toolCallId: 'call_1' },
    { role: 'ASSISTANT', content: 'Found it', usage: { inputTokens: 300, outputTokens: 20, costUsd: 1.5 } },
  ];
  const source = async (visibility: SessionVisibility = 'WORKSPACE') => {
    const id = randomUUID();
    const labels = [{ key: 'team', values: ['infra', 'ci'] }];
    parent = randomUUID();
    await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: 'gpt-4o', agent: 'coder', title: 'Source', visibility, labels } },
      owner.token,
    );
    const appended = await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: messages() } }, owner.token);
    expect(appended.body.errors).toBeUndefined();
    return id;
  };
  const fork = (id: string, atSeq: number, by: Member = other, newId = randomUUID(), title?: string) =>
    server.execute(ForkSessionDocument, { ...ws(), id, input: { atSeq, newId, ...(title === undefined ? {} : { title }) } }, by.token);

  it('copies the messages up to atSeq with new ids and remapped parents, the labels, a usage rollup of its own and the lineage', async () => {
    const id = await source();
    const newId = randomUUID();
    const response = await fork(id.slice(0, 8), 4, other, newId);
    expect(response.body.errors).toBeUndefined();
    const copy = response.body.data!.forkSession!;
    expect(copy).toMatchObject({
      id: newId,
      title: 'Source',
      model: 'gpt-4o',
      agent: 'coder',
      visibility: 'PRIVATE',
      origin: 'USER',
      userId: other.userId,
      messageCount: 4,
      currentMessageCount: 4,
      compactedUpToSeq: 0,
      previewText: 'Find the flaky test',
      labels: [{ key: 'team', values: ['ci', 'infra'] }],
      forkedFrom: { seq: 4, session: { id } },
    });
    // Only the copied generation counts: 100 in, 10 out, $0.5; the source keeps both.
    expect(copy.usage).toMatchObject({
      totalInputTokens: 100,
      totalTokens: 110,
      totalToolCallCount: 1,
      totalCostUsd: 0.5,
      lastGenerationInputTokens: 100,
    });
    const copied = copy.transcript!.messages;
    expect(copied.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, 'SYSTEM', 'You are helpful.'],
      [2, 'USER', 'Find the flaky test'],
      [3, 'ASSISTANT', 'Looking'],
      [4, 'TOOL', 'test/a.test.ts'],
    ]);
    expect(copied[1]!.id).not.toBe(parent);
    expect(copied[2]!.parentId).toBe(copied[1]!.id);
    expect(copied[3]!.toolCallId).toBe('call_1');

    const forks = await server.execute(SessionForksDocument, { ...ws(), id }, other.token);
    expect(forks.body.data!.session!.forks!.nodes.map((n) => n.id)).toEqual([newId]);
    // The fork is PRIVATE: the source's owner does not see it among the forks.
    const ownerView = await server.execute(SessionForksDocument, { ...ws(), id }, owner.token);
    expect(ownerView.body.data!.session!.forks!.nodes).toEqual([]);
  });

  it('a repeated fork returns the same session; another existing newId is ALREADY_EXISTS; a title may be given', async () => {
    const id = await source();
    const newId = randomUUID();
    const first = await fork(id, 2, other, newId, 'Mine');
    expect(first.body.data!.forkSession).toMatchObject({ id: newId, title: 'Mine', messageCount: 2 });
    const again = await fork(id, 2, other, newId, 'Mine');
    expect(again.body.data!.forkSession!.id).toBe(newId);
    expect(codeOf(await fork(id, 3, other, newId))).toBe('ALREADY_EXISTS');
    expect(codeOf(await fork(id, 2, owner, newId))).toBe('ALREADY_EXISTS');
    expect(codeOf(await fork(id, 2, other, id))).toBe('ALREADY_EXISTS');
  });

  it('the source’s visibility applies, readers cannot fork, atSeq is bounded; a frozen source can be forked and 0 copies nothing', async () => {
    const hidden = await source('PRIVATE');
    expect(codeOf(await fork(hidden, 1, other))).toBe('NOT_FOUND');
    expect(codeOf(await fork(hidden, 1, reader))).toBe('FORBIDDEN');
    const id = await source();
    const tooFar = await fork(id, 6);
    expect(codeOf(tooFar)).toBe('BAD_USER_INPUT');
    expect(tooFar.body.errors![0]!.extensions.errors![0]!.loc).toEqual(['input', 'atSeq']);
    await server.execute(FreezeSessionDocument, { ...ws(), id }, owner.token);
    const empty = await fork(id, 0);
    expect(empty.body.data!.forkSession).toMatchObject({
      messageCount: 0,
      previewText: null,
      forkedFrom: { seq: 0 },
      transcript: { messages: [] },
    });
    expect(empty.body.data!.forkSession!.usage).toMatchObject({ totalTokens: 0, lastGenerationInputTokens: null });
  });

  it('keeps the compaction state as it stood at atSeq', async () => {
    const id = await source();
    const compacted = await server.execute(
      CompactTranscriptDocument,
      { ...ws(), id, input: { upToSeq: 3, summary: { role: 'ASSISTANT', content: 'Summary of 1-3' } } },
      owner.token,
    );
    expect(compacted.body.data!.compactTranscript!.summarySeq).toBe(6);
    const after = await fork(id, 6);
    expect(after.body.data!.forkSession).toMatchObject({ compactedUpToSeq: 3, currentMessageCount: 3, messageCount: 6 });
    expect(after.body.data!.forkSession!.transcript!.messages.map((m) => m.compacted)).toEqual([true, true, true, false, false, false]);
    expect(after.body.data!.forkSession!.transcript!.messages[5]!.compactionUpToSeq).toBe(3);
    const before = await fork(id, 5);
    expect(before.body.data!.forkSession).toMatchObject({ compactedUpToSeq: 0, currentMessageCount: 5 });
  });

  it('pages the forks; a hidden or deleted source leaves the lineage’s seq with a null session', async () => {
    const id = await source();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const newId of ids) expect((await fork(id, 1, owner, newId)).body.errors).toBeUndefined();
    const page1 = await server.execute(SessionForksDocument, { ...ws(), id, first: 2 }, owner.token);
    const forks1 = page1.body.data!.session!.forks!;
    expect(forks1.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.execute(SessionForksDocument, { ...ws(), id, first: 2, after: forks1.pageInfo.endCursor }, owner.token);
    const forks2 = page2.body.data!.session!.forks!;
    expect(forks2.pageInfo.hasNextPage).toBe(false);
    expect([...forks1.nodes, ...forks2.nodes].map((n) => n.id).sort()).toEqual([...ids].sort());
    expect(codeOf(await server.execute(SessionForksDocument, { ...ws(), id, after: 'nope' }, owner.token))).toBe('BAD_USER_INPUT');

    const theirs = randomUUID();
    await fork(id, 2, other, theirs);
    await server.execute(UpdateSessionDocument, { ...ws(), id, input: { visibility: 'PRIVATE' } }, owner.token);
    const hidden = await server.execute(SessionForksDocument, { ...ws(), id: theirs }, other.token);
    expect(hidden.body.data!.session!.forkedFrom).toEqual({ seq: 2, session: null });
    expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, owner.token))).toBeUndefined();
    const gone = await server.execute(SessionForksDocument, { ...ws(), id: theirs }, other.token);
    expect(gone.body.data!.session!.forkedFrom).toEqual({ seq: 2, session: null });
    const orphan = await fork(theirs, 1, other);
    expect(orphan.body.data!.forkSession!.forkedFrom).toEqual({ seq: 1, session: { id: theirs } });
  });

  it('the message search finds a fork’s copies (and copies of copies) through their first-hand messages, also once the source is deleted', async () => {
    const word = `needle${randomUUID().replaceAll('-', '')}`;
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', visibility: 'WORKSPACE' } }, owner.token);
    const contents = ['an opening line', `the ${word} is here`, 'a closing line'];
    await server.execute(
      AppendTranscriptDocument,
      { ...ws(), id, input: { messages: contents.map((content) => ({ role: 'USER' as const, content })) } },
      owner.token,
    );
    const [first, second, early] = [randomUUID(), randomUUID(), randomUUID()];
    expect((await fork(id, 3, other, first)).body.errors).toBeUndefined();
    expect((await fork(first, 2, other, second)).body.errors).toBeUndefined();
    expect((await fork(id, 1, other, early)).body.errors).toBeUndefined();

    const hits = async (by: Member) => {
      const response = await server.execute(SearchMessagesDocument, { ...ws(), query: word }, by.token);
      expect(response.body.errors).toBeUndefined();
      return response.body
        .data!.searchMessages!.nodes.map((n) => [n.session!.id, n.message.seq, n.snippet.includes(`<mark>${word}</mark>`)])
        .sort();
    };
    const sessionsMatching = async (by: Member) => {
      const response = await server.execute(SessionsWithMatchingMessagesDocument, { ...ws(), messageSearch: word }, by.token);
      return response.body.data!.sessions!.nodes.map((n) => n.id).sort();
    };
    // The forks are PRIVATE to their maker; the one cut before the match holds no copy of it.
    expect(await hits(other)).toEqual(
      [
        [id, 2, true],
        [first, 2, true],
        [second, 2, true],
      ].sort(),
    );
    expect(await hits(owner)).toEqual([[id, 2, true]]);
    expect(await sessionsMatching(other)).toEqual([id, first, second].sort());

    // Deleting the first-hand messages hands their place in the index to the copies.
    expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, owner.token))).toBeUndefined();
    expect(await hits(other)).toEqual(
      [
        [first, 2, true],
        [second, 2, true],
      ].sort(),
    );
    expect(await sessionsMatching(other)).toEqual([first, second].sort());
    const [row] = await server.db.database.prisma.$queryRaw<{ copies: number }[]>`
      SELECT count(*)::int AS copies FROM session_messages WHERE session_id IN (${first}::uuid, ${second}::uuid, ${early}::uuid) AND copy_of_id IS NOT NULL`;
    expect(row?.copies).toBe(0);
    expect((await server.execute(DeleteSessionDocument, { ...ws(), id: first }, other.token)).body.errors).toBeUndefined();
    expect(await hits(other)).toEqual([[second, 2, true]]);
  });
});
