import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { typedVariables, type Hints } from './arbitraries.js';
import { domainHints, FUZZ_CASES, fuzzOperation, rootFields, type FuzzOperation } from './cases.js';
import { graphqlishDocument, type DocumentContext } from './documents.js';
import { exchange, Outcomes } from './exchange.js';
import { anyJson, hostileString } from './hostile-values.js';
import { checkResponse, isRejected, type GraphQLBody } from './oracle.js';
import { send, type RawRequest } from './send.js';
import { resolvePicks } from './session-picks.js';
import { budget } from '../support/budget.js';
import { FUZZ_RUNS, fuzzParameters } from './settings.js';
import { sessionIdsOf, type TenantDigest } from './snapshot.js';
import { CALLERS, createFuzzWorld, type FuzzWorld } from './world.js';

/**
 * Malformed requests as a whole: bodies that are not JSON, JSON of the wrong shape, real requests
 * broken at random, GraphQL-ish documents, GET requests (where mutations are refused), odd
 * content types and headers. Every answer keeps the contract (oracle.ts) and a request turned
 * down changes nothing.
 */

// Queries and mutations: a subscription accepted as a stream (text/event-stream, */*) never ends,
// and this fuzz reads whole answers (subscriptions are fuzzed as JSON requests in operations.test.ts).
const OPERATIONS: FuzzOperation[] = rootFields(schema).flatMap((root) => {
  if (root.kind === 'subscription') return [];
  const fuzzCase = FUZZ_CASES[root.name];
  return fuzzCase ? [fuzzOperation(schema, root, fuzzCase)] : [];
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/graphql-response+json',
  'application/graphql',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=xyz',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  '',
  '*/*',
] as const;

const ACCEPTS = [
  'application/graphql-response+json',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  '*/*',
  'text/event-stream',
  'text/html',
  'application/xml',
  'application/json; charset=latin1',
  ' ',
] as const;

/** Any header value fetch accepts (visible ASCII and spaces). */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 });

/** Turns a real request into a broken one: cut, spliced, bytes replaced, brackets lost. */
const BREAKS = ['truncate', 'delete', 'insert', 'replace', 'duplicate', 'unquote'] as const;
function breakText(text: string, breaks: { kind: (typeof BREAKS)[number]; at: number; size: number; with: string }[]): string {
  let result = text;
  for (const edit of breaks) {
    const at = Math.floor(edit.at * result.length);
    const end = Math.min(result.length, at + edit.size);
    switch (edit.kind) {
      case 'truncate':
        result = result.slice(0, at);
        break;
      case 'delete':
        result = result.slice(0, at) + result.slice(end);
        break;
      case 'insert':
        result = result.slice(0, at) + edit.with + result.slice(at);
        break;
      case 'replace':
        result = result.slice(0, at) + edit.with + result.slice(end);
        break;
      case 'duplicate':
        result = result.slice(0, end) + result.slice(at, end) + result.slice(end);
        break;
      case 'unquote':
        result = result.replace('"', '');
        break;
    }
  }
  return result;
}

const textBreaks = fc.array(
  fc.record({
    kind: fc.constantFrom(...BREAKS),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    size: fc.integer({ min: 1, max: 12 }),
    with: fc.oneof(
      fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', 'null', '\u0000', '\\u0000', '\\ud800', '1e999'),
      hostileString.filter((s) => s.length < 50),
    ),
  }),
  { minLength: 1, maxLength: 3 },
);

