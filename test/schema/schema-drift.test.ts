import { readFile } from 'node:fs/promises';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl, schema } from '../../src/schema/index.js';

describe('schema.graphql', () => {
  it('is exactly what the Pothos schema prints (run `npm run schema:print` after changing types)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSdl());
  });

  it('has the root fields and argument order of the contract (API.md)', () => {
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    expect(query.session!.args.map((a) => a.name)).toEqual(['org', 'workspace', 'id']);
    expect(query.sessions!.args.map((a) => a.name).slice(0, 4)).toEqual(['org', 'workspace', 'filter', 'orderBy']);
    expect(query.sessions!.args.map((a) => a.name).sort()).toEqual(
      ['org', 'workspace', 'filter', 'orderBy', 'first', 'after', 'last', 'before'].sort(),
    );
    expect(String(query.session!.type)).toBe('Session!');
    expect(String(query.sessions!.type)).toBe('SessionConnection!');
    expect(String(query.viewer!.type)).toBe('Viewer!');
    expect(mutation.saveSession!.args.map((a) => a.name)).toEqual(['org', 'workspace', 'input']);
    expect(String(mutation.saveSession!.type)).toBe('Session!');
  });

  it('a schema built from the committed file is compatible with the running one', async () => {
    const committed = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    expect(findBreakingChanges(committed, schema)).toEqual([]);
    expect(findDangerousChanges(committed, schema)).toEqual([]);
  });
});
