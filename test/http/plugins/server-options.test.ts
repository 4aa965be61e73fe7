import { describe, expect, it } from 'vitest';
import { buildYoga } from '../../../src/http/yoga.js';
import { sharedTestDatabase } from '../../support/database.js';
import { memoryLogger } from '../../support/server.js';
import { createTenant } from '../../support/tenant.js';

async function yogaWith(options: { graphiql: boolean; introspection: boolean; corsOrigins?: string[] }) {
  const { database } = await sharedTestDatabase();
  return buildYoga({ config: { ...options, demoToken: undefined }, prisma: database.prisma, logger: memoryLogger() });
}

const INTROSPECTION = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

interface Answer {
  status: number;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions: { code: string; status: number; errors?: { msg: string }[] } }[] };
}

function poster(yoga: Awaited<ReturnType<typeof yogaWith>>) {
  return async (
    query: string,
    { token, variables, operationName }: { token?: string; variables?: unknown; operationName?: string } = {},
  ): Promise<Answer> => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables, operationName }),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
  };
}

// What the SDL says of Session, as it appears in the JSON text of a response.
const SDL_KEY = '@key(fields: \\"id\\")';

/** Every message a client reads in the errors: each `message` and each validation item's `msg`. */
const said = (answer: Answer) =>
  (answer.body.errors ?? []).flatMap((error) => [error.message, ...(error.extensions.errors ?? []).map((item) => item.msg)]).join('\n');

// Ways to select _service that a check by root field name would miss.
const HIDDEN_SERVICE_QUERIES = [
  '{ _service { sdl } }',
  '{ schema: _service { sdl } }',
  '{ ... on Query { _service { sdl } } }',
  '{ ... { s: _service { sdl } } }',
  '{ __typename ...Outer } fragment Outer on Query { ...Inner } fragment Inner on Query { x: _service { sdl } }',
  'query Plain { __typename } query Sdl { ...Inner } fragment Inner on Query { _service { sdl } }',
];

// Misspellings graphql-js answers with "Did you mean …": in validation and in variable coercion.
const MISSPELLINGS: { query: string; variables?: unknown; leaks: RegExp }[] = [
  { query: '{ sesion(org: "a", workspace: "b", id: "x") { id } }', leaks: /"session"/ },
  { query: '{ sessions(org: "a", workspace: "b", ordrBy: {}) { totalCount } }', leaks: /"orderBy"/ },
  { query: '{ sessions(org: "a", workspace: "b", orderBy: { field: CREATED_A, direction: ASC }) { totalCount } }', leaks: /"CREATED_AT"/ },
  { query: 'query($o: SessionOrdr) { sessions(org: "a", workspace: "b", orderBy: $o) { totalCount } }', leaks: /"SessionOrder"/ },
  {
    query: 'query($o: SessionOrder) { sessions(org: "a", workspace: "b", orderBy: $o) { totalCount } }',
    variables: { o: { feld: 'CREATED_AT', direction: 'ASC' } },
    leaks: /"field"/,
  },
  {
    query: 'query($o: SessionOrder) { sessions(org: "a", workspace: "b", orderBy: $o) { totalCount } }',
    variables: { o: { field: 'CREATED_A', direction: 'ASC' } },
    leaks: /"CREATED_AT"/,
  },
];

