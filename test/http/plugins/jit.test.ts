import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildYoga, type Yoga } from '../../../src/http/yoga.js';
import {
  AppendTranscriptDocument,
  ArchiveSessionDocument,
  ListSessionsDocument,
  GetSessionDocument,
  GetTranscriptDocument,
  ListWithEverythingDocument,
  SaveSessionDocument,
  SessionFacetsDocument,
} from '../../generated/graphql.js';
import { sharedTestDatabase } from '../../support/database.js';
import { memoryLogger } from '../../support/server.js';
import { createTenant, type Tenant } from '../../support/tenant.js';

/**
 * graphql-jit (the default; GRAPHQL_JIT=false turns it off) must not change the contract: the same requests get the
 * same responses and statuses from a server executing with graphql-jit as from the default one,
 * errors included. The one difference left is that graphql-jit does not report `locations` of
 * execution errors (docs/api.md does not promise them); it is also how these tests see that graphql-jit
 * really ran.
 */

interface WireError {
  message: string;
  locations?: unknown;
  extensions: { code: string; errors?: { loc: unknown[] }[] };
}
interface Wire {
  status: number;
  body: { data?: unknown; errors?: WireError[] };
}

async function post(yoga: Yoga, body: unknown, token?: string): Promise<Wire> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: JSON.parse(await response.text()) as Wire['body'] };
}

const withoutLocations = ({ status, body }: Wire) => ({
  status,
  body: { ...body, ...(body.errors ? { errors: body.errors.map(({ locations: _omitted, ...error }) => error) } : {}) },
});

