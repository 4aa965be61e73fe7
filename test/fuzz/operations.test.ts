import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { argumentVariable, randomVariables, typedVariables, withOneNearMissNumber, type Hints } from './arbitraries.js';
import { domainHints, FUZZ_CASES, fuzzOperation, rootFields, type FuzzOperation } from './cases.js';
import { exchange, Outcomes } from './exchange.js';
import { isRecord } from '../../src/schema/is-record.js';
import { isRejected, type GraphQLBody } from './oracle.js';
import { resolvePicks } from './session-picks.js';
import { budget } from '../support/budget.js';
import { FUZZ_RUNS, fuzzParameters } from './settings.js';
import { sessionIdsOf } from './snapshot.js';
import { createFuzzWorld, type Caller, type FuzzWorld } from './world.js';

// Members who can write get most runs, so requests reach the rules behind authorisation.
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('contributor' as const) },
  { weight: 3, arbitrary: fc.constant('admin' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Caller>('reader', 'worker', 'service', 'outsider', 'anonymous', 'unknownToken', 'malformedHeader'),
  },
);

const accept = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/graphql-response+json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json', '*/*', 'application/graphql-response+json, application/json;q=0.9') },
);

// A subscription that a client accepting a stream (*/*) may open is a stream that never ends: the
// fuzz, which reads whole answers, sends subscriptions as JSON requests only (test/live covers streams).
const jsonAccept = fc.constantFrom(
  'application/graphql-response+json',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
);

function property(world: FuzzWorld, hints: Hints, operation: FuzzOperation, outcomes: Outcomes) {
  const input = fc.record({
    caller,
    accept: operation.kind === 'subscription' ? jsonAccept : accept,
    variables: fc.oneof(
      { weight: 5, arbitrary: typedVariables(operation.variables, hints, 'wellTyped') },
      { weight: 2, arbitrary: withOneNearMissNumber(typedVariables(operation.variables, hints, 'wellTyped')) },
      { weight: 3, arbitrary: typedVariables(operation.variables, hints, 'malformed') },
      { weight: 1, arbitrary: randomVariables(operation.variables) },
    ),
  });
  return fc.asyncProperty(input, async (run) => {
    let sent: unknown;
    const body = await exchange(
      world,
      outcomes,
      (before) => {
        sent = resolvePicks(run.variables, sessionIdsOf(before));
        return {
          method: 'POST',
          payload: JSON.stringify({ query: operation.document, operationName: 'Fuzz', variables: sent }),
          headers: { 'content-type': 'application/json', accept: run.accept, authorization: world.authorization[run.caller] },
        };
      },
      // Queries never write; a mutation may only when it was not turned down.
      (body) => operation.kind === 'mutation' && !isRejected(body),
    );
    expectStoredAsSent(operation.field, sent, body);
  });
}

/**
 * A save or update that succeeded answers with what it stored: each scalar it was sent comes back
 * unchanged (a number is not truncated, a string not read as a number). Labels are normalised, so
 * they are left to the API tests.
 */
function expectStoredAsSent(field: string, sent: unknown, body: GraphQLBody): void {
  if (field !== 'saveSession' && field !== 'updateSession') return;
  const result = body.data?.[field];
  const input = isRecord(sent) && isRecord(sent.input) ? sent.input : undefined;
  if (!isRecord(result) || !input) return;
  // A retry keeps the stored origin and visibility (README, saveSession).
  const kept = field === 'saveSession' ? ['messageCount', 'model', 'agent', 'title'] : ['model', 'agent', 'title', 'visibility'];
  for (const key of kept) {
    // null leaves messageCount at its default, and clears title and agent.
    if (input[key] !== undefined && input[key] !== null) expect(result[key], `${field} stored input.${key}`).toEqual(input[key]);
  }
}

describe('fuzz: every query and mutation under random and malformed variables', () => {
  let world: FuzzWorld;
  let hints: Hints;

  beforeAll(async () => {
    world = await createFuzzWorld();
    hints = domainHints(world);
  });

  it('has a fuzz case for every root field of the schema, and none for a field that is gone', () => {
    const fields = rootFields(schema)
      .map((root) => root.name)
      .sort();
    expect(Object.keys(FUZZ_CASES).sort()).toEqual(fields);
  });

  for (const root of rootFields(schema)) {
    const fuzzCase = FUZZ_CASES[root.name];
    // A field without a case fails the coverage test above.
    if (!fuzzCase) continue;
    it(
      `${root.kind} ${root.name}: the answer keeps the contract and rejected requests change nothing`,
      async () => {
        const outcomes = new Outcomes();
        const name = `${root.kind} ${root.name}`;
        await fc.assert(property(world, hints, fuzzOperation(schema, root, fuzzCase), outcomes), fuzzParameters(name));
        console.log(`[fuzz] ${name} outcomes: ${outcomes.summary()}`);
      },
      budget(FUZZ_RUNS),
    );
  }

  // The filter is where user input becomes SQL. Here everything else of the request is valid and
  // a member asks, so every run reaches the database with a hostile filter (long searches, lists
  // from 0 to 10,000 items, odd label keys).
  for (const field of ['sessions', 'sessionFacets'] as const) {
    it(
      `query ${field}: a valid request with a hostile filter keeps the contract`,
      async () => {
        const root = rootFields(schema).find((candidate) => candidate.name === field)!;
        const filterArg = root.field.args.find((arg) => arg.name === 'filter')!;
        const filter = typedVariables([argumentVariable(field, filterArg)], hints, 'wellTyped');
        const outcomes = new Outcomes();
        const document = `query Fuzz($filter: SessionFilter) { ${field}(org: "${world.tenant.org}", workspace: "${world.tenant.workspace}", filter: $filter) ${FUZZ_CASES[field]!.selection} }`;
        await fc.assert(
          fc.asyncProperty(filter, fc.constantFrom<Caller>('contributor', 'admin', 'reader'), async (variables, who) => {
            await exchange(
              world,
              outcomes,
              () => ({
                method: 'POST',
                payload: JSON.stringify({ query: document, variables }),
                headers: {
                  'content-type': 'application/json',
                  accept: 'application/graphql-response+json',
                  authorization: world.authorization[who],
                },
              }),
              () => false,
            );
          }),
          fuzzParameters(`query ${field} with a hostile filter`),
        );
        console.log(`[fuzz] query ${field} with a hostile filter outcomes: ${outcomes.summary()}`);
      },
      budget(FUZZ_RUNS),
    );
  }
});
