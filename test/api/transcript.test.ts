import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppendTranscriptDocument, GetTranscriptDocument, SaveSessionDocument, type MessageInput } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('appendTranscript and Session.transcript', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const token = () => tenant.members[0]!.token;
  const newSession = async (messageCount = 0) => {
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', messageCount } }, token());
    return id;
  };
  const append = (id: string, messages: MessageInput[]) =>
    server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages } }, token());
  const transcript = (id: string, afterSeq?: number, first?: number) =>
    server.execute(GetTranscriptDocument, { ...ws(), id, afterSeq, first }, token());

  it('stores a batch with consecutive seq, every field round-trips, and messageCount and lastMessageAt move', async () => {
    const id = await newSession();
    const parent = randomUUID();
    const response = await append(id, [
      { id: parent, role: 'SYSTEM', content: 'You are helpful.' },
      { role: 'USER', content: 'Find the bug', parentId: parent, metadata: { client: 'tui', nested: { n: 1 } } },
      {
        role: 'ASSISTANT',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'grep', arguments: '{"q":"bug"}' }],
        usage: { inputTokens: 120, outputTokens: 30, cacheReadInputTokens: 10, cacheCreationInputTokens: 5, costUsd: 0.0025 },
      },
      { role: 'TOOL', content: 'found it', toolCallId: 'call_1' },
    ]);
    expect(response.body.errors).toBeUndefined();
    const payload = response.body.data!.appendTranscript;
    expect(payload!.lastSeq).toBe(4);
    expect(payload!.session.messageCount).toBe(4);
    expect(payload!.session.lastMessageAt).not.toBeNull();
    expect(payload!.session.usage).toMatchObject({
      totalInputTokens: 120,
      totalTokens: 165,
      totalToolCallCount: 1,
      totalCostUsd: 0.0025,
      lastGenerationInputTokens: 120,
    });

    const page = (await transcript(id)).body.data!.session!.transcript;
    expect(page!.hasMore).toBe(false);
    expect(page!.messages.map((m) => [m.seq, m.role])).toEqual([
      [1, 'SYSTEM'],
      [2, 'USER'],
      [3, 'ASSISTANT'],
      [4, 'TOOL'],
    ]);
    expect(page!.messages[0]!.id).toBe(parent);
    expect(page!.messages[1]).toMatchObject({
      parentId: parent,
      metadata: { client: 'tui', nested: { n: 1 } },
      usage: null,
      toolCalls: [],
    });
    expect(page!.messages[2]).toMatchObject({
      toolCalls: [{ callId: 'call_1', name: 'grep', arguments: '{"q":"bug"}' }],
      usage: { inputTokens: 120, outputTokens: 30, cacheReadInputTokens: 10, cacheCreationInputTokens: 5, costUsd: 0.0025 },
    });
    expect(page!.messages[3]).toMatchObject({ toolCallId: 'call_1', content: 'found it', metadata: null });
  });

  it('is idempotent on message id: a resent batch stores nothing twice and returns the same lastSeq', async () => {
    const id = await newSession();
    const batch: MessageInput[] = [
      { id: randomUUID(), role: 'USER', content: 'one' },
      { id: randomUUID(), role: 'ASSISTANT', content: 'two', usage: { inputTokens: 5, costUsd: 0.1 } },
    ];
    const first = await append(id, batch);
    const again = await append(id, batch);
    expect(again.body.data!.appendTranscript!.lastSeq).toBe(first.body.data!.appendTranscript!.lastSeq);
    expect(again.body.data!.appendTranscript!.session.messageCount).toBe(2);
    // A batch that overlaps: the known message is skipped, the new one gets the next seq.
    const overlap = await append(id, [batch[1]!, { id: randomUUID(), role: 'USER', content: 'three' }]);
    expect(overlap.body.data!.appendTranscript!.lastSeq).toBe(3);
    expect(overlap.body.data!.appendTranscript!.session.messageCount).toBe(3);
    expect(overlap.body.data!.appendTranscript!.session.usage!.totalInputTokens).toBe(5);
    expect(await server.db.database.prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(3);
  });

  it('a message id of another session is ALREADY_EXISTS; duplicate ids in a batch are BAD_USER_INPUT', async () => {
    const a = await newSession();
    const b = await newSession();
    const shared = randomUUID();
    await append(a, [{ id: shared, role: 'USER', content: 'in a' }]);
    const stolen = await append(b, [{ id: shared, role: 'USER', content: 'in b' }]);
    expect(stolen.body.errors?.[0]?.extensions.code).toBe('ALREADY_EXISTS');
    const dup = randomUUID();
    const twice = await append(b, [
      { id: dup, role: 'USER' },
      { id: dup, role: 'USER' },
    ]);
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ loc: ['input', 'messages', 1, 'id'], type: 'duplicate_id' }],
    });
    expect(await server.db.database.prisma.sessionMessage.count({ where: { sessionId: b } })).toBe(0);
  });

  it('the same new message id appended to two sessions at once: one stores it, the other is ALREADY_EXISTS', async () => {
    for (let trial = 0; trial < 10; trial += 1) {
      const [a, b] = [await newSession(), await newSession()];
      const messageId = randomUUID();
      const results = await Promise.all([a, b].map((id) => append(id, [{ id: messageId, role: 'USER', content: `to ${id}` }])));
      const codes = results.map((result) => result.body.errors?.[0]?.extensions.code ?? 'ok').sort();
      expect(codes, `trial ${trial}`).toEqual(['ALREADY_EXISTS', 'ok']);
      expect(await server.db.database.prisma.sessionMessage.count({ where: { id: messageId } })).toBe(1);
    }
  });

  it('validates the batch: empty, usage on a non-ASSISTANT message, negative or non-finite cost', async () => {
    const id = await newSession();
    const empty = await append(id, []);
    expect(empty.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ loc: ['input', 'messages'], type: 'batch_empty' }],
    });
    const invalid = await append(id, [
      { role: 'USER', usage: { inputTokens: 1 } },
      { role: 'ASSISTANT', usage: { inputTokens: 1, costUsd: -1 } },
      { role: 'TOOL', toolCalls: [{ id: '', name: 'x', arguments: '{}' }] },
    ]);
    expect(invalid.body.errors?.[0]?.extensions.errors).toEqual([
      { loc: ['input', 'messages', 0, 'usage'], msg: expect.any(String), type: 'usage_not_allowed' },
      { loc: ['input', 'messages', 1, 'usage', 'costUsd'], msg: expect.any(String), type: 'cost_invalid' },
      { loc: ['input', 'messages', 2, 'toolCalls', 0, 'id'], msg: expect.any(String), type: 'value_empty' },
    ]);
    const tooMany = await append(
      id,
      Array.from({ length: 501 }, () => ({ role: 'USER' as const })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ loc: ['input', 'messages'], type: 'too_many_items' }],
    });
    expect(await server.db.database.prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(0);
  });

  it('SES-LST-011: previewText is the first user message, first 200 characters, set once', async () => {
    const id = await newSession();
    const first = await append(id, [{ role: 'SYSTEM', content: 'system prompt' }]);
    expect(first.body.data!.appendTranscript!.session.previewText).toBeNull();
    const long = `${'🚀'.repeat(150)}${'x'.repeat(100)}`;
    const second = await append(id, [
      { role: 'ASSISTANT', content: 'hello' },
      { role: 'USER', content: long },
    ]);
    const preview = second.body.data!.appendTranscript!.session.previewText!;
    expect(Array.from(preview)).toHaveLength(200);
    expect(preview).toBe(`${'🚀'.repeat(150)}${'x'.repeat(50)}`);
    const third = await append(id, [{ role: 'USER', content: 'a later question' }]);
    expect(third.body.data!.appendTranscript!.session.previewText).toBe(preview);
  });

  it('bumps a messageCount that saveSession set, and pages in seq order with hasMore', async () => {
    const id = await newSession(3);
    const messages: MessageInput[] = Array.from({ length: 25 }, (_, i) => ({ role: i % 2 ? 'ASSISTANT' : 'USER', content: `m${i + 1}` }));
    const appended = await append(id, messages);
    expect(appended.body.data!.appendTranscript!.session.messageCount).toBe(28);
    const seen: number[] = [];
    let afterSeq: number | undefined;
    for (let guard = 0; guard < 10; guard += 1) {
      const page = (await transcript(id, afterSeq, 10)).body.data!.session!.transcript;
      seen.push(...page!.messages.map((m) => m.seq));
      if (!page!.hasMore) break;
      afterSeq = page!.messages.at(-1)!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const none = (await transcript(id, 25, 10)).body.data!.session!.transcript;
    expect(none).toEqual({ hasMore: false, messages: [] });
    const zero = (await transcript(id, 0, 0)).body.data!.session!.transcript;
    expect(zero).toEqual({ hasMore: true, messages: [] });
    const tooBig = await transcript(id, 0, 1001);
    expect(tooBig.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['first'] }] });
  });

  it('concurrent batches to one session: every message once, seq 1..n with no gap, messageCount equal', async () => {
    const id = await newSession();
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), role: 'USER' as const, content: `b${b}m${i}` })),
    );
    const results = await Promise.all(batches.map((batch) => append(id, batch)));
    for (const result of results) expect(result.body.errors).toBeUndefined();
    const rows = await server.db.database.prisma.sessionMessage.findMany({ where: { sessionId: id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.id)).size).toBe(40);
    // Each batch kept its order and stayed contiguous.
    for (const batch of batches) {
      const seqs = batch.map((m) => rows.find((r) => r.id === m.id)!.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    const session = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(session.messageCount).toBe(40);
  });
});