describe('fuzz: malformed requests as a whole', () => {
  let world: FuzzWorld;
  let hints: Hints;
  let documents: DocumentContext;

  beforeAll(async () => {
    world = await createFuzzWorld();
    hints = domainHints(world);
    documents = {
      schema,
      domainStrings: [
        world.tenant.org,
        world.tenant.workspace,
        world.other.org,
        world.sharedPrefix,
        ...world.seededSessionIds,
        ...world.messageIds,
      ],
    };
  });

  const authorization = () =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...CALLERS).map((caller) => world.authorization[caller]) },
      { weight: 1, arbitrary: headerText.map((text) => `Bearer ${text}`) },
      { weight: 1, arbitrary: headerText },
    );

  /** A well-formed request for a random root field, before any picks are resolved. */
  const realRequest = () =>
    fc
      .constantFrom(...OPERATIONS)
      .chain((operation) =>
        typedVariables(operation.variables, hints, 'wellTyped').map((variables) => ({ document: operation.document, variables })),
      );

  const realBody = (request: { document: string; variables: unknown }, before: TenantDigest) =>
    JSON.stringify({ query: request.document, operationName: 'Fuzz', variables: resolvePicks(request.variables, sessionIdsOf(before)) });

  const mayChange = (body: GraphQLBody) => !isRejected(body);

  async function check<T>(name: string, input: fc.Arbitrary<T>, build: (value: T, before: TenantDigest) => RawRequest, scale = 1) {
    const outcomes = new Outcomes();
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        await exchange(world, outcomes, (before) => build(value, before), mayChange);
      }),
      fuzzParameters(name, scale),
    );
    console.log(`[fuzz] ${name} outcomes: ${outcomes.summary()}`);
  }

  it(
    'bodies that are not JSON: random text and bytes',
    async () => {
      const body: fc.Arbitrary<{ text: string; bytes?: Uint8Array }> = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => ({ text })),
        fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((text) => ({ text })),
        hostileString.map((text) => ({ text })),
        // Bytes that are not UTF-8 at all (shown as latin1 in a failure report).
        fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ text: Buffer.from(bytes).toString('latin1'), bytes })),
      );
      await check(
        'body: random text and bytes',
        fc.record({ body, authorization: authorization(), accept: fc.constantFrom(...ACCEPTS) }),
        (run) => ({
          method: 'POST',
          payload: run.body.text,
          bytes: run.body.bytes,
          headers: { 'content-type': 'application/json', accept: run.accept, authorization: run.authorization },
        }),
      );
    },
    budget(FUZZ_RUNS * 2),
  );

  it(
    'real requests broken at random',
    async () => {
      await check(
        'body: real requests broken at random',
        fc.record({ request: realRequest(), breaks: textBreaks, authorization: authorization() }),
        (run, before) => ({
          method: 'POST',
          payload: breakText(realBody(run.request, before), run.breaks),
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: run.authorization },
        }),
      );
    },
    budget(FUZZ_RUNS * 2),
  );

  it(
    'JSON of the wrong shape: wrong types for query, variables, operationName and extensions',
    async () => {
      const query = fc.oneof(
        { weight: 2, arbitrary: anyJson },
        { weight: 2, arbitrary: fc.constantFrom(...OPERATIONS.map((operation) => operation.document)) },
        { weight: 1, arbitrary: fc.constantFrom('', ' ', '{', '{ __typename }', 'query Fuzz { viewer { tokenKind } }') },
      );
      const request = fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record(
            {
              query,
              variables: anyJson,
              operationName: fc.oneof(anyJson, fc.constantFrom('Fuzz', 'Other', '')),
              extensions: fc.oneof(anyJson, fc.constant({ persistedQuery: { version: 1, sha256Hash: 'abc' } })),
              documentId: anyJson,
            },
            { requiredKeys: [] },
          ),
        },
        // Not an object: an array (batching is off), a string, a number …
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: fc.array(fc.record({ query: fc.constant('{ __typename }') }), { maxLength: 3 }) },
      );
      await check('body: JSON of the wrong shape', fc.record({ request, authorization: authorization() }), (run) => ({
        method: 'POST',
        payload: JSON.stringify(run.request) ?? 'undefined',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: run.authorization },
      }));
    },
    budget(FUZZ_RUNS * 2),
  );

  it(
    'GraphQL-ish documents: token soup, random operations with literals, documents that exhaust',
    async () => {
      const input = fc.record({
        document: fc.constant(null).chain(() => graphqlishDocument(documents)),
        variables: fc.option(fc.dictionary(fc.constantFrom('x', 'org', 'id', 'input', 'v'), anyJson, { maxKeys: 3 }), { freq: 2 }),
        operationName: fc.oneof(
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom('Op', 'Fuzz', 'Nope') },
        ),
        authorization: fc.oneof(
          { weight: 4, arbitrary: fc.constant(world.authorization.contributor) },
          { weight: 1, arbitrary: authorization() },
        ),
      });
      await check(
        'body: GraphQL-ish documents',
        input,
        (run) => ({
          method: 'POST',
          payload: JSON.stringify({
            query: run.document,
            variables: run.variables ?? undefined,
            operationName: run.operationName ?? undefined,
          }),
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: run.authorization },
        }),
        2,
      );
    },
    budget(FUZZ_RUNS * 2),
  );

  it(
    'GET requests: mutations are refused, nothing changes, query parameters of any kind',
    async () => {
      const param = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...OPERATIONS.map((operation) => operation.document)) },
        { weight: 2, arbitrary: fc.constant(null).chain(() => graphqlishDocument(documents)) },
        { weight: 1, arbitrary: hostileString },
      );
      const input = fc.record({
        query: fc.option(param, { freq: 8 }),
        variables: fc.option(
          fc.oneof(
            anyJson.map((value) => JSON.stringify(value) ?? ''),
            hostileString,
          ),
          { freq: 2 },
        ),
        operationName: fc.option(fc.oneof(fc.constant('Fuzz'), hostileString), { freq: 2 }),
        extensions: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileString }),
        accept: fc.constantFrom(...ACCEPTS.filter((accept) => accept !== 'text/html')),
        authorization: authorization(),
      });
      await check('GET: query parameters of any kind', input, (run) => {
        const params = new URLSearchParams();
        for (const key of ['query', 'variables', 'operationName', 'extensions'] as const) {
          const value = run[key];
          if (value !== null) params.set(key, value);
        }
        return { method: 'GET', payload: params.toString(), headers: { accept: run.accept, authorization: run.authorization } };
      });
    },
    budget(FUZZ_RUNS * 2),
  );

  it(
    'content types, accept headers and odd headers around real requests',
    async () => {
      const input = fc.record({
        request: realRequest(),
        contentType: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: headerText }),
        accept: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ACCEPTS) }, { weight: 1, arbitrary: headerText }),
        requestId: fc.option(fc.oneof(headerText, fc.constant('x'.repeat(500))), { freq: 2 }),
        clientVersion: fc.option(headerText, { freq: 2 }),
        authorization: authorization(),
      });
      await check('headers: content types, accept, request id, client version', input, (run, before) => ({
        method: 'POST',
        payload: realBody(run.request, before),
        headers: {
          'content-type': run.contentType,
          accept: run.accept,
          authorization: run.authorization,
          'x-request-id': run.requestId ?? undefined,
          'x-client-version': run.clientVersion ?? undefined,
        },
      }));
    },
    budget(FUZZ_RUNS * 2),
  );

  it('a body over the size limit is refused with HTTP 413 in the envelope', async () => {
    const request: RawRequest = {
      method: 'POST',
      payload: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(10 * 1024 * 1024) } }),
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: world.authorization.contributor,
      },
    };
    const response = await send(world.server, request);
    checkResponse(request, response);
    expect(response.status).toBe(413);
  });
});
