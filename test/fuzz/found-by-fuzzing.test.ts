import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_TABLE } from '../../src/errors.js';
import { checkResponse } from './oracle.js';
import { send, type RawRequest } from './send.js';
import { tenantDigest } from './snapshot.js';
import { createFuzzWorld, type FuzzWorld } from './world.js';

/**
 * The inputs the fuzz suite found answered with HTTP 500, INTERNAL_SERVER_ERROR or no GraphQL body,
 * replayed as plain examples so they stay fixed whatever seed the fuzz suite draws.
 */
describe('found by fuzzing', () => {
  let world: FuzzWorld;

  beforeAll(async () => {
    world = await createFuzzWorld();
  });

  const post = (body: unknown, headers: Record<string, string | undefined> = {}): RawRequest => ({
    method: 'POST',
    payload: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: world.authorization.contributor,
      ...headers,
    },
  });

  async function answer(request: RawRequest) {
    const response = await send(world.server, request);
    return { status: response.status, body: checkResponse(request, response) };
  }

  it('_entities with a representation that is not an object or names no entity type is BAD_USER_INPUT', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    for (const [representation, loc] of [
      [0, ['representations', 0]],
      [{}, ['representations', 0, '__typename']],
      [{ __typename: 'Nope', id: randomUUID() }, ['representations', 0, '__typename']],
      [{ __typename: 'Query' }, ['representations', 0, '__typename']],
    ] as const) {
      const { body } = await answer(post({ query, variables: { r: [representation] } }));
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc }] });
    }
    const { body } = await answer(post({ query, variables: { r: [{ __typename: 'Session', id: world.seededSessionIds[0] }] } }));
    expect(body.errors).toBeUndefined();
  });

  it('GET with variables or extensions that are not JSON is BAD_REQUEST with HTTP 400, not 500', async () => {
    for (const params of ['query=%7B__typename%7D&variables=%26', 'query=%7B__typename%7D&extensions=%7B', 'variables=nope']) {
      const { status, body } = await answer({ method: 'GET', payload: params, headers: { accept: 'application/graphql-response+json' } });
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('a variable with an unknown field whose name holds a newline is BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
    const { status, body } = await answer(
      post({
        query: 'mutation($i: AppendTranscriptInput!) { appendTranscript(org: "o", workspace: "w", id: "12345678", input: $i) { lastSeq } }',
        variables: { i: { messages: [{ role: 'USER', 'a\nb': 1 }] } },
      }),
    );
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('a mutation whose Accept header names no type it can be answered in is refused with 406 before it runs', async () => {
    const before = await tenantDigest(world.server.db.database.prisma, world.scope);
    for (const accept of [' ', 'text/html', 'application/xml', 'application/json; charset=latin1']) {
      const response = await send(
        world.server,
        post(
          {
            query:
              'mutation($org: String!, $ws: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $ws, input: $input) { id } }',
            variables: { org: world.tenant.org, ws: world.tenant.workspace, input: { id: randomUUID(), model: 'm' } },
          },
          { accept },
        ),
      );
      expect(response.status).toBe(406);
    }
    expect(await tenantDigest(world.server.db.database.prisma, world.scope)).toEqual(before);
  });

  it('a POST whose content type no parser takes is HTTP 415 with a BAD_REQUEST error, not an empty body', async () => {
    for (const contentType of [undefined, 'text/plain', 'application/xml']) {
      const { status, body } = await answer(post({ query: '{ __typename }' }, { 'content-type': contentType }));
      expect(status).toBe(415);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', status: ERROR_TABLE.BAD_REQUEST.status });
    }
  });

  it('an unpaired surrogate in a variable is BAD_USER_INPUT with HTTP 400, and nothing is stored', async () => {
    const before = await tenantDigest(world.server.db.database.prisma, world.scope);
    const { status, body } = await answer(
      post({
        query:
          'mutation($org: String!, $ws: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $ws, input: $input) { id } }',
        variables: {
          org: world.tenant.org,
          ws: world.tenant.workspace,
          input: { id: randomUUID(), model: 'm', title: 'a\udc00\udc00b', labels: [{ key: 'k', values: ['\ud800'] }] },
        },
      }),
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [
        { loc: ['input', 'title'], type: 'unpaired_surrogate' },
        { loc: ['input', 'labels', 0, 'values', 0], type: 'unpaired_surrogate' },
      ],
    });
    expect(await tenantDigest(world.server.db.database.prisma, world.scope)).toEqual(before);
    // A well-formed pair (an emoji) is of course fine.
    const emoji = await answer(
      post({
        query:
          'mutation($org: String!, $ws: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $ws, input: $input) { title } }',
        variables: { org: world.tenant.org, ws: world.tenant.workspace, input: { id: randomUUID(), model: 'm', title: '\ud83d\ude00' } },
      }),
    );
    expect(emoji.body.data).toEqual({ saveSession: { title: '😀' } });
  });

  it('a batch that would take messageCount or the usage totals past 2147483647 is BAD_USER_INPUT and stores nothing', async () => {
    const save = (input: Record<string, unknown>) =>
      answer(
        post({
          query:
            'mutation($org: String!, $ws: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $ws, input: $input) { id } }',
          variables: { org: world.tenant.org, ws: world.tenant.workspace, input },
        }),
      );
    const append = (id: string, messages: unknown[]) =>
      answer(
        post({
          query: `mutation($org: String!, $ws: String!, $id: String!, $input: AppendTranscriptInput!) {
            appendTranscript(org: $org, workspace: $ws, id: $id, input: $input) { lastSeq session { messageCount usage { totalTokens } } } }`,
          variables: { org: world.tenant.org, ws: world.tenant.workspace, id, input: { messages } },
        }),
      );
    const full = randomUUID();
    await save({ id: full, model: 'm', messageCount: 2147483647 });
    const counted = await append(full, [{ role: 'USER', content: 'one more' }]);
    expect(counted.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ type: 'total_too_large' }] });

    const heavy = randomUUID();
    await save({ id: heavy, model: 'm' });
    const first = await append(heavy, [{ role: 'ASSISTANT', usage: { inputTokens: 2147483647 } }]);
    expect(first.body.data).toMatchObject({ appendTranscript: { session: { usage: { totalTokens: 2147483647 } } } });
    const before = await tenantDigest(world.server.db.database.prisma, world.scope);
    const over = await append(heavy, [{ role: 'ASSISTANT', usage: { outputTokens: 1 } }]);
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ type: 'total_too_large' }] });
    expect(await tenantDigest(world.server.db.database.prisma, world.scope)).toEqual(before);
  });

  it('a literal nested 2,000 levels deep (under the token limit) is BAD_REQUEST with HTTP 400, not a stack overflow', async () => {
    for (const levels of [101, 1_600, 2_000]) {
      const metadata = `${'{ a: '.repeat(levels)}1${' }'.repeat(levels)}`;
      const query = `mutation { appendTranscript(org: "o", workspace: "w", id: "00000000", input: { messages: [{ role: USER, metadata: ${metadata} }] }) { lastSeq } }`;
      const { status, body } = await answer(post({ query }, { authorization: undefined }));
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
      expect(body.errors?.[0]?.message).toMatch(/Nesting limit of 100 exceeded/);
    }
    const lists = `{ sessions(org: "o", workspace: "w", filter: { agents: ${'['.repeat(3000)}"a"${']'.repeat(3000)} }) { totalCount } }`;
    expect((await answer(post({ query: lists }))).status).toBe(400);
  });

  it('an empty batch, or a batch item that is no object, is BAD_REQUEST with HTTP 400 (not [] or a 500)', async () => {
    for (const payload of ['[]', '[null]', '[1, {"query": "{ __typename }"}]', '[[]]']) {
      const { status, body } = await answer({ ...post([]), payload });
      expect(status, payload).toBe(400);
      expect(body.errors?.[0]?.extensions.code, payload).toBe('BAD_REQUEST');
    }
  });
});
