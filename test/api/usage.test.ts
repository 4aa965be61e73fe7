import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MessageRole } from '../../src/generated/prisma/enums.js';
import { GetSessionDocument, ListSessionsWithLazyFieldsDocument, SaveSessionDocument } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

interface MessageSpec {
  role: MessageRole;
  usage?: { input: number; output: number; cacheRead?: number; cacheCreation?: number; cost: string | null };
  toolCalls?: number;
}

describe('Session.usage from messages inserted directly through Prisma', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
  });

  async function sessionWith(messages: MessageSpec[]): Promise<string> {
    const id = randomUUID();
    const saved = await server.execute(
      SaveSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, input: { id, model: 'm', visibility: 'WORKSPACE' } },
      tenant.members[0]!.token,
    );
    expect(saved.body.errors).toBeUndefined();
    await server.db.database.prisma.sessionMessage.createMany({
      data: messages.map((m, i) => ({
        id: randomUUID(),
        sessionId: id,
        seq: i + 1,
        role: m.role,
        content: `message ${i}`,
        toolCalls: Array.from({ length: m.toolCalls ?? 0 }, (_, j) => ({ id: `call_${i}_${j}`, name: 'grep', arguments: '{}' })),
        ...(m.usage
          ? {
              inputTokens: m.usage.input,
              outputTokens: m.usage.output,
              cacheReadInputTokens: m.usage.cacheRead ?? 0,
              cacheCreationInputTokens: m.usage.cacheCreation ?? 0,
              costUsd: m.usage.cost,
            }
          : {}),
      })),
    });
    return id;
  }

  const usageOf = async (id: string) => {
    const response = await server.execute(
      GetSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, id },
      tenant.members[0]!.token,
    );
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.session!.usage;
  };

  it('no messages: zeros, cost 0, no last generation', async () => {
    expect(await usageOf(await sessionWith([]))).toEqual({
      totalInputTokens: 0,
      totalOutputTokens: 0,
      totalCacheReadInputTokens: 0,
      totalCacheCreationInputTokens: 0,
      totalTokens: 0,
      totalToolCallCount: 0,
      totalCostUsd: 0,
      lastGenerationInputTokens: null,
    });
  });

  it('messages but no generation yet: zeros and lastGenerationInputTokens null', async () => {
    const usage = await usageOf(await sessionWith([{ role: 'USER' }, { role: 'SYSTEM' }]));
    expect(usage!.totalTokens).toBe(0);
    expect(usage!.totalCostUsd).toBe(0);
    expect(usage!.lastGenerationInputTokens).toBeNull();
  });

  it('sums every bucket, counts tool calls and takes the input of the most recent generation', async () => {
    const id = await sessionWith([
      { role: 'USER' },
      { role: 'ASSISTANT', usage: { input: 100, output: 20, cacheRead: 5, cacheCreation: 7, cost: '0.1' }, toolCalls: 2 },
      { role: 'TOOL' },
      { role: 'ASSISTANT', usage: { input: 300, output: 40, cacheRead: 50, cacheCreation: 0, cost: '0.2' }, toolCalls: 1 },
      { role: 'USER' },
    ]);
    expect(await usageOf(id)).toEqual({
      totalInputTokens: 400,
      totalOutputTokens: 60,
      totalCacheReadInputTokens: 55,
      totalCacheCreationInputTokens: 7,
      totalTokens: 400 + 60 + 55 + 7,
      totalToolCallCount: 3,
      // Summed as exact decimals in SQL: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
      totalCostUsd: 0.3,
      lastGenerationInputTokens: 300,
    });
  });

  it('totalCostUsd is null as soon as one generation has no cost', async () => {
    const id = await sessionWith([
      { role: 'ASSISTANT', usage: { input: 10, output: 1, cost: '0.5' } },
      { role: 'ASSISTANT', usage: { input: 20, output: 2, cost: null } },
      { role: 'ASSISTANT', usage: { input: 30, output: 3, cost: '0.5' } },
    ]);
    const usage = await usageOf(id);
    expect(usage!.totalCostUsd).toBeNull();
    expect(usage!.totalInputTokens).toBe(60);
    expect(usage!.lastGenerationInputTokens).toBe(30);
  });

  it('the last generation is the highest seq, even with later non-generation messages', async () => {
    const id = await sessionWith([
      { role: 'ASSISTANT', usage: { input: 999, output: 1, cost: '0' } },
      { role: 'ASSISTANT', usage: { input: 42, output: 1, cost: '0' } },
      { role: 'TOOL', toolCalls: 0 },
      { role: 'USER' },
    ]);
    expect((await usageOf(id))!.lastGenerationInputTokens).toBe(42);
  });

  it('in a list each session gets its own usage (batched, not mixed up)', async () => {
    const t = await createTenant(server.db.database.prisma);
    const token = t.members[0]!.token;
    const expected = new Map<string, number>();
    for (let i = 1; i <= 5; i += 1) {
      const id = randomUUID();
      await server.execute(SaveSessionDocument, { org: t.org, workspace: t.workspace, input: { id, model: 'm' } }, token);
      await server.db.database.prisma.sessionMessage.createMany({
        data: Array.from({ length: i }, (_, j) => ({
          id: randomUUID(),
          sessionId: id,
          seq: j + 1,
          role: 'ASSISTANT' as const,
          inputTokens: 10,
          outputTokens: 0,
          cacheReadInputTokens: 0,
          cacheCreationInputTokens: 0,
          costUsd: '0.01',
        })),
      });
      expected.set(id, i * 10);
    }
    const response = await server.execute(ListSessionsWithLazyFieldsDocument, { org: t.org, workspace: t.workspace, first: 10 }, token);
    const nodes = response.body.data!.sessions!.nodes;
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect(node.usage!.totalInputTokens).toBe(expected.get(node.id));
      expect(node.usage!.totalCostUsd).toBeCloseTo(expected.get(node.id)! / 1000, 10);
    }
  });
});
