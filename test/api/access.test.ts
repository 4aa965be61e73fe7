import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import { GetSessionDocument, ListSessionsDocument, SaveSessionDocument, ViewerDocument, type SessionFilter } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('visibility, roles and token kinds', () => {
  let server: TestServer;
  let tenant: Tenant;
  let privateId: string;
  let sharedId: string;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [
      { role: 'CONTRIBUTOR' },
      { role: 'CONTRIBUTOR' },
      { role: 'ADMIN' },
      { role: 'READER' },
    ]);
    const owner = tenant.members[0]!;
    privateId = randomUUID();
    sharedId = randomUUID();
    for (const [id, visibility] of [
      [privateId, 'PRIVATE'],
      [sharedId, 'WORKSPACE'],
    ] as const) {
      const saved = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', visibility } }, owner.token);
      expect(saved.body.errors).toBeUndefined();
    }
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const list = (token: string) => server.execute(ListSessionsDocument, { ...ws(), first: 100 }, token);

  it('the owner sees both sessions', async () => {
    const owner = tenant.members[0]!;
    const response = await list(owner.token);
    expect(response.body.data!.sessions!.totalCount).toBe(2);
    expect(response.body.data!.sessions!.edges.map((e) => e.node.id).sort()).toEqual([privateId, sharedId].sort());
    const got = await server.execute(GetSessionDocument, { ...ws(), id: privateId }, owner.token);
    expect(got.body.data!.session!.id).toBe(privateId);
  });

  it('another member (any role, ADMIN too) never sees a PRIVATE session: session, sessions, totalCount', async () => {
    for (const member of tenant.members.slice(1)) {
      const response = await list(member.token);
      expect(response.body.data!.sessions!.totalCount).toBe(1);
      expect(response.body.data!.sessions!.edges.map((e) => e.node.id)).toEqual([sharedId]);
      const byId = await server.execute(GetSessionDocument, { ...ws(), id: privateId }, member.token);
      expect(byId.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      // A prefix of the hidden session does not reveal it either.
      const byPrefix = await server.execute(GetSessionDocument, { ...ws(), id: privateId.slice(0, 8) }, member.token);
      expect(byPrefix.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      const shared = await server.execute(GetSessionDocument, { ...ws(), id: sharedId }, member.token);
      expect(shared.body.data!.session!.id).toBe(sharedId);
    }
  });

  it('filters never widen access: userIds of the owner still hides PRIVATE from others', async () => {
    const other = tenant.members[1]!;
    const response = await server.execute(
      ListSessionsDocument,
      { ...ws(), filter: { userIds: [tenant.members[0]!.userId], archived: 'ANY', includeWorkloadSessions: true } },
      other.token,
    );
    expect(response.body.data!.sessions!.edges.map((e) => e.node.id)).toEqual([sharedId]);
    expect(response.body.data!.sessions!.totalCount).toBe(1);
  });

  it('a READER cannot save', async () => {
    const reader = tenant.members[3]!;
    const id = randomUUID();
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, reader.token);
    expect(response.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(0);
  });

  it('origin by token kind (SES-ORG-004): USER only USER; WORKER also WORKER; SERVICE anything', async () => {
    const prisma = server.db.database.prisma;
    const kinds = await createTenant(prisma, [
      { role: 'CONTRIBUTOR', tokenKind: 'USER' },
      { role: 'CONTRIBUTOR', tokenKind: 'WORKER' },
      { role: 'CONTRIBUTOR', tokenKind: 'SERVICE' },
    ]);
    const at = { org: kinds.org, workspace: kinds.workspace };
    const save = (token: string, origin: 'USER' | 'WORKER' | 'EVAL') =>
      server.execute(SaveSessionDocument, { ...at, input: { id: randomUUID(), model: 'm', origin } }, token);
    const [user, worker, service] = kinds.members;
    expect((await save(user!.token, 'USER')).body.errors).toBeUndefined();
    const denied = await save(user!.token, 'WORKER');
    expect(denied.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(denied.body.errors?.[0]?.message).toMatch(/USER token cannot save or append to sessions of origin WORKER/);
    expect((await save(worker!.token, 'WORKER')).body.errors).toBeUndefined();
    expect((await save(worker!.token, 'EVAL')).body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    const evalSave = await save(service!.token, 'EVAL');
    expect(evalSave.body.errors).toBeUndefined();
    expect(evalSave.body.data!.saveSession!.origin).toBe('EVAL');
  });

  it('workload sessions are hidden from lists unless includeWorkloadSessions (SES-LST-009/015)', async () => {
    const prisma = server.db.database.prisma;
    const t = await createTenant(prisma, [{ role: 'CONTRIBUTOR', tokenKind: 'SERVICE' }]);
    const at = { org: t.org, workspace: t.workspace };
    const token = t.members[0]!.token;
    const ids: Record<string, string> = {};
    for (const origin of ['USER', 'WORKER', 'EVAL', 'TRAINING'] as const) {
      ids[origin] = randomUUID();
      await server.execute(SaveSessionDocument, { ...at, input: { id: ids[origin], model: 'm', origin } }, token);
    }
    const origins = async (filter?: SessionFilter) =>
      (await server.execute(ListSessionsDocument, { ...at, filter }, token)).body.data!.sessions!.edges.map((e) => e.node.origin).sort();
    expect(await origins(undefined)).toEqual(['USER', 'WORKER']);
    expect(await origins({ includeWorkloadSessions: true })).toEqual(['EVAL', 'TRAINING', 'USER', 'WORKER']);
    expect(await origins({ origins: ['EVAL'] })).toEqual([]);
    expect(await origins({ origins: ['EVAL', 'USER'], includeWorkloadSessions: true })).toEqual(['EVAL', 'USER']);
    // session(id) is not a list: a workload session is still reachable by id.
    const byId = await server.execute(GetSessionDocument, { ...at, id: ids.EVAL! }, token);
    expect(byId.body.data!.session!.origin).toBe('EVAL');
  });

  it('archived filter: ACTIVE by default, ARCHIVED, ANY', async () => {
    const prisma = server.db.database.prisma;
    const t = await createTenant(prisma);
    const at = { org: t.org, workspace: t.workspace };
    const token = t.members[0]!.token;
    const active = randomUUID();
    const archived = randomUUID();
    for (const id of [active, archived]) await server.execute(SaveSessionDocument, { ...at, input: { id, model: 'm' } }, token);
    await prisma.session.update({ where: { id: archived }, data: { archivedAt: new Date() } });
    const ids = async (state?: 'ACTIVE' | 'ARCHIVED' | 'ANY') =>
      (await server.execute(ListSessionsDocument, { ...at, ...(state ? { filter: { archived: state } } : {}) }, token)).body
        .data!.sessions!.edges.map((e) => e.node.id)
        .sort();
    expect(await ids()).toEqual([active]);
    expect(await ids('ACTIVE')).toEqual([active]);
    expect(await ids('ARCHIVED')).toEqual([archived]);
    expect(await ids('ANY')).toEqual([active, archived].sort());
  });

  it('expired and revoked tokens stop working at once; the token is stored hashed only', async () => {
    const prisma = server.db.database.prisma;
    const t = await createTenant(prisma, [{ role: 'READER' }, { role: 'READER' }]);
    const [expired, revoked] = t.members;
    expect((await server.execute(ViewerDocument, {}, expired!.token)).status).toBe(200);
    await prisma.apiToken.updateMany({ where: { tokenHash: hashToken(expired!.token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await prisma.apiToken.updateMany({ where: { tokenHash: hashToken(revoked!.token) }, data: { revokedAt: new Date() } });
    for (const member of [expired!, revoked!]) {
      const response = await server.execute(ViewerDocument, {}, member.token);
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
    const stored = await prisma.apiToken.findMany({ where: { userId: expired!.userId } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(expired!.token);
    expect(stored[0]!.tokenHash).toBe(hashToken(expired!.token));
  });

  it('viewer returns the caller, the token kind and the memberships', async () => {
    const admin = tenant.members[2]!;
    const response = await server.execute(ViewerDocument, {}, admin.token);
    expect(response.body.data!.viewer).toEqual({
      user: { id: admin.userId, email: admin.email },
      tokenKind: 'USER',
      memberships: [{ org: tenant.org, workspace: tenant.workspace, role: 'ADMIN' }],
    });
    const lastUsed = await server.db.database.prisma.apiToken.findFirstOrThrow({ where: { userId: admin.userId } });
    expect(lastUsed.lastUsedAt).not.toBeNull();
  });
});
