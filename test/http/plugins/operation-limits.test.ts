import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/config.js';
import { buildYoga } from '../../../src/http/yoga.js';
import { sharedTestDatabase } from '../../support/database.js';
import { createTestServer, memoryLogger, type EnvelopeError } from '../../support/server.js';
import { createTenant } from '../../support/tenant.js';

describe('operation limits', () => {
  const post = async (body: unknown, token?: string, limits = DEFAULT_LIMITS, maxBodyBytes?: number) => {
    const { database } = await sharedTestDatabase();
    const yoga = buildYoga({
      config: { graphiql: false, introspection: true, demoToken: undefined, limits, maxBodyBytes },
      prisma: database.prisma,
      logger: memoryLogger(),
    });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: EnvelopeError[] } };
  };
  const expectRejected = (response: Awaited<ReturnType<typeof post>>, message: RegExp) => {
    expect(response.status).toBe(400);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', status: 400, type: 'invalid_request_error' });
    expect(response.body.errors?.[0]?.message).toMatch(message);
  };

  it('depth, aliases, tokens and directives beyond the limits are BAD_REQUEST', async () => {
    const deep = { query: '{ sessions(org: "o", workspace: "w") { nodes { transcript { messages { toolCalls { name } } } } } }' };
    expectRejected(await post(deep, undefined, { ...DEFAULT_LIMITS, maxDepth: 4 }), /depth/i);
    // Within the limit the same document passes validation (and fails later, for want of a token).
    expect((await post(deep)).body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const aliases = { query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { tokenKind }`).join(' ')} }` };
    expectRejected(await post(aliases), /aliases/i);
    const tokens = { query: `{ ${'__typename '.repeat(5001)}}` };
    expectRejected(await post(tokens), /token/i);
    const directives = { query: `{ __typename ${'@skip(if: false) '.repeat(21)}}` };
    expectRejected(await post(directives), /directive/i);
  });

  it('the cost counts page sizes: a big page of big transcripts is refused, a normal page is not', async () => {
    const server = await createTestServer();
    const tenant = await createTenant(server.db.database.prisma);
    const token = tenant.members[0]!.token;
    const query = `query ($n: Int, $m: Int) { sessions(org: "${tenant.org}", workspace: "${tenant.workspace}", first: $n) {
      nodes { id title labels { key values } usage { totalTokens } transcript(first: $m) { messages { seq role content } } } } }`;
    expect((await post({ query, variables: { n: 50, m: 10 } }, token)).body.errors).toBeUndefined();
    // The largest transcript page of one session, with every message field, stays within the limit.
    const fullPage = `{ session(org: "${tenant.org}", workspace: "${tenant.workspace}", id: "00000000") { transcript(first: 1000) {
      hasMore messages { id seq role content parentId toolCallId toolCalls { callId name arguments } metadata
      usage { inputTokens outputTokens cacheReadInputTokens cacheCreationInputTokens costUsd } createdAt } } } }`;
    expect((await post({ query: fullPage }, token)).body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    const expensive = await post({ query, variables: { n: 100, m: 1000 } }, token);
    expectRejected(expensive, /cost \d+ exceeds the limit of 50000/);
  });

  it('nested fragment spreads are costed once per fragment: 40 levels of double spreads are refused at once, anonymously', async () => {
    // Each level spreads the next twice: 2^40 leaves, under 2 KB of document. Costing every
    // spread again took time doubling per level (24 levels: ~10 s of a blocked server).
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const query = `query { ...F0 }\n${fragments.join('\n')}\nfragment F${levels} on Query { __typename }`;
    expect(query.length).toBeLessThan(2000);
    const response = await post({ query });
    expectRejected(response, /cost \d+ exceeds the limit of 50000/);
    expect(Number(/cost (\d+)/.exec(response.body.errors![0]!.message)![1])).toBe(2 ** levels);
  });

  it('a fragment costs what its fields would cost written out in place', async () => {
    const inline = `{ sessions(org: "o", workspace: "w", first: 100) { nodes { id transcript(first: 1000) { messages { seq role content } } } } }`;
    const spread = `query { ...S } fragment S on Query { sessions(org: "o", workspace: "w", first: 100) { nodes { ...N } } }
      fragment N on Session { id transcript(first: 1000) { ...M } } fragment M on TranscriptPage { messages { seq role content } }`;
    const costOf = async (query: string) => Number(/cost (\d+)/.exec((await post({ query })).body.errors?.[0]?.message ?? '')?.[1]);
    // sessions + 100 × (nodes + id + transcript + 1000 × (messages + 3 fields))
    expect(await costOf(inline)).toBe(1 + 100 * (1 + 1 + 1 + 1000 * (1 + 3)));
    expect(await costOf(spread)).toBe(await costOf(inline));
  });

  it('variable defaults count: a page size left to a default costs what it will load', async () => {
    const query = `query Q($a: Int = 100, $b: Int = 1000) { sessions(org: "o", workspace: "w", first: $a) {
      nodes { transcript(first: $b) { messages { id seq role content } } } } }`;
    expectRejected(await post({ query }), /cost \d+ exceeds the limit/);
    // The same with the argument's own default (transcript: 100) and the connection's (20) passes.
    const defaults = `query Q { sessions(org: "o", workspace: "w") { nodes { transcript { messages { id seq role content } } } } }`;
    expect((await post({ query: defaults })).body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    // A variable that is declared without a default and not sent leaves the argument's default.
    const unsent = `query Q($b: Int) { sessions(org: "o", workspace: "w", first: 100) { nodes { transcript(first: $b) { messages { id seq role content parentId } } } } }`;
    expectRejected(await post({ query: unsent }), /cost 60201 exceeds/);
  });

  it('a body over the size limit is refused with HTTP 413', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2048) } });
    const response = await post(big, undefined, DEFAULT_LIMITS, 1024);
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});