describe('graphql-jit execution (the default) against graphql-js (GRAPHQL_JIT=false)', () => {
  let plain: Yoga;
  let jit: Yoga;
  let tenant: Tenant;
  let sessionId: string;

  beforeAll(async () => {
    const db = await sharedTestDatabase();
    const make = (graphqlJit: boolean) =>
      buildYoga({
        config: { graphiql: false, introspection: true, demoToken: undefined, graphqlJit },
        prisma: db.database.prisma,
        logger: memoryLogger(),
      });
    plain = make(false);
    jit = make(true);
    tenant = await createTenant(db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    // Written through the jit server: its mutations work and store what the default server reads.
    sessionId = randomUUID();
    const token = tenant.members[0]!.token;
    const saved = await post(
      jit,
      {
        query: print(SaveSessionDocument),
        variables: {
          org: tenant.org,
          workspace: tenant.workspace,
          input: { id: sessionId, model: 'gpt-4o', visibility: 'WORKSPACE', labels: [{ key: 'team', values: ['b', 'a'] }] },
        },
      },
      token,
    );
    expect(saved.body.errors).toBeUndefined();
    expect(saved.body.data).toMatchObject({ saveSession: { id: sessionId, labels: [{ key: 'team', values: ['a', 'b'] }] } });
    const appended = await post(
      jit,
      {
        query: print(AppendTranscriptDocument),
        variables: {
          org: tenant.org,
          workspace: tenant.workspace,
          id: sessionId,
          input: {
            messages: [
              { role: 'USER', content: 'hello' },
              {
                role: 'ASSISTANT',
                content: 'hi',
                toolCalls: [{ id: 'c1', name: 'search', arguments: '{}' }],
                usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.5 },
              },
            ],
          },
        },
      },
      token,
    );
    expect(appended.body.errors).toBeUndefined();
    expect(appended.body.data).toMatchObject({
      appendTranscript: { lastSeq: 2, session: { messageCount: 2, usage: { totalTokens: 12, totalCostUsd: 0.5 } } },
    });
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });

  it('answers reads exactly as graphql-js does: lazy fields, transcript, facets', async () => {
    const token = tenant.members[1]!.token;
    const requests = [
      { query: print(ListWithEverythingDocument), variables: { ...ws(), first: 10 } },
      { query: print(GetSessionDocument), variables: { ...ws(), id: sessionId } },
      { query: print(GetTranscriptDocument), variables: { ...ws(), id: sessionId, first: 1 } },
      { query: print(SessionFacetsDocument), variables: ws() },
    ];
    for (const request of requests) {
      const expected = await post(plain, request, token);
      expect(expected.body.errors).toBeUndefined();
      expect(await post(jit, request, token)).toEqual(expected);
    }
  });

  it('answers _entities as graphql-js does when hidden references sit beside a visible session', async () => {
    const token = tenant.members[1]!.token;
    const hidden = randomUUID();
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Session { id labels { key } transcript(first: 5) { messages { seq } } } } }`;
    const request = {
      query,
      variables: { r: [hidden, hidden, sessionId, hidden.slice(0, 8)].map((id) => ({ __typename: 'Session', id })) },
    };
    const expected = await post(plain, request, token);
    expect((expected.body.data as { _entities: unknown[] })._entities).toHaveLength(4);
    expect(await post(jit, request, token)).toEqual(expected);
  });

  it('stores a JSON literal that holds a variable as graphql-js does (graphql-jit parsed it without the variable)', async () => {
    const token = tenant.members[0]!.token;
    const query = `mutation($org: String!, $workspace: String!, $id: String!, $v: String) {
      appendTranscript(org: $org, workspace: $workspace, id: $id, input: { messages: [{ role: USER, content: "m", metadata: { k: $v, n: 1 } }] }) {
        session { transcript(first: 10) { messages { metadata } } } } }`;
    const stored: unknown[] = [];
    for (const yoga of [plain, jit]) {
      const id = randomUUID();
      const saved = await post(yoga, { query: print(SaveSessionDocument), variables: { ...ws(), input: { id, model: 'm' } } }, token);
      expect(saved.body.errors).toBeUndefined();
      const appended = await post(yoga, { query, variables: { ...ws(), id, v: 'from a variable' } }, token);
      expect(appended.body.errors).toBeUndefined();
      stored.push(appended.body.data);
    }
    expect(stored[0]).toEqual({
      appendTranscript: { session: { transcript: { messages: [{ metadata: { k: 'from a variable', n: 1 } }] } } },
    });
    expect(stored[1]).toEqual(stored[0]);
  });

  it('fills in the defaults of input fields a variable leaves out, as graphql-js does', async () => {
    // An archived session with the same label: SessionFilter.archived defaults to ACTIVE.
    const token = tenant.members[0]!.token;
    const archivedId = randomUUID();
    const input = { id: archivedId, model: 'm', visibility: 'WORKSPACE', labels: [{ key: 'team', values: ['a'] }] };
    expect((await post(plain, { query: print(SaveSessionDocument), variables: { ...ws(), input } }, token)).body.errors).toBeUndefined();
    expect(
      (await post(plain, { query: print(ArchiveSessionDocument), variables: { ...ws(), id: archivedId } }, token)).body.errors,
    ).toBeUndefined();

    const request = {
      query: print(ListSessionsDocument),
      // orderBy leaves out direction (default DESC), filter leaves out archived (default ACTIVE).
      variables: { ...ws(), orderBy: { field: 'CREATED_AT' }, filter: { labels: [{ key: 'team', values: ['a'] }] } },
    };
    const expected = await post(plain, request, token);
    expect(expected.body.errors).toBeUndefined();
    const ids = (expected.body.data as { sessions: { edges: { node: { id: string } }[] } }).sessions.edges.map((edge) => edge.node.id);
    expect(ids).toEqual([sessionId]);
    expect(await post(jit, request, token)).toEqual(expected);
  });

  it('keeps the error envelope and HTTP status of every kind of error', async () => {
    const token = tenant.members[1]!.token;
    const getSession = print(GetSessionDocument);
    const cases: { request: unknown; token?: string; code: string }[] = [
      // Resolver errors: thrown by the API's own code.
      { request: { query: getSession, variables: { ...ws(), id: randomUUID() } }, token, code: 'NOT_FOUND' },
      { request: { query: print(ListWithEverythingDocument), variables: { ...ws(), first: 1000 } }, token, code: 'BAD_USER_INPUT' },
      { request: { query: getSession, variables: { ...ws(), id: sessionId } }, code: 'UNAUTHENTICATED' },
      // Variables that do not coerce (graphql-jit would name the wrong variable, or throw).
      {
        request: { query: print(SaveSessionDocument), variables: { ...ws(), input: { id: 'not-a-uuid', model: 'm' } } },
        token,
        code: 'BAD_USER_INPUT',
      },
      { request: { query: print(ListWithEverythingDocument), variables: { ...ws(), first: 'ten' } }, token, code: 'BAD_USER_INPUT' },
      // Validation, before execution.
      { request: { query: '{ sessions(org: "o", workspace: "w") { nodes { nope } } }' }, token, code: 'BAD_REQUEST' },
    ];
    for (const { request, token: as, code } of cases) {
      const expected = await post(plain, request, as);
      expect(expected.body.errors?.[0]?.extensions.code).toBe(code);
      const actual = await post(jit, request, as);
      expect(withoutLocations(actual)).toEqual(withoutLocations(expected));
    }
    const variable = await post(jit, cases[3]!.request, token);
    expect(variable.status).toBe(400);
    expect(variable.body.errors?.[0]?.extensions.errors).toEqual([expect.objectContaining({ loc: ['input', 'id'] })]);
  });

  it('really executes with graphql-jit: execution errors come without locations there', async () => {
    const request = { query: print(GetSessionDocument), variables: { ...ws(), id: randomUUID() } };
    const token = tenant.members[0]!.token;
    expect((await post(plain, request, token)).body.errors?.[0]?.locations).toBeDefined();
    expect((await post(jit, request, token)).body.errors?.[0]?.locations).toBeUndefined();
  });
});
