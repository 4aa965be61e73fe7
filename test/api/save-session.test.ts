import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/admin/provision.js';
import {
  AppendTranscriptDocument,
  ArchiveSessionDocument,
  FreezeSessionDocument,
  GetSessionDocument,
  SaveSessionDocument,
  UpdateSessionDocument,
} from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { budget } from '../support/budget.js';
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
    expect(Date.parse(session!.createdAt)).not.toBeNaN();
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
        input: {
          id,
          model: 'm2',
          title: 't2',
          agent: 'a2',
          messageCount: 4,
          visibility: 'WORKSPACE',
          labels: [{ key: 'other', values: ['x'] }],
        },
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
    expect(Date.parse(retry.body.data!.saveSession!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.data!.saveSession!.updatedAt));
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

  it(
    'a retry racing a freeze never changes what was frozen (the retry takes the row lock)',
    async () => {
      const alice = tenant.members[0]!;
      for (let trial = 0; trial < 15; trial += 1) {
        const id = randomUUID();
        await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', title: 'original' } }, alice.token);
        const retries = Array.from({ length: 3 }, (_, i) =>
          server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', title: `retry ${i}` } }, alice.token),
        );
        const frozen = await server.execute(FreezeSessionDocument, { ...ws(), id }, alice.token);
        const outcomes = await Promise.all(retries);
        const stored = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
        expect(stored.title, `trial ${trial}`).toBe(frozen.body.data!.freezeSession!.title);
        // Each retry ran wholly before the freeze (and succeeded) or after it (CONFLICT).
        for (const outcome of outcomes) {
          if (outcome.body.errors) expect(outcome.body.errors[0]!.extensions.code).toBe('CONFLICT');
        }
      }
    },
    budget(15 * 6),
  );

  it('origin rule: a USER token cannot retry or append to a WORKER session; it may change its metadata; a WORKER token may do all', async () => {
    const prisma = server.db.database.prisma;
    const mixed = await createTenant(prisma, [{ role: 'CONTRIBUTOR', tokenKind: 'WORKER' }]);
    const worker = mixed.members[0]!;
    // The same user, with a USER token as well.
    const userToken = (
      await bootstrap(prisma, { org: mixed.org, workspace: mixed.workspace, email: worker.email, role: 'CONTRIBUTOR', tokenKind: 'USER' })
    ).token;
    const place = { org: mixed.org, workspace: mixed.workspace };
    const id = randomUUID();
    expect(
      (await server.execute(SaveSessionDocument, { ...place, input: { id, model: 'm', origin: 'WORKER' } }, worker.token)).body.errors,
    ).toBeUndefined();
    const refused = await server.execute(SaveSessionDocument, { ...place, input: { id, model: 'changed' } }, userToken);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(refused.body.errors?.[0]?.message).toMatch(/USER token cannot save or append to sessions of origin WORKER/);
    expect((await prisma.session.findUniqueOrThrow({ where: { id } })).model).toBe('m');
    const retried = await server.execute(SaveSessionDocument, { ...place, input: { id, model: 'changed' } }, worker.token);
    expect(retried.body.data?.saveSession!.model).toBe('changed');

    const message = { input: { messages: [{ role: 'USER' as const, content: 'hi' }] } };
    const userAppend = await server.execute(AppendTranscriptDocument, { ...place, id, ...message }, userToken);
    expect(userAppend.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(await prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(0);
    expect((await server.execute(AppendTranscriptDocument, { ...place, id, ...message }, worker.token)).body.errors).toBeUndefined();
    // Metadata is the owner's to change with any token kind.
    const renamed = await server.execute(
      UpdateSessionDocument,
      { ...place, id, input: { title: 'renamed', labels: [{ key: 'k', values: ['v'] }] } },
      userToken,
    );
    expect(renamed.body.errors).toBeUndefined();
    expect((await server.execute(ArchiveSessionDocument, { ...place, id }, userToken)).body.errors).toBeUndefined();
  });

  it('20 concurrent saves of one new id leave one row, and every one succeeds', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.execute(
          SaveSessionDocument,
          { ...ws(), input: { id, model: `m${i}`, labels: [{ key: 'try', values: ['x'] }] } },
          alice.token,
        ),
      ),
    );
    for (const response of responses) {
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.saveSession!.id).toBe(id);
    }
    const prisma = server.db.database.prisma;
    expect(await prisma.session.count({ where: { id } })).toBe(1);
    expect(await prisma.sessionLabel.count({ where: { sessionId: id } })).toBe(1);
  });

  it('ids are stored in lower case whatever the client sent', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id: id.toUpperCase(), model: 'm' } }, alice.token);
    expect(response.body.data!.saveSession!.id).toBe(id);
  });

  it('messageCount is coerced as GraphQL Int: 1e21, 2.5e21, a fraction or the string "5" are BAD_USER_INPUT, never stored', async () => {
    const alice = tenant.members[0]!;
    const id = randomUUID();
    for (const messageCount of [1e21, 2.5e21, 1.5, '5', -1] as unknown as number[]) {
      const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', messageCount } }, alice.token);
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['input', 'messageCount'] }] });
    }
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(0);
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
    const tooMany = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', messageCount: 2 ** 31 } }, alice.token);
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ loc: ['input', 'messageCount'] }],
    });
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(0);
  });
});
