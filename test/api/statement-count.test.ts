import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ListSessionsWithLazyFieldsDocument, ListWithEverythingDocument, SessionFacetsDocument } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('SQL statements per sessions page', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    const prisma = server.db.database.prisma;
    // 110 sessions (more than the largest page), two owners, each with labels and a generation,
    // so every lazy field has data for every row of a page.
    const ids = Array.from({ length: 110 }, () => randomUUID());
    await prisma.session.createMany({
      data: ids.map((id, i) => ({
        id,
        workspaceId: tenant.workspaceId,
        userId: tenant.members[i % 2]!.userId,
        model: `model-${i % 3}`,
        visibility: 'WORKSPACE' as const,
        messageCount: 1,
      })),
    });
    await prisma.sessionLabel.createMany({ data: ids.map((sessionId, i) => ({ sessionId, key: 'team', value: `t${i % 4}` })) });
    await prisma.sessionMessage.createMany({
      data: ids.map((sessionId, i) => ({
        id: randomUUID(),
        sessionId,
        seq: 1,
        role: 'ASSISTANT' as const,
        inputTokens: 10 + i,
        outputTokens: 5,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        costUsd: '0.01',
      })),
    });
  });

  /** The statements of one request other than authentication's token look-up. */
  const beyondAuthentication = (statements: string[]) => statements.filter((sql) => !/\bapi_tokens\b/.test(sql));

  it('bench scenario (a): the same for first: 10 and first: 100, 2 beyond authentication', async () => {
    const token = tenant.members[0]!.token;
    const run = (first: number) =>
      server.countStatements(() =>
        server.execute(ListSessionsWithLazyFieldsDocument, { org: tenant.org, workspace: tenant.workspace, first }, token),
      );
    const ten = await run(10);
    const hundred = await run(100);
    expect(ten.result.body.errors).toBeUndefined();
    expect(hundred.result.body.errors).toBeUndefined();
    expect(ten.result.body.data!.sessions!.nodes).toHaveLength(10);
    expect(hundred.result.body.data!.sessions!.nodes).toHaveLength(100);
    for (const node of hundred.result.body.data!.sessions!.nodes) {
      expect(node.creator?.email).toMatch(/@example\.com$/);
      expect(node.labels).toHaveLength(1);
      expect(node.usage!.lastGenerationInputTokens).toBeGreaterThanOrEqual(10);
    }
    expect(hundred.statements.length).toBe(ten.statements.length);
    // Exactly one statement authenticates, and finds the caller's workspaces with the token; then
    // the page, and creator, labels and usage together.
    expect(hundred.statements.length - beyondAuthentication(hundred.statements).length).toBe(1);
    expect(beyondAuthentication(hundred.statements)).toHaveLength(2);
  });

  it('with every lazy field, transcript included, it still does not grow with the page size', async () => {
    const token = tenant.members[0]!.token;
    const run = (first: number) =>
      server.countStatements(() =>
        server.execute(ListWithEverythingDocument, { org: tenant.org, workspace: tenant.workspace, first }, token),
      );
    const one = await run(1);
    const fifty = await run(50);
    expect(fifty.result.body.errors).toBeUndefined();
    expect(fifty.result.body.data!.sessions!.nodes).toHaveLength(50);
    for (const node of fifty.result.body.data!.sessions!.nodes) expect(node.transcript!.messages).toEqual([{ seq: 1, role: 'ASSISTANT' }]);
    // auth (with the workspace), page, totalCount, creator with labels and usage, transcript
    expect(fifty.statements).toHaveLength(one.statements.length);
    expect(fifty.statements.length).toBeLessThanOrEqual(5);
  });

  it('sessionFacets is one statement after authentication, whatever the filter', async () => {
    const token = tenant.members[0]!.token;
    const { result, statements } = await server.countStatements(() =>
      server.execute(
        SessionFacetsDocument,
        { org: tenant.org, workspace: tenant.workspace, filter: { search: 'model', labels: [{ key: 'team', values: ['t1', 't2'] }] } },
        token,
      ),
    );
    expect(result.body.errors).toBeUndefined();
    expect(statements).toHaveLength(2);
  });

  it('a workspace not among the memberships read with the token takes one statement to tell NOT_FOUND from FORBIDDEN', async () => {
    const token = tenant.members[0]!.token;
    const elsewhere = await createTenant(server.db.database.prisma);
    for (const [workspace, code] of [
      [{ org: elsewhere.org, workspace: elsewhere.workspace }, 'FORBIDDEN'],
      [{ org: tenant.org, workspace: 'no-such-workspace' }, 'NOT_FOUND'],
    ] as const) {
      const { result, statements } = await server.countStatements(() =>
        server.execute(ListSessionsWithLazyFieldsDocument, { ...workspace, first: 1 }, token),
      );
      expect(result.body.errors?.[0]?.extensions.code).toBe(code);
      expect(beyondAuthentication(statements)).toHaveLength(1);
    }
  });

  it('a user of more than 100 workspaces finds each by a statement, with the same answer', async () => {
    const prisma = server.db.database.prisma;
    const many = await createTenant(prisma, [{ role: 'READER' }]);
    const member = many.members[0]!;
    const org = await prisma.organization.findFirstOrThrow({ where: { slug: many.org } });
    const extra = Array.from({ length: 100 }, (_, i) => ({ id: randomUUID(), orgId: org.id, slug: `extra-${i}`, name: `Extra ${i}` }));
    await prisma.workspace.createMany({ data: extra });
    await prisma.membership.createMany({ data: extra.map((w) => ({ workspaceId: w.id, userId: member.userId, role: 'READER' as const })) });
    for (const workspace of [many.workspace, 'extra-99']) {
      const { result, statements } = await server.countStatements(() =>
        server.execute(ListSessionsWithLazyFieldsDocument, { org: many.org, workspace, first: 1 }, member.token),
      );
      expect(result.body.errors).toBeUndefined();
      expect(beyondAuthentication(statements).filter((sql) => /\bmemberships\b/.test(sql))).toHaveLength(1);
    }
  });
});
