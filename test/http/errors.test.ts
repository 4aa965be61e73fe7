import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_TABLE, type ErrorCode } from '../../src/errors.js';
import { MAX_INPUT_DEPTH } from '../../src/http/plugins/input-guard.js';
import { buildYoga } from '../../src/http/yoga.js';
import {
  AppendTranscriptDocument,
  GetSessionDocument,
  ListSessionsWithLazyFieldsDocument,
  SaveSessionDocument,
} from '../generated/graphql.js';
import { openTestDatabase, withFreshDatabase } from '../support/database.js';
import { randomHex, uuidWithPrefix } from '../support/ids.js';
import { createTestServer, type EnvelopeError, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/** The whole envelope of one error, as docs/api.md defines it for `code`. */
function expectEnvelope(error: EnvelopeError | undefined, code: ErrorCode) {
  expect(error).toBeDefined();
  expect(error!.extensions.code).toBe(code);
  expect(error!.extensions.status).toBe(ERROR_TABLE[code].status);
  expect(error!.extensions.type).toBe(ERROR_TABLE[code].type);
  expect(typeof error!.message).toBe('string');
  expect(error!.message.length).toBeGreaterThan(0);
  const wire = JSON.stringify(error);
  expect(wire).not.toMatch(/stack|prisma|SELECT |INSERT |relation "|at .*\.ts:/i);
}

describe('error envelope, one real request per code', () => {
  let server: TestServer;
  let tenant: Tenant;
  let outsider: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    const prisma = server.db.database.prisma;
    tenant = await createTenant(prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    outsider = await createTenant(prisma, [{ role: 'ADMIN' }]);
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });

  it('BAD_REQUEST: a parse error fails the request with HTTP 400', async () => {
    const response = await server.post(JSON.stringify({ query: '{ sessions(' }), {
      authorization: `Bearer ${tenant.members[0]!.token}`,
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expectEnvelope(response.body.errors?.[0], 'BAD_REQUEST');
    expect(response.body.errors![0]!.message).toMatch(/Syntax Error/);
  });

  it('BAD_REQUEST: a document that does not validate (unknown field) is HTTP 400', async () => {
    const response = await server.post(JSON.stringify({ query: '{ sessionz }' }), {
      authorization: `Bearer ${tenant.members[0]!.token}`,
    });
    expect(response.status).toBe(400);
    expectEnvelope(response.body.errors?.[0], 'BAD_REQUEST');
    expect(response.body.errors![0]!.message).toMatch(/Cannot query field "sessionz"/);
  });

  it('BAD_REQUEST: a body that is not GraphQL over HTTP is rejected with HTTP 400', async () => {
    const response = await server.post('{"query": 42}');
    expect(response.status).toBe(400);
    expectEnvelope(response.body.errors?.[0], 'BAD_REQUEST');
  });

  it('BAD_REQUEST: an ambiguous id prefix', async () => {
    const prefix = randomHex(8);
    const owner = tenant.members[0]!;
    for (const id of [uuidWithPrefix(prefix), uuidWithPrefix(prefix)]) {
      const saved = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, owner.token);
      expect(saved.body.errors).toBeUndefined();
    }
    const response = await server.execute(GetSessionDocument, { ...ws(), id: prefix }, owner.token);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ session: null });
    expectEnvelope(response.body.errors?.[0], 'BAD_REQUEST');
    expect(response.body.errors![0]!.path).toEqual(['session']);
    expect(response.body.errors![0]!.message).toMatch(/ambiguous/);
  });

  it('UNAUTHENTICATED: an unknown token fails the request with HTTP 401', async () => {
    const response = await server.execute(ListSessionsWithLazyFieldsDocument, { ...ws() }, 'cst_not-a-real-token');
    expect(response.status).toBe(401);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    expectEnvelope(response.body.errors?.[0], 'UNAUTHENTICATED');
  });

  it('UNAUTHENTICATED: a malformed Authorization header is HTTP 401 too', async () => {
    const response = await server.post(JSON.stringify({ query: '{ __typename }' }), { authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
    expectEnvelope(response.body.errors?.[0], 'UNAUTHENTICATED');
  });

  it('UNAUTHENTICATED: no token on a session field is a field error; __typename still works', async () => {
    const anonymous = await server.post(JSON.stringify({ query: '{ __typename }' }));
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data).toEqual({ __typename: 'Query' });
    const response = await server.execute(GetSessionDocument, { ...ws(), id: randomUUID() });
    expectEnvelope(response.body.errors?.[0], 'UNAUTHENTICATED');
    expect(response.body.errors![0]!.path).toEqual(['session']);
  });

  it('FORBIDDEN: a member of another workspace', async () => {
    const response = await server.execute(GetSessionDocument, { ...ws(), id: randomUUID() }, outsider.members[0]!.token);
    expect(response.status).toBe(200);
    expectEnvelope(response.body.errors?.[0], 'FORBIDDEN');
  });

  it('NOT_FOUND: unknown org, unknown workspace, unknown session', async () => {
    const token = tenant.members[0]!.token;
    const org = await server.execute(GetSessionDocument, { org: `no-${randomHex(6)}`, workspace: 'x', id: randomUUID() }, token);
    expectEnvelope(org.body.errors?.[0], 'NOT_FOUND');
    expect(org.body.errors![0]!.message).toBe('Organization not found');
    const workspace = await server.execute(GetSessionDocument, { org: tenant.org, workspace: 'nope', id: randomUUID() }, token);
    expectEnvelope(workspace.body.errors?.[0], 'NOT_FOUND');
    expect(workspace.body.errors![0]!.message).toBe('Workspace not found');
    const session = await server.execute(GetSessionDocument, { ...ws(), id: randomUUID() }, token);
    expectEnvelope(session.body.errors?.[0], 'NOT_FOUND');
    expect(session.body.errors![0]!.message).toBe('Session not found');
  });

  it('ALREADY_EXISTS: saving an id that belongs to another user', async () => {
    const id = randomUUID();
    const [alice, bob] = tenant.members;
    await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, alice!.token);
    const response = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, bob!.token);
    expect(response.status).toBe(200);
    expectEnvelope(response.body.errors?.[0], 'ALREADY_EXISTS');
  });

  it('BAD_USER_INPUT: invalid labels give one errors item per violation, with loc', async () => {
    const response = await server.execute(
      SaveSessionDocument,
      {
        ...ws(),
        input: {
          id: randomUUID(),
          model: 'm',
          labels: [
            { key: 'Bad Key', values: ['ok'] },
            { key: 'fine', values: ['', 'x'.repeat(257)] },
          ],
        },
      },
      tenant.members[0]!.token,
    );
    const error = response.body.errors?.[0];
    expectEnvelope(error, 'BAD_USER_INPUT');
    expect(error!.extensions.errors).toEqual([
      { loc: ['input', 'labels', 0, 'key'], msg: expect.stringContaining('must match'), type: 'label_key_invalid' },
      { loc: ['input', 'labels', 1, 'values', 0], msg: expect.any(String), type: 'label_value_length' },
      { loc: ['input', 'labels', 1, 'values', 1], msg: expect.any(String), type: 'label_value_length' },
    ]);
  });

  it('BAD_USER_INPUT: a bad UUID in variables points at the variable path', async () => {
    const response = await server.post(
      JSON.stringify({
        query:
          'mutation($org: String!, $ws: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $ws, input: $input) { id } }',
        variables: { org: tenant.org, ws: tenant.workspace, input: { id: 'not-a-uuid', model: 'm' } },
      }),
      { authorization: `Bearer ${tenant.members[0]!.token}` },
    );
    expect(response.body.data).toBeUndefined();
    const error = response.body.errors?.[0];
    expectEnvelope(error, 'BAD_USER_INPUT');
    expect(error!.extensions.errors).toEqual([{ loc: ['input', 'id'], msg: expect.stringMatching(/UUID/), type: 'invalid_value' }]);
  });

  it('INTERNAL_SERVER_ERROR: a real database failure is masked and logged with the request id', async () => {
    await withFreshDatabase(async (url) => {
      const db = await openTestDatabase(url);
      try {
        const broken = await createTestServer(db);
        const own = await createTenant(db.database.prisma);
        const id = randomUUID();
        const saved = await broken.execute(
          SaveSessionDocument,
          { org: own.org, workspace: own.workspace, input: { id, model: 'm' } },
          own.members[0]!.token,
        );
        expect(saved.body.errors).toBeUndefined();
        // A real fault in the real database: a table the details statement reads (owner, labels
        // and usage) disappears under the server.
        await db.database.withConnection((conn) => conn.exec('ALTER TABLE session_usage_rollups RENAME TO session_usage_rollups_gone'));
        const response = await broken.execute(GetSessionDocument, { org: own.org, workspace: own.workspace, id }, own.members[0]!.token);
        expect(response.status).toBe(200);
        // The error nulls its own fields (labels, and creator and usage, read in the same statement,
        // all nullable); the rest of the session stands.
        expect(response.body.data!.session).toMatchObject({ id, labels: null });
        const error = (response.body.errors as EnvelopeError[] | undefined)?.find((e) => e.path?.join('.') === 'session.labels');
        expectEnvelope(error, 'INTERNAL_SERVER_ERROR');
        expect(error!.message).toBe('Unexpected error.');
        const requestId = response.headers.get('x-request-id');
        expect(requestId).toBeTruthy();
        const logged = broken.logger.lines.find((line) => line.level === 'error');
        expect(logged?.fields.requestId).toBe(requestId);
        expect(JSON.stringify(logged?.fields)).toMatch(/session_usage_rollups/);
      } finally {
        await db.database.close();
      }
    });
  });

  it('INTERNAL_SERVER_ERROR with nothing else to return is HTTP 500', async () => {
    await withFreshDatabase(async (url) => {
      const db = await openTestDatabase(url);
      try {
        const own = await createTenant(db.database.prisma);
        // The token table is gone: authentication itself fails unexpectedly.
        await db.database.withConnection((conn) => conn.exec('ALTER TABLE api_tokens RENAME TO api_tokens_gone'));
        const yoga = buildYoga({
          config: { graphiql: false, introspection: true, demoToken: undefined },
          prisma: db.database.prisma,
          logger: (await createTestServer(db)).logger,
        });
        const response = await yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${own.members[0]!.token}` },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        expect(response.status).toBe(500);
        const body = (await response.json()) as { errors: EnvelopeError[] };
        expectEnvelope(body.errors[0], 'INTERNAL_SERVER_ERROR');
        expect(body.errors[0]!.message).toBe('Unexpected error.');
      } finally {
        await db.database.close();
      }
    });
  });
});

describe('strings PostgreSQL cannot store', () => {
  it('a NUL character in variables or literals is BAD_USER_INPUT with HTTP 400, and nothing is stored', async () => {
    const server = await createTestServer();
    const tenant = await createTenant(server.db.database.prisma);
    const id = randomUUID();
    const variables = await server.execute(
      SaveSessionDocument,
      {
        org: tenant.org,
        workspace: tenant.workspace,
        input: { id, model: 'm', title: 'a\u0000b', labels: [{ key: 'k', values: ['ok', '\u0000'] }] },
      },
      tenant.members[0]!.token,
    );
    expect(variables.status).toBe(400);
    expectEnvelope(variables.body.errors?.[0], 'BAD_USER_INPUT');
    expect(variables.body.errors![0]!.extensions.errors!.map((item) => item.loc)).toEqual([
      ['input', 'title'],
      ['input', 'labels', 0, 'values', 1],
    ]);
    const literal = await server.post(
      JSON.stringify({ query: `{ session(org: "${tenant.org}", workspace: "a\\u0000", id: "${id}") { id } }` }),
      { authorization: `Bearer ${tenant.members[0]!.token}` },
    );
    expect(literal.status).toBe(400);
    expectEnvelope(literal.body.errors?.[0], 'BAD_USER_INPUT');
    expect(await server.db.database.prisma.session.count({ where: { id } })).toBe(0);
  });

  it('JSON nested 20,000 levels deep (40 KB, no token) is BAD_USER_INPUT with HTTP 400, in variables, metadata and literals', async () => {
    const server = await createTestServer();
    const tenant = await createTenant(server.db.database.prisma);
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const append = (metadata: string) =>
      `mutation ($v: JSONObject) { appendTranscript(org: "o", workspace: "w", id: "00000000", input: { messages: [{ role: USER, metadata: ${metadata} }] }) { lastSeq } }`;
    const anonymous = await server.post(`{"query":${JSON.stringify(append('$v'))},"variables":{"v":${deep(20_000)}}}`);
    expect(anonymous.status).toBe(400);
    expectEnvelope(anonymous.body.errors?.[0], 'BAD_USER_INPUT');
    expect(anonymous.body.errors![0]!.extensions.errors![0]).toMatchObject({ type: 'too_deep' });
    expect(anonymous.body.errors![0]!.extensions.errors![0]!.loc.slice(0, 2)).toEqual(['v', 'a']);

    const id = randomUUID();
    await server.execute(
      SaveSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, input: { id, model: 'm' } },
      tenant.members[0]!.token,
    );
    // Sent as text: JSON.stringify itself overflows the stack on such a value.
    const appended = await server.post(
      `{"query":${JSON.stringify(append('$v').replace('"o", workspace: "w", id: "00000000"', `"${tenant.org}", workspace: "${tenant.workspace}", id: "${id}"`))},"variables":{"v":${deep(5_000)}}}`,
      { authorization: `Bearer ${tenant.members[0]!.token}` },
    );
    expect(appended.status).toBe(400);
    expectEnvelope(appended.body.errors?.[0], 'BAD_USER_INPUT');
    expect(await server.db.database.prisma.sessionMessage.count({ where: { sessionId: id } })).toBe(0);
    // At the limit it is stored.
    const atLimit = JSON.parse(deep(MAX_INPUT_DEPTH - 4)) as Record<string, unknown>;
    const fine = await server.execute(
      AppendTranscriptDocument,
      { org: tenant.org, workspace: tenant.workspace, id, input: { messages: [{ role: 'USER', content: 'x', metadata: atLimit }] } },
      tenant.members[0]!.token,
    );
    expect(fine.body.errors).toBeUndefined();

    const literal = await server.post(
      JSON.stringify({ query: append(`${'{ a: '.repeat(80)}1${' }'.repeat(80)}`).replace('($v: JSONObject) ', '') }),
    );
    expect(literal.status).toBe(400);
    const items: { type: string }[] = literal.body.errors!.flatMap((error: EnvelopeError) => error.extensions.errors ?? []);
    expect(items.map((item) => item.type)).toContain('too_deep');
  });
});
