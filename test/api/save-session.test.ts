import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetSessionDocument, SaveSessionDocument } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('saveSession', () => {
  let server: TestServer;
  let tenant: Tenant;
  let otherWorkspace: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'ADMIN' }]);
    // Same user (alice) is also a member of a second workspace in the same org.
    otherWorkspace = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }], {
      org: tenant.org,
      workspace: `${tenant.workspace}-b`,
    });
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });

  it('creates a session owned by the caller with the contract defaults', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'claude-x' } }, alice.token);
    expect(response.body.errors).toBeUndefined();
    const session = response.body.data!.saveSession;
    expect(session).toMatchObject({
      id,
      userId: alice.userId,
      model: 'claude-x',
      messageCount: 0,
      origin: 'USER',
      visibility: 'PRIVATE',
      agent: null,
      title: null,
      previewText: null,
      archivedAt: null,
      frozenAt: null,
      lastMessageAt: null,
      labels: [],
    });
    expect(Date.parse(session.createdAt)).not.toBeNaN();
    const row = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.workspaceId).toBe(tenant.workspaceId);
  });

  it('stores every input field, labels sorted by key with sorted values', async () => {
    const alice = tenant.members[0]!;
    const input = {
      id: randomUUID(),
      model: 'gpt-x',
      messageCount: 7,
      agent: 'coder',
      title: 'Fix the build',
      labels: [
        { key: 'team', values: ['zeta', 'alpha', 'alpha'] },
        { key: 'env', values: ['prod'] },
      ],
      origin: 'USER' as const,
      visibility: 'WORKSPACE' as const,
      projectId: randomUUID(),
      runtimeId: randomUUID(),
      groupId: randomUUID(),
    };
    const saved = await server.execute(SaveSessionDocument, { ...ws(), input }, alice.token);
    expect(saved.body.errors).toBeUndefined();
    const got = await server.execute(GetSessionDocument, { ...ws(), id: input.id }, alice.token);
    expect(got.body.data!.session).toMatchObject({
      id: input.id,
      model: 'gpt-x',
      messageCount: 7,
      agent: 'coder',
      title: 'Fix the build',
      visibility: 'WORKSPACE',
      projectId: input.projectId,
      runtimeId: input.runtimeId,
      groupId: input.groupId,
      creator: { id: alice.userId, email: alice.email },
      labels: [
        { key: 'env', values: ['prod'] },
        { key: 'team', values: ['alpha', 'zeta'] },
      ],
    });
  });

  it('a retry by the owner is safe: it updates messageCount, model, agent and title only', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const first = await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: 'm1', title: 't1', agent: 'a1', visibility: 'PRIVATE', labels: [{ key: 'k', values: ['v'] }] } },
      alice.token,
    );
    expect(first.body.errors).toBeUndefined();
    const retry = await server.execute(
      SaveSessionDocument,
      {
        ...ws(),
        input: { id, model: 'm2', title: 't2', agent: 'a2', messageCount: 4, visibility: 'WORKSPACE', labels: [{ key: 'other', values: ['x'] }] },
      },
      alice.token,
    );
    expect(retry.body.errors).toBeUndefined();
    expect(retry.body.data!.saveSession).toMatchObject({
      id,
      model: 'm2',
      title: 't2',
      agent: 'a2',
      messageCount: 4,
      visibility: 'PRIVATE',
      userId: alice.userId,
      labels: [{ key: 'k', values: ['v'] }],
    });
    expect(Date.parse(retry.body.data!.saveSession.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(first.body.data!.saveSession.updatedAt),
    );
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(1);
  });

  it('the same id from another user is ALREADY_EXISTS and changes nothing', async () => {
    const [alice, admin] = tenant.members;
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'mine', visibility: 'WORKSPACE' } }, alice!.token);
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'theirs' } }, admin!.token);
    expect(response.body.errors?.[0]?.extensions.code).toBe('ALREADY_EXISTS');
    const row = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.model).toBe('mine');
    expect(row.userId).toBe(alice!.userId);
  });

  it('the same id from the same user in another workspace is ALREADY_EXISTS', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, alice.token);
    // alice joins the second workspace too
    await server.db.database.prisma.membership.create({
      data: { workspaceId: otherWorkspace.workspaceId, userId: alice.userId, role: 'CONTRIBUTOR' },
    });
    const response = await server.execute(
      SaveSessionDocument,
      { org: otherWorkspace.org, workspace: otherWorkspace.workspace, input: { id, model: 'm' } },
      alice.token,
    );
    expect(response.body.errors?.[0]?.extensions.code).toBe('ALREADY_EXISTS');
    const row = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.workspaceId).toBe(tenant.workspaceId);
  });

  it('a retry of a frozen session is CONFLICT and changes nothing', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'before' } }, alice.token);
    await server.db.database.prisma.session.update({ where: { id }, data: { frozenAt: new Date(), frozenBy: 'test' } });
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'after' } }, alice.token);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 409, type: 'conflict_error' });
    expect((await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } })).model).toBe('before');
  });

  it('20 concurrent saves of one new id leave one row, and every one succeeds', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.execute(SaveSessionDocument, { ...ws(), input: { id, model: `m${i}`, labels: [{ key: 'try', values: ['x'] }] } }, alice.token),
      ),
    );
    for (const response of responses) {
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.saveSession.id).toBe(id);
    }
    const prisma = server.db.database.prisma;
    expect(await prisma.session.count({ where: { id } })).toBe(1);
    expect(await prisma.sessionLabel.count({ where: { sessionId: id } })).toBe(1);
  });

  it('ids are stored in lower case whatever the client sent', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id: id.toUpperCase(), model: 'm' } }, alice.token);
    expect(response.body.data!.saveSession.id).toBe(id);
  });

  it('an empty model, an over-long title and a messageCount beyond Int are BAD_USER_INPUT', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const response = await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: ' ', title: 'x'.repeat(1001) } },
      alice.token,
    );
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [
        { loc: ['input', 'model'], type: 'value_empty' },
        { loc: ['input', 'title'], type: 'value_too_long' },
      ],
    });
    const tooMany = await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: 'm', messageCount: 2 ** 31 } },
      alice.token,
    );
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ loc: ['input', 'messageCount'] }],
    });
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(0);
  });
});
