import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  ArchiveSessionDocument,
  DeleteSessionDocument,
  FreezeSessionDocument,
  GetSessionDocument,
  ListSessionsDocument,
  SaveSessionDocument,
  UnarchiveSessionDocument,
  UpdateSessionDocument,
  type SessionVisibility,
} from '../generated/graphql.js';
import { randomHex, uuidWithPrefix } from '../support/ids.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

describe('session lifecycle', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let other: Member;
  let admin: Member;
  let reader: Member;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [
      { role: 'CONTRIBUTOR' },
      { role: 'CONTRIBUTOR' },
      { role: 'ADMIN' },
      { role: 'READER' },
    ]);
    [owner, other, admin, reader] = tenant.members as [Member, Member, Member, Member];
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const create = async (visibility: SessionVisibility = 'WORKSPACE', by: Member = owner) => {
    const id = randomUUID();
    const saved = await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: 'm', title: 'title', agent: 'agent', visibility, labels: [{ key: 'team', values: ['a'] }] } },
      by.token,
    );
    expect(saved.body.errors).toBeUndefined();
    return id;
  };
  const codeOf = (response: { body: { errors?: { extensions: { code: string } }[] } }) => response.body.errors?.[0]?.extensions.code;
  const visibleTo = async (member: Member, id: string) =>
    (await server.execute(GetSessionDocument, { ...ws(), id }, member.token)).body.errors === undefined;

  describe('updateSession', () => {
    it('is a partial update: left out keeps, null clears title and agent, labels replace the set', async () => {
      const id = await create();
      const kept = await server.execute(UpdateSessionDocument, { ...ws(), id, input: { model: 'm2' } }, owner.token);
      expect(kept.body.data!.updateSession).toMatchObject({
        model: 'm2',
        title: 'title',
        agent: 'agent',
        labels: [{ key: 'team', values: ['a'] }],
      });
      const cleared = await server.execute(
        UpdateSessionDocument,
        { ...ws(), id, input: { title: null, agent: null, labels: [{ key: 'env', values: ['prod', 'dev'] }] } },
        owner.token,
      );
      expect(cleared.body.data!.updateSession).toMatchObject({
        model: 'm2',
        title: null,
        agent: null,
        labels: [{ key: 'env', values: ['dev', 'prod'] }],
      });
      expect(Date.parse(cleared.body.data!.updateSession!.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(kept.body.data!.updateSession!.updatedAt),
      );
      const emptied = await server.execute(UpdateSessionDocument, { ...ws(), id, input: { labels: [] } }, owner.token);
      expect(emptied.body.data!.updateSession!.labels).toEqual([]);
    });

    it('model, visibility and labels cannot be null; invalid labels are BAD_USER_INPUT; nothing changes', async () => {
      const id = await create();
      const response = await server.execute(
        UpdateSessionDocument,
        { ...ws(), id, input: { model: null, visibility: null, labels: null, title: 'x'.repeat(1001) } },
        owner.token,
      );
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errors: [
          { loc: ['input', 'title'], type: 'value_too_long' },
          { loc: ['input', 'model'], type: 'value_null' },
          { loc: ['input', 'visibility'], type: 'value_null' },
          { loc: ['input', 'labels'], type: 'value_null' },
        ],
      });
      const badLabel = await server.execute(
        UpdateSessionDocument,
        { ...ws(), id, input: { labels: [{ key: '-x', values: ['v'] }] } },
        owner.token,
      );
      expect(badLabel.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errors: [{ loc: ['input', 'labels', 0, 'key'] }],
      });
      const row = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
      expect(row.title).toBe('title');
    });

    it('SES-DEF-003/004: PRIVATE by default, promoted to WORKSPACE and back by the owner', async () => {
      const id = await create('PRIVATE');
      expect(await visibleTo(other, id)).toBe(false);
      const promoted = await server.execute(UpdateSessionDocument, { ...ws(), id, input: { visibility: 'WORKSPACE' } }, owner.token);
      expect(promoted.body.data!.updateSession!.visibility).toBe('WORKSPACE');
      expect(await visibleTo(other, id)).toBe(true);
      await server.execute(UpdateSessionDocument, { ...ws(), id, input: { visibility: 'PRIVATE' } }, owner.token);
      expect(await visibleTo(other, id)).toBe(false);
      expect(await visibleTo(admin, id)).toBe(false);
    });
  });

  describe('roles', () => {
    it('another CONTRIBUTOR cannot change a WORKSPACE session; an ADMIN can, but not its visibility', async () => {
      const id = await create();
      const denied = [
        await server.execute(UpdateSessionDocument, { ...ws(), id, input: { title: 'x' } }, other.token),
        await server.execute(ArchiveSessionDocument, { ...ws(), id }, other.token),
        await server.execute(FreezeSessionDocument, { ...ws(), id }, other.token),
        await server.execute(DeleteSessionDocument, { ...ws(), id }, other.token),
      ];
      for (const response of denied) expect(codeOf(response)).toBe('FORBIDDEN');

      expect(
        (await server.execute(UpdateSessionDocument, { ...ws(), id, input: { title: 'by admin' } }, admin.token)).body.data!.updateSession!
          .title,
      ).toBe('by admin');
      expect(codeOf(await server.execute(UpdateSessionDocument, { ...ws(), id, input: { visibility: 'PRIVATE' } }, admin.token))).toBe(
        'FORBIDDEN',
      );
      expect(
        (await server.execute(ArchiveSessionDocument, { ...ws(), id }, admin.token)).body.data!.archiveSession!.archivedAt,
      ).not.toBeNull();
      expect(
        (await server.execute(UnarchiveSessionDocument, { ...ws(), id }, admin.token)).body.data!.unarchiveSession!.archivedAt,
      ).toBeNull();
      // Writing the transcript stays with the owner.
      const append = await server.execute(
        AppendTranscriptDocument,
        { ...ws(), id, input: { messages: [{ role: 'USER', content: 'hi' }] } },
        admin.token,
      );
      expect(codeOf(append)).toBe('FORBIDDEN');
      expect((await server.execute(DeleteSessionDocument, { ...ws(), id }, admin.token)).body.data!.deleteSession!.deletedSessionId).toBe(
        id,
      );
    });

    it('a READER never writes, not even a session it owns', async () => {
      const id = await create('PRIVATE', other);
      await server.db.database.prisma.membership.update({
        where: { workspaceId_userId: { workspaceId: tenant.workspaceId, userId: other.userId } },
        data: { role: 'READER' },
      });
      try {
        expect(codeOf(await server.execute(UpdateSessionDocument, { ...ws(), id, input: { title: 'x' } }, other.token))).toBe('FORBIDDEN');
        expect(codeOf(await server.execute(ArchiveSessionDocument, { ...ws(), id }, other.token))).toBe('FORBIDDEN');
        expect(
          codeOf(await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER' }] } }, other.token)),
        ).toBe('FORBIDDEN');
        expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, reader.token))).toBe('NOT_FOUND');
      } finally {
        await server.db.database.prisma.membership.update({
          where: { workspaceId_userId: { workspaceId: tenant.workspaceId, userId: other.userId } },
          data: { role: 'CONTRIBUTOR' },
        });
      }
    });

    it('someone else\u2019s PRIVATE session is NOT_FOUND for every mutation, ADMIN included', async () => {
      const id = await create('PRIVATE');
      for (const member of [other, admin, reader]) {
        expect(codeOf(await server.execute(UpdateSessionDocument, { ...ws(), id, input: { title: 'x' } }, member.token))).toBe('NOT_FOUND');
        expect(codeOf(await server.execute(ArchiveSessionDocument, { ...ws(), id }, member.token))).toBe('NOT_FOUND');
        expect(codeOf(await server.execute(UnarchiveSessionDocument, { ...ws(), id }, member.token))).toBe('NOT_FOUND');
        expect(codeOf(await server.execute(FreezeSessionDocument, { ...ws(), id }, member.token))).toBe('NOT_FOUND');
        expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, member.token))).toBe('NOT_FOUND');
        expect(
          codeOf(await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER' }] } }, member.token)),
        ).toBe('NOT_FOUND');
      }
      const row = await server.db.database.prisma.session.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ title: 'title', archivedAt: null, frozenAt: null });
    });
  });

  it('SES-ARC-002: archive is idempotent and reversible; archived sessions leave the default list', async () => {
    const id = await create();
    const first = await server.execute(ArchiveSessionDocument, { ...ws(), id }, owner.token);
    const archivedAt = first.body.data!.archiveSession!.archivedAt;
    expect(archivedAt).not.toBeNull();
    const again = await server.execute(ArchiveSessionDocument, { ...ws(), id }, owner.token);
    expect(again.body.data!.archiveSession!.archivedAt).toBe(archivedAt);
    const listed = await server.execute(ListSessionsDocument, { ...ws(), first: 100 }, owner.token);
    expect(listed.body.data!.sessions!.edges.map((e) => e.node.id)).not.toContain(id);
    const archivedList = await server.execute(ListSessionsDocument, { ...ws(), first: 100, filter: { archived: 'ARCHIVED' } }, owner.token);
    expect(archivedList.body.data!.sessions!.edges.map((e) => e.node.id)).toContain(id);
    expect(
      (await server.execute(UnarchiveSessionDocument, { ...ws(), id }, owner.token)).body.data!.unarchiveSession!.archivedAt,
    ).toBeNull();
    expect(
      (await server.execute(UnarchiveSessionDocument, { ...ws(), id }, owner.token)).body.data!.unarchiveSession!.archivedAt,
    ).toBeNull();
  });

  it('freeze is idempotent and terminal: set once, then updates and appends are CONFLICT; still readable', async () => {
    const id = await create();
    const first = (await server.execute(FreezeSessionDocument, { ...ws(), id }, owner.token)).body.data!.freezeSession;
    expect(first!.frozenAt).not.toBeNull();
    expect(first!.frozenBy).toBe(owner.userId);
    const second = (await server.execute(FreezeSessionDocument, { ...ws(), id }, admin.token)).body.data!.freezeSession;
    expect({ frozenAt: second!.frozenAt, frozenBy: second!.frozenBy }).toEqual({ frozenAt: first!.frozenAt, frozenBy: first!.frozenBy });

    const update = await server.execute(UpdateSessionDocument, { ...ws(), id, input: { title: 'x' } }, owner.token);
    expect(update.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 409, type: 'conflict_error' });
    const append = await server.execute(
      AppendTranscriptDocument,
      { ...ws(), id, input: { messages: [{ role: 'USER', content: 'late' }] } },
      owner.token,
    );
    expect(codeOf(append)).toBe('CONFLICT');
    expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, owner.token))).toBe('CONFLICT');
    // Archiving is independent of freezing.
    expect(
      (await server.execute(ArchiveSessionDocument, { ...ws(), id }, owner.token)).body.data!.archiveSession!.archivedAt,
    ).not.toBeNull();
    const read = await server.execute(GetSessionDocument, { ...ws(), id }, other.token);
    expect(read.body.data!.session!.title).toBe('title');
    expect(await server.db.database.prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(0);
  });

  it('delete removes the session with its labels and messages; deleting twice is NOT_FOUND', async () => {
    const id = await create();
    await server.execute(
      AppendTranscriptDocument,
      {
        ...ws(),
        id,
        input: {
          messages: [
            { role: 'USER', content: 'hello' },
            { role: 'ASSISTANT', content: 'hi' },
          ],
        },
      },
      owner.token,
    );
    const prisma = server.db.database.prisma;
    expect(await prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(2);
    const deleted = await server.execute(DeleteSessionDocument, { ...ws(), id }, owner.token);
    expect(deleted.body.data!.deleteSession).toEqual({ deletedSessionId: id });
    expect(await prisma.session.count({ where: { id } })).toBe(0);
    expect(await prisma.sessionLabel.count({ where: { sessionId: id } })).toBe(0);
    expect(await prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(0);
    expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id }, owner.token))).toBe('NOT_FOUND');
  });

  it('concurrent label replacements leave one of the submitted sets, never a mix', async () => {
    const id = await create();
    const sets = Array.from({ length: 10 }, (_, i) => [
      { key: 'run', values: [`r${i}`] },
      { key: `k${i}`, values: ['a', 'b'] },
    ]);
    const responses = await Promise.all(
      sets.map((labels) => server.execute(UpdateSessionDocument, { ...ws(), id, input: { labels } }, owner.token)),
    );
    for (const response of responses) expect(response.body.errors).toBeUndefined();
    const rows = await server.db.database.prisma.sessionLabel.findMany({
      where: { sessionId: id },
      orderBy: [{ key: 'asc' }, { value: 'asc' }],
    });
    const final = rows.map((r) => `${r.key}=${r.value}`);
    const candidates = sets.map((labels) => labels.flatMap((l) => l.values.map((v) => `${l.key}=${v}`)).sort());
    expect(candidates).toContainEqual(final);
  });

  it('every per-session argument takes a unique prefix: ambiguous is BAD_REQUEST, none NOT_FOUND, short BAD_USER_INPUT', async () => {
    const prefix = randomHex(8);
    const [a, b] = [uuidWithPrefix(`${prefix}0`), uuidWithPrefix(`${prefix}1`)];
    for (const id of [a, b])
      await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', visibility: 'WORKSPACE' } }, owner.token);
    const unique = await server.execute(ArchiveSessionDocument, { ...ws(), id: `${prefix}0` }, owner.token);
    expect(unique.body.data!.archiveSession!.id).toBe(a);
    const dashed = await server.execute(UnarchiveSessionDocument, { ...ws(), id: a.slice(0, 13).toUpperCase() }, owner.token);
    expect(dashed.body.data!.unarchiveSession!.id).toBe(a);
    expect(codeOf(await server.execute(FreezeSessionDocument, { ...ws(), id: prefix }, owner.token))).toBe('BAD_REQUEST');
    expect(codeOf(await server.execute(DeleteSessionDocument, { ...ws(), id: randomHex(8) }, owner.token))).toBe('NOT_FOUND');
    const short = await server.execute(UpdateSessionDocument, { ...ws(), id: prefix.slice(0, 7), input: {} }, owner.token);
    expect(short.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['id'] }] });
    expect(codeOf(await server.execute(UpdateSessionDocument, { ...ws(), id: 'zzzzzzzz', input: {} }, owner.token))).toBe('BAD_USER_INPUT');
    expect(await server.db.database.prisma.session.count({ where: { id: { in: [a, b] }, frozenAt: { not: null } } })).toBe(0);
  });
});
