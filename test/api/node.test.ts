import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppendTranscriptDocument, SaveSessionDocument } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on Session { title } ... on Message { seq content } ... on User { email } } }`;
const NODES = `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

interface NodeAnswer {
  data?: { node?: Record<string, unknown> | null; nodes?: ({ __typename: string; id: string } | null)[] } | null;
  errors?: { extensions: { code: string } }[];
}

describe('node(id:) and nodes(ids:): global object identification', () => {
  let server: TestServer;
  let tenant: Tenant;
  let stranger: Tenant;
  const shared = randomUUID();
  const privateOne = randomUUID();
  const sharedMessage = randomUUID();
  const privateMessage = randomUUID();

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    stranger = await createTenant(server.db.database.prisma);
    const [alice] = tenant.members;
    const ws = { org: tenant.org, workspace: tenant.workspace };
    for (const [id, visibility, messageId] of [
      [shared, 'WORKSPACE', sharedMessage],
      [privateOne, 'PRIVATE', privateMessage],
    ] as const) {
      await server.execute(SaveSessionDocument, { ...ws, input: { id, model: 'm', title: `t-${visibility}`, visibility } }, alice!.token);
      await server.execute(
        AppendTranscriptDocument,
        { ...ws, id, input: { messages: [{ id: messageId, role: 'USER', content: 'hi' }] } },
        alice!.token,
      );
    }
  });

  const ask = async (query: string, variables: Record<string, unknown>, token?: string) =>
    (await server.post(JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {})).body as NodeAnswer;

  it('finds a session, a message and a user by id, as their own fields show them', async () => {
    const [alice, bob] = tenant.members;
    expect((await ask(NODE, { id: shared }, bob!.token)).data?.node).toEqual({ __typename: 'Session', id: shared, title: 't-WORKSPACE' });
    expect((await ask(NODE, { id: sharedMessage }, bob!.token)).data?.node).toEqual({
      __typename: 'Message',
      id: sharedMessage,
      seq: 1,
      content: 'hi',
    });
    expect((await ask(NODE, { id: alice!.userId }, bob!.token)).data?.node).toEqual({
      __typename: 'User',
      id: alice!.userId,
      email: alice!.email,
    });
    // The owner sees the private session and its messages.
    expect((await ask(NODE, { id: privateMessage }, alice!.token)).data?.node).toMatchObject({ __typename: 'Message' });
  });

  it('is null, without an error, for what the caller may not see and for ids of nothing', async () => {
    const [alice, bob] = tenant.members;
    const outsider = stranger.members[0]!;
    for (const [id, token] of [
      [privateOne, bob!.token],
      [privateMessage, bob!.token],
      [shared, outsider.token],
      [sharedMessage, outsider.token],
      [alice!.userId, outsider.token],
      [randomUUID(), alice!.token],
      ['not-a-uuid', alice!.token],
    ] as const) {
      const answer = await ask(NODE, { id }, token);
      expect(answer.errors, id).toBeUndefined();
      expect(answer.data?.node, id).toBeNull();
    }
    expect((await ask(NODE, { id: shared })).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('nodes answers in order, null where node would be, in the same number of statements for 3 ids or 30', async () => {
    const [alice] = tenant.members;
    const ids = [shared, randomUUID(), sharedMessage, alice!.userId];
    const answer = await ask(NODES, { ids }, alice!.token);
    expect(answer.data?.nodes?.map((node) => node?.__typename ?? null)).toEqual(['Session', null, 'Message', 'User']);
    const statements = async (count: number) =>
      (
        await server.countStatements(() =>
          server.post(
            JSON.stringify({
              query: NODES,
              variables: { ids: Array.from({ length: count }, (_, i) => [shared, sharedMessage, alice!.userId][i % 3]) },
            }),
            {
              authorization: `Bearer ${alice!.token}`,
            },
          ),
        )
      ).statements.length;
    expect(await statements(30)).toBe(await statements(3));
    expect(await statements(3)).toBeLessThanOrEqual(4);
  });
});
