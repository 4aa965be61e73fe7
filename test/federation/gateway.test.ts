import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { loadConfig } from '../../src/config.js';
import { composeSupergraph } from '../../scripts/support/compose-supergraph.js';
import { createLogger } from '../../src/logger.js';
import { printSubgraphSdl } from '../../src/schema/index.js';
import { createTestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/** A second subgraph of our own: it extends Session with a field and can hand out Session references. */
const REVIEWS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Session @key(fields: "id") {
    id: ID!
    reviewScore: Int!
  }
  type Query {
    reviewedSessions(ids: [ID!]!): [Session]!
  }
`;
const scoreOf = (id: string) => parseInt(id.slice(0, 2), 16) % 5;

function listen(handler: (request: IncomingMessage, response: ServerResponse) => unknown): Promise<{ server: Server; url: string }> {
  // Yoga's handler returns a promise node:http does not wait for.
  const server = createServer((request, response) => void handler(request, response));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })),
  );
}

const close = (server: Server | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

describe('federation: this subgraph and another behind Hive Gateway', () => {
  let sessions: RunningServer;
  let reviews: { server: Server; url: string };
  let gateway: { server: Server; url: string };
  let tenant: Tenant;
  const visible = randomUUID();
  const hidden = randomUUID();

  beforeAll(async () => {
    sessions = await startServer(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    const prisma = sessions.database.prisma;
    tenant = await createTenant(prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    const [alice, bob] = tenant.members;
    await prisma.session.createMany({
      data: [
        { id: visible, workspaceId: tenant.workspaceId, userId: alice!.userId, model: 'm', title: 'shared', visibility: 'WORKSPACE' },
        { id: hidden, workspaceId: tenant.workspaceId, userId: bob!.userId, model: 'm', title: 'bob only', visibility: 'PRIVATE' },
      ],
    });

    const reviewsSchema = buildSubgraphSchema({
      typeDefs: parse(REVIEWS_SDL),
      resolvers: {
        Query: { reviewedSessions: (_: unknown, args: { ids: string[] }) => args.ids.map((id) => ({ id })) },
        Session: {
          __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
          reviewScore: (session: { id: string }) => scoreOf(session.id),
        },
      },
    });
    reviews = await listen(createYoga({ schema: reviewsSchema, logging: false }));

    const supergraph = composeSupergraph([
      { name: 'sessions', url: sessions.url, sdl: printSubgraphSdl() },
      { name: 'reviews', url: reviews.url, sdl: REVIEWS_SDL },
    ]);
    const runtime = createGatewayRuntime({
      supergraph,
      logging: false,
      // The caller's token goes to every subgraph, so each applies its own access rules.
      propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    });
    gateway = await listen(runtime);
  });

  afterAll(async () => {
    await close(gateway?.server);
    await close(reviews?.server);
    await sessions?.close();
  });

  const post = async (url: string, query: string, variables: Record<string, unknown>, token: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
    };
  };

  it('serves _service { sdl } with Session as an entity keyed by id', async () => {
    const result = await post(sessions.url, '{ _service { sdl } }', {}, tenant.members[0]!.token);
    const sdl = (result.data as { _service: { sdl: string } })._service.sdl;
    expect(sdl).toMatch(/type Session implements Node\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
  });

  it('a query through the gateway gets fields of both subgraphs with the token forwarded', async () => {
    const alice = tenant.members[0]!;
    const result = await post(
      gateway.url,
      'query ($org: String!, $ws: String!, $id: String!) { session(org: $org, workspace: $ws, id: $id) { id title creator { email } reviewScore } }',
      { org: tenant.org, ws: tenant.workspace, id: visible },
      alice.token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      session: { id: visible, title: 'shared', creator: { email: alice.email }, reviewScore: scoreOf(visible) },
    });

    // The other way round: references from the reviews subgraph resolved by ours through _entities.
    const references = await post(
      gateway.url,
      'query ($ids: [ID!]!) { reviewedSessions(ids: $ids) { id title reviewScore } }',
      { ids: [visible] },
      alice.token,
    );
    expect(references.errors).toBeUndefined();
    expect(references.data).toEqual({ reviewedSessions: [{ id: visible, title: 'shared', reviewScore: scoreOf(visible) }] });
  });

  it('_entities never returns a session the caller cannot see', async () => {
    const alice = tenant.members[0]!;
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Session { id title } } }';
    const representations = [visible, hidden, randomUUID(), 'not-a-uuid', 42].map((id) => ({ __typename: 'Session', id }));
    const result = await post(sessions.url, query, { r: representations }, alice.token);
    expect(result.data).toEqual({ _entities: [{ id: visible, title: 'shared' }, null, null, null, null] });
    // Each reference it cannot resolve is null with a NOT_FOUND error at its place.
    expect(result.errors?.map((error) => [error.extensions?.code, error.path])).toEqual(
      [1, 2, 3, 4].map((i) => ['NOT_FOUND', ['_entities', i]]),
    );

    // Bob, the owner, sees his PRIVATE session; without a token nothing is returned.
    const bob = await post(sessions.url, query, { r: [{ __typename: 'Session', id: hidden }] }, tenant.members[1]!.token);
    expect(bob.data).toEqual({ _entities: [{ id: hidden, title: 'bob only' }] });
    const anonymous = await fetch(sessions.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { r: [{ __typename: 'Session', id: visible }] } }),
    });
    const body = (await anonymous.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // Through the gateway, with non-null fields of both subgraphs selected: the hidden session is
    // null with its error, and the rest of the answer stands.
    const through = await post(
      gateway.url,
      'query ($ids: [ID!]!) { reviewedSessions(ids: $ids) { id messageCount reviewScore title } }',
      { ids: [visible, hidden] },
      alice.token,
    );
    expect(JSON.stringify(through)).not.toContain('bob only');
    expect(through.data).toEqual({
      reviewedSessions: [{ id: visible, messageCount: 0, reviewScore: scoreOf(visible), title: 'shared' }, null],
    });
    expect(through.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([['NOT_FOUND', 'Session not found']]);
  });
});

describe('_entities cost', () => {
  it('resolves any number of references in one SQL statement after authentication', async () => {
    const server = await createTestServer();
    const t = await createTenant(server.db.database.prisma);
    const ids = Array.from({ length: 25 }, () => randomUUID());
    await server.db.database.prisma.session.createMany({
      data: ids.map((id) => ({
        id,
        workspaceId: t.workspaceId,
        userId: t.members[0]!.userId,
        model: 'm',
        visibility: 'WORKSPACE' as const,
      })),
    });
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Session { id model } } }';
    const run = (count: number) =>
      server.countStatements(() =>
        server.post(JSON.stringify({ query, variables: { r: ids.slice(0, count).map((id) => ({ __typename: 'Session', id })) } }), {
          authorization: `Bearer ${t.members[0]!.token}`,
        }),
      );
    const one = await run(1);
    const many = await run(25);
    expect((many.result.body.data as { _entities: unknown[] })._entities).toHaveLength(25);
    expect(many.statements).toHaveLength(one.statements.length);
    expect(many.statements).toHaveLength(2);
  });
});
