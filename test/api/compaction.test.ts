import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  CompactedTranscriptDocument,
  CompactTranscriptDocument,
  FreezeSessionDocument,
  SaveSessionDocument,
  type MessageInput,
} from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

describe('compactTranscript (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let admin: Member;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'ADMIN' }]);
    [owner, admin] = tenant.members as [Member, Member];
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const codeOf = (response: { body: { errors?: { extensions: { code: string } }[] } }) => response.body.errors?.[0]?.extensions.code;
  const generation = (n: number): MessageInput => ({
    role: 'ASSISTANT',
    content: `answer ${n}`,
    usage: { inputTokens: n * 100, outputTokens: n, costUsd: n },
  });
  const session = async (count = 5) => {
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', visibility: 'WORKSPACE' } }, owner.token);
    const messages = Array.from({ length: count }, (_, i) =>
      i % 2 === 0 ? { role: 'USER' as const, content: `question ${i + 1}` } : generation(i + 1),
    );
    expect((await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages } }, owner.token)).body.errors).toBeUndefined();
    return id;
  };
  const compact = (id: string, upToSeq: number, summary: MessageInput = { role: 'ASSISTANT', content: 'summary' }, by: Member = owner) =>
    server.execute(CompactTranscriptDocument, { ...ws(), id, input: { upToSeq, summary } }, by.token);
  const read = (id: string, includeCompacted?: boolean, afterSeq?: number, first?: number) =>
    server.execute(CompactedTranscriptDocument, { ...ws(), id, includeCompacted, afterSeq, first }, owner.token);

  it('stores the summary as the next message, hides the compacted ones unless asked, keeps them counted and their usage', async () => {
    const id = await session();
    const response = await compact(id, 3, { ...generation(7), content: 'summary of 1-3' });
    expect(response.body.errors).toBeUndefined();
    const payload = response.body.data!.compactTranscript!;
    expect(payload.summarySeq).toBe(6);
    // Usage keeps every generation ever made: seq 2 (200), seq 4 (400) and the summary's (700).
    expect(payload.session).toMatchObject({ compactedUpToSeq: 3, messageCount: 6, currentMessageCount: 3 });
    expect(payload.session.usage).toMatchObject({ totalInputTokens: 1300, totalCostUsd: 13, lastGenerationInputTokens: 700 });

    const current = (await read(id)).body.data!.session!;
    expect(current.transcript!.messages.map((m) => [m.seq, m.compacted, m.compactionUpToSeq])).toEqual([
      [4, false, null],
      [5, false, null],
      [6, false, 3],
    ]);
    const all = (await read(id, true)).body.data!.session!.transcript!.messages;
    expect(all.map((m) => [m.seq, m.compacted])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
      [6, false],
    ]);
    // afterSeq pages inside the current era; below the mark it starts at the mark.
    const page = (await read(id, false, 1, 2)).body.data!.session!.transcript!;
    expect(page.messages.map((m) => m.seq)).toEqual([4, 5]);
    expect(page.hasMore).toBe(true);
  });

  it('moves only forward: up to a compacted seq is ALREADY_EXISTS (also a resent compaction); covering the summary compacts it too', async () => {
    const id = await session();
    expect((await compact(id, 3)).body.errors).toBeUndefined();
    expect(codeOf(await compact(id, 3))).toBe('ALREADY_EXISTS');
    expect(codeOf(await compact(id, 2))).toBe('ALREADY_EXISTS');
    const second = await compact(id, 6, { role: 'SYSTEM', content: 'summary of 1-6' });
    expect(second.body.data!.compactTranscript).toMatchObject({
      summarySeq: 7,
      session: { compactedUpToSeq: 6, messageCount: 7, currentMessageCount: 1 },
    });
    expect((await read(id)).body.data!.session!.transcript!.messages.map((m) => [m.seq, m.compactionUpToSeq])).toEqual([[7, 6]]);
  });

  it('refuses a seq out of range, a bad summary, a frozen session (CONFLICT) and anyone but the owner', async () => {
    const id = await session();
    for (const upToSeq of [0, 6]) {
      const response = await compact(id, upToSeq);
      expect(codeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.body.errors![0]!.extensions.errors![0]!.loc).toEqual(['input', 'upToSeq']);
    }
    const [stored] = await server.db.database.prisma.sessionMessage.findMany({ where: { sessionId: id }, take: 1 });
    const reused = await compact(id, 2, { id: stored!.id, role: 'ASSISTANT', content: 'summary' });
    expect(codeOf(reused)).toBe('ALREADY_EXISTS');
    expect(reused.body.errors![0]!.message).toBe(`Message id ${stored!.id} is already stored`);
    const usageOnUser = await compact(id, 2, { role: 'USER', content: 's', usage: { inputTokens: 1 } });
    expect(usageOnUser.body.errors![0]!.extensions.errors![0]!.loc).toEqual(['input', 'summary', 'usage']);
    expect(codeOf(await compact(id, 2, undefined, admin))).toBe('FORBIDDEN');
    await server.execute(FreezeSessionDocument, { ...ws(), id }, owner.token);
    expect(codeOf(await compact(id, 2))).toBe('CONFLICT');
    expect((await read(id)).body.data!.session!.compactedUpToSeq).toBe(0);
  });

  it('runs under the row lock: concurrent appends and a compaction leave consecutive seqs and one summary', async () => {
    const id = await session(2);
    const appends = Array.from({ length: 4 }, (_, i) =>
      server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER', content: `more ${i}` }] } }, owner.token),
    );
    const [compaction, ...appended] = await Promise.all([compact(id, 2), ...appends]);
    expect(compaction.body.errors).toBeUndefined();
    for (const response of appended) expect(response.body.errors).toBeUndefined();
    const all = (await read(id, true)).body.data!.session!;
    expect(all.transcript!.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all.transcript!.messages.filter((m) => m.compactionUpToSeq === 2)).toHaveLength(1);
    expect(all).toMatchObject({ messageCount: 7, currentMessageCount: 5, compactedUpToSeq: 2 });
  });
});
