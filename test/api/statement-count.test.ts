import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ListSessionsWithLazyFieldsDocument,
  ListWithEverythingDocument,
  SaveSessionDocument,
  SessionFacetsDocument,
} from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('SQL statements per sessions page', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    const prisma = server.db.database.prisma;
    // 60 sessions, two owners, each with labels and a generation, so every lazy field has data.
    for (let i = 0; i < 60; i += 1) {
      const owner = tenant.members[i % 2]!;
      const response = await server.execute(
        SaveSessionDocument,
        {
          org: tenant.org,
          workspace: tenant.workspace,
          input: {
            id: randomUUID(),
            model: `model-${i % 3}`,
            visibility: 'WORKSPACE',
            labels: [{ key: 'team', values: [`t${i % 4}`] }],
          },
        },
        owner.token,
      );
      expect(response.body.errors).toBeUndefined();
      const id = response.body.data!.saveSession.id;
      await prisma.sessionMessage.create({
        data: { id: randomUUID(), sessionId: id, seq: 1, role: 'ASSISTANT', inputTokens: 10 + i, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUsd: '0.01' },
      });
    }
  });

  it('is the same for first: 1 and first: 50, and at most 8 with authentication', async () => {
    const token = tenant.members[0]!.token;
    const run = (first: number) =>
      server.countStatements(() =>
        server.execute(ListSessionsWithLazyFieldsDocument, { org: tenant.org, workspace: tenant.workspace, first }, token),
      );
    const one = await run(1);
    const fifty = await run(50);
    expect(one.result.body.errors).toBeUndefined();
    expect(fifty.result.body.errors).toBeUndefined();
    expect(one.result.body.data!.sessions.nodes).toHaveLength(1);
    expect(fifty.result.body.data!.sessions.nodes).toHaveLength(50);
    for (const node of fifty.result.body.data!.sessions.nodes) {
      expect(node.creator?.email).toMatch(/@example\.com$/);
      expect(node.labels).toHaveLength(1);
      expect(node.usage.lastGenerationInputTokens).toBeGreaterThanOrEqual(10);
    }
    expect(fifty.statements.length).toBe(one.statements.length);
    expect(fifty.statements.length).toBeLessThanOrEqual(8);
  });

  it('with every lazy field, transcript included, it still does not grow with the page size', async () => {
    const token = tenant.members[0]!.token;
    const run = (first: number) =>
      server.countStatements(() => server.execute(ListWithEverythingDocument, { org: tenant.org, workspace: tenant.workspace, first }, token));
    const one = await run(1);
    const fifty = await run(50);
    expect(fifty.result.body.errors).toBeUndefined();
    expect(fifty.result.body.data!.sessions.nodes).toHaveLength(50);
    for (const node of fifty.result.body.data!.sessions.nodes) expect(node.transcript.messages).toEqual([{ seq: 1, role: 'ASSISTANT' }]);
    // auth, workspace, page, totalCount, creator, labels, usage, transcript
    expect(fifty.statements).toHaveLength(one.statements.length);
    expect(fifty.statements.length).toBeLessThanOrEqual(8);
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
    expect(statements).toHaveLength(3);
  });
});