describe('server switches and request ids', () => {
  it('INTROSPECTION=false rejects introspection with BAD_REQUEST; plain queries still work', async () => {
    const yoga = await yogaWith({ graphiql: true, introspection: false });
    const post = (body: string) =>
      yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const denied = await post(INTROSPECTION);
    const body = (await denied.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/introspection/i);
    const plain = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(await plain.json()).toEqual({ data: { __typename: 'Query' } });

    const open = await yogaWith({ graphiql: true, introspection: true });
    const allowed = await open.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: INTROSPECTION,
    });
    expect(await allowed.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('INTROSPECTION=false serves _service only to SERVICE tokens, however the document hides it', async () => {
    const { database } = await sharedTestDatabase();
    const tenant = await createTenant(database.prisma, [
      { role: 'READER', tokenKind: 'USER' },
      { role: 'READER', tokenKind: 'WORKER' },
      { role: 'READER', tokenKind: 'SERVICE' },
    ]);
    const [user, worker, service] = tenant.members.map((member) => member.token);
    const post = poster(await yogaWith({ graphiql: false, introspection: false }));
    for (const query of HIDDEN_SERVICE_QUERIES) {
      const operationName = query.includes('query Sdl') ? 'Sdl' : undefined;
      const anonymous = await post(query, { operationName });
      expect(anonymous.status, query).toBe(401);
      expect(anonymous.body.errors?.[0]?.extensions, query).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      for (const token of [user, worker]) {
        const denied = await post(query, { token, operationName });
        expect(denied.status, query).toBe(403);
        expect(denied.body.errors?.[0]?.extensions, query).toMatchObject({ code: 'FORBIDDEN', status: 403 });
        expect(denied.body.data, query).toBeUndefined();
        expect(denied.text, query).not.toContain('@key');
        expect(denied.text, query).not.toContain('Session');
      }
      const served = await post(query, { token: service, operationName });
      expect(served.status, query).toBe(200);
      expect(served.text, query).toContain(SDL_KEY);
    }
    // Another operation of the same document runs as usual.
    expect((await post(HIDDEN_SERVICE_QUERIES.at(-1)!, { operationName: 'Plain' })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('INTROSPECTION=false takes "Did you mean" out of error messages; with introspection on they stay', async () => {
    const closed = poster(await yogaWith({ graphiql: false, introspection: false }));
    const open = poster(await yogaWith({ graphiql: false, introspection: true }));
    for (const { query, variables, leaks } of MISSPELLINGS) {
      const before = await open(query, { variables });
      expect(said(before), query).toMatch(/Did you mean/);
      expect(said(before), query).toMatch(leaks);
      const after = await closed(query, { variables });
      expect(after.status, query).toBe(before.status);
      expect(said(after), query).not.toMatch(/Did you mean/);
      expect(said(after), query).not.toMatch(leaks);
      // The same errors otherwise, with their envelope.
      expect(
        after.body.errors?.map((error) => error.extensions.code),
        query,
      ).toEqual(before.body.errors?.map((error) => error.extensions.code));
      expect(after.body.errors?.[0]?.message, query).toBe(before.body.errors?.[0]?.message.replace(/\s*Did you mean [^?]*\?/, ''));
    }
  });

  it('with introspection on (the default) _service answers anyone, as before', async () => {
    const post = poster(await yogaWith({ graphiql: false, introspection: true }));
    const served = await post('{ _service { sdl } }');
    expect(served.status).toBe(200);
    expect(served.text).toContain(SDL_KEY);
  });

  describe('CORS', () => {
    const APP = 'https://app.example.com';
    const OTHER = 'https://evil.example.net';
    const cors = (response: globalThis.Response) => ({
      status: response.status,
      allowOrigin: response.headers.get('access-control-allow-origin'),
      credentials: response.headers.get('access-control-allow-credentials'),
      methods: response.headers.get('access-control-allow-methods'),
      headers: response.headers.get('access-control-allow-headers'),
      expose: response.headers.get('access-control-expose-headers'),
      vary: response.headers.get('vary'),
    });
    async function clients(corsOrigins?: string[]) {
      const yoga = await yogaWith({ graphiql: true, introspection: true, corsOrigins });
      return {
        post: async (origin?: string) =>
          cors(
            await yoga.fetch('http://localhost/graphql', {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer cst_x', ...(origin ? { origin } : {}) },
              body: JSON.stringify({ query: '{ __typename }' }),
            }),
          ),
        preflight: async (origin?: string, path = '/graphql') =>
          cors(
            await yoga.fetch(`http://localhost${path}`, {
              method: 'OPTIONS',
              headers: {
                ...(origin ? { origin } : {}),
                'access-control-request-method': 'POST',
                'access-control-request-headers': 'authorization, content-type',
              },
            }),
          ),
        health: async (origin: string) => cors(await yoga.fetch('http://localhost/health', { headers: { origin } })),
      };
    }

    it('by default any origin may call, never with credentials', async () => {
      const { post, preflight, health } = await clients();
      expect(await post(OTHER)).toMatchObject({ allowOrigin: '*', credentials: null, expose: 'X-Request-Id, Retry-After' });
      expect(await preflight(OTHER)).toMatchObject({
        status: 204,
        allowOrigin: '*',
        credentials: null,
        methods: 'GET, POST',
        headers: 'authorization, content-type',
      });
      // Not a cross-origin request: nothing to say.
      expect(await post()).toMatchObject({ allowOrigin: null, credentials: null });
      expect(await health(OTHER)).toMatchObject({ status: 200, allowOrigin: null });
    });

    it('CORS_ORIGINS: only the listed origins, with credentials; others get no allow-origin header', async () => {
      const { post, preflight, health } = await clients([APP, 'http://localhost:5173']);
      expect(await post(APP)).toMatchObject({
        status: 401,
        allowOrigin: APP,
        credentials: 'true',
        expose: 'X-Request-Id, Retry-After',
        vary: expect.stringContaining('Origin'),
      });
      expect(await post('http://localhost:5173')).toMatchObject({ allowOrigin: 'http://localhost:5173', credentials: 'true' });
      expect(await preflight(APP)).toMatchObject({
        status: 204,
        allowOrigin: APP,
        credentials: 'true',
        methods: 'GET, POST',
        headers: 'authorization, content-type',
      });
      // The answer still comes (the server cannot stop a request), but the browser keeps it from the page.
      for (const origin of [OTHER, 'null', `${APP}.evil.example.net`, 'http://app.example.com']) {
        expect(await post(origin), origin).toMatchObject({
          allowOrigin: null,
          credentials: null,
          expose: null,
          vary: expect.stringContaining('Origin'),
        });
        expect(await preflight(origin), origin).toMatchObject({
          status: 204,
          allowOrigin: null,
          credentials: null,
          methods: null,
          headers: null,
        });
      }
      expect(await post()).toMatchObject({ allowOrigin: null, credentials: null, vary: expect.stringContaining('Origin') });
      expect(await health(APP)).toMatchObject({ status: 200, allowOrigin: null });
    });
  });

  it('GRAPHIQL=false serves no playground and no GraphiQL assets', async () => {
    const yoga = await yogaWith({ graphiql: false, introspection: true });
    const page = await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('renderYogaGraphiQL');
    const asset = await yoga.fetch('http://localhost/graphiql/graphiql.css');
    expect(asset.status).toBe(404);
    const on = await yogaWith({ graphiql: true, introspection: true });
    expect(await (await on.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } })).text()).toContain('renderYogaGraphiQL');
  });

  it('returns the caller\u2019s plain X-Request-Id, or a new UUID', async () => {
    const yoga = await yogaWith({ graphiql: false, introspection: true });
    const ask = (headers: Record<string, string>) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    expect((await ask({ 'x-request-id': 'trace-abc.123' })).headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = (await ask({ 'x-request-id': 'not ok <script>' })).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
