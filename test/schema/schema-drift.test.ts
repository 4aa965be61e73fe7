import { readFile } from 'node:fs/promises';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl, schema } from '../../src/schema/index.js';

describe('schema.graphql', () => {
  it('is exactly what the Pothos schema prints (run `npm run schema:print` after changing types)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSdl());
  });

  it('has the root fields and arguments of the contract (docs/api.md)', () => {
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    // Apollo's subgraph schema is sorted, arguments too; GraphQL arguments are named, so only the
    // names and types are the contract.
    const args = (field: { args: readonly { name: string; type: unknown }[] }) =>
      Object.fromEntries(field.args.map((a) => [a.name, String(a.type)]));
    const perSession = { org: 'String!', workspace: 'String!', id: 'String!' };
    expect(args(query.session!)).toEqual(perSession);
    expect(args(query.sessions!)).toEqual({
      org: 'String!',
      workspace: 'String!',
      filter: 'SessionFilter',
      orderBy: 'SessionOrder',
      first: 'Int',
      after: 'String',
      last: 'Int',
      before: 'String',
    });
    expect(args(query.sessionFacets!)).toEqual({ org: 'String!', workspace: 'String!', filter: 'SessionFilter' });
    // Root query fields are nullable: an error nulls only its own field.
    expect(String(query.session!.type)).toBe('Session');
    expect(String(query.sessions!.type)).toBe('SessionConnection');
    expect(String(query.sessionFacets!.type)).toBe('SessionFacets');
    expect(String(query.viewer!.type)).toBe('Viewer');
    expect(String(query.node!.type)).toBe('Node');
    expect(args(query.node!)).toEqual({ id: 'ID!' });
    expect(String(query.nodes!.type)).toBe('[Node]!');
    expect(args(mutation.saveSession!)).toEqual({ org: 'String!', workspace: 'String!', input: 'SaveSessionInput!' });
    expect(args(mutation.updateSession!)).toEqual({ ...perSession, input: 'UpdateSessionInput!' });
    expect(args(mutation.appendTranscript!)).toEqual({ ...perSession, input: 'AppendTranscriptInput!' });
    for (const name of ['archiveSession', 'unarchiveSession', 'freezeSession', 'deleteSession']) {
      expect(args(mutation[name]!), name).toEqual(perSession);
    }
    // Mutation fields are nullable too: a failed change is null with its error.
    expect(String(mutation.saveSession!.type)).toBe('Session');
    expect(String(mutation.deleteSession!.type)).toBe('DeleteSessionPayload');
    expect(String(mutation.appendTranscript!.type)).toBe('AppendTranscriptPayload');
  });

  it('a schema built from the committed file is compatible with the running one', async () => {
    const committed = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    expect(findBreakingChanges(committed, schema)).toEqual([]);
    expect(findDangerousChanges(committed, schema)).toEqual([]);
  });
});
