import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { randomVariables, typedVariables, type Hints } from './arbitraries.js';
import { domainHints, FUZZ_CASES, fuzzOperation, rootFields, type FuzzOperation } from './cases.js';
import { exchange, Outcomes } from './exchange.js';
import { isRejected } from './oracle.js';
import { resolvePicks } from './session-picks.js';
import { budget } from '../support/budget.js';
import { FUZZ_RUNS, fuzzParameters } from './settings.js';
import { sessionIdsOf } from './snapshot.js';
import { createFuzzWorld, type Caller, type FuzzWorld } from './world.js';

// Members who can write get most runs, so requests reach the rules behind authorisation.
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('contributor' as const) },
  { weight: 3, arbitrary: fc.constant('admin' as const) },
  { weight: 1, arbitrary: fc.constantFrom<Caller>('reader', 'worker', 'service', 'outsider', 'anonymous', 'unknownToken', 'malformedHeader') },
);

const accept = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/graphql-response+json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json', '*/*', 'application/graphql-response+json, application/json;q=0.9') },
);

function property(world: FuzzWorld, hints: Hints, operation: FuzzOperation, outcomes: Outcomes) {
  const input = fc.record({
    caller,
    accept,
    variables: fc.oneof(
      { weight: 5, arbitrary: typedVariables(operation.variables, hints, 'wellTyped') },
      { weight: 3, arbitrary: typedVariables(operation.variables, hints, 'malformed') },
      { weight: 1, arbitrary: randomVariables(operation.variables) },
    ),
  });
  return fc.asyncProperty(input, (run) =>
    exchange(
      world,
      outcomes,
      (before) => ({
        method: 'POST',
        payload: JSON.stringify({
          query: operation.document,
          operationName: 'Fuzz',
          variables: resolvePicks(run.variables, sessionIdsOf(before)),
        }),
        headers: { 'content-type': 'application/json', accept: run.accept, authorization: world.authorization[run.caller] },
      }),
      // Queries never write; a mutation may only when it was not turned down.
      (body) => operation.kind === 'mutation' && !isRejected(body),
    ),
  );
}

describe('fuzz: every query and mutation under random and malformed variables', () => {
  let world: FuzzWorld;
  let hints: Hints;

  beforeAll(async () => {
    world = await createFuzzWorld();
    hints = domainHints(world);
  });

  it('has a fuzz case for every root field of the schema, and none for a field that is gone', () => {
    const fields = rootFields(schema).map((root) => root.name).sort();
    expect(Object.keys(FUZZ_CASES).sort()).toEqual(fields);
  });

  for (const root of rootFields(schema)) {
    const fuzzCase = FUZZ_CASES[root.name];
    // A field without a case fails the coverage test above.
    if (!fuzzCase) continue;
    it(`${root.kind} ${root.name}: the answer keeps the contract and rejected requests change nothing`, async () => {
      const outcomes = new Outcomes();
      const name = `${root.kind} ${root.name}`;
      await fc.assert(property(world, hints, fuzzOperation(schema, root, fuzzCase), outcomes), fuzzParameters(name));
      console.log(`[fuzz] ${name} outcomes: ${outcomes.summary()}`);
    }, budget(FUZZ_RUNS));
  }
});
