import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOf } from '../../src/sessions/sql.js';
import { sessionFilterConditions } from '../../src/sessions/filter.js';
import { SaveSessionDocument, SessionIdsDocument, type SaveSessionInput } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

describe('SES-LST-007: search over title, model, agent, label values and key:value pairs', () => {
  let server: TestServer;
  let tenant: Tenant;
  const ids: Record<string, string> = {};

  const sessions: Record<string, Omit<SaveSessionInput, 'id'>> = {
    flaky: { title: 'Fix the flaky build', model: 'claude-3', labels: [{ key: 'team', values: ['infra'] }] },
    parser: { title: 'Build a new parser', model: 'gpt-4o' },
    release: { title: 'Parser bug in release', model: 'claude-3', agent: 'coder', labels: [{ key: 'env', values: ['prod'] }] },
    docs: { title: 'Docs update', model: 'claude-3', labels: [{ key: 'team', values: ['docs team'] }] },
    meeting: { title: 'Standup 10:30 notes', model: 'claude-3' },
  };

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
    for (const [name, input] of Object.entries(sessions)) {
      ids[name] = randomUUID();
      const saved = await server.execute(
        SaveSessionDocument,
        { org: tenant.org, workspace: tenant.workspace, input: { id: ids[name], ...input } },
        tenant.members[0]!.token,
      );
      expect(saved.body.errors).toBeUndefined();
    }
  });

  const search = async (query: string) => {
    const response = await server.execute(
      SessionIdsDocument,
      { org: tenant.org, workspace: tenant.workspace, filter: { search: query }, first: 100 },
      tenant.members[0]!.token,
    );
    expect(response.body.errors).toBeUndefined();
    const found = new Set(response.body.data!.sessions!.edges.map((e) => e.node.id));
    expect(response.body.data!.sessions!.totalCount).toBe(found.size);
    return Object.keys(ids)
      .filter((name) => found.has(ids[name]!))
      .sort();
  };

  it('words match title, model and agent, whatever the case', async () => {
    expect(await search('build')).toEqual(['flaky', 'parser']);
    expect(await search('BUILD')).toEqual(['flaky', 'parser']);
    expect(await search('coder')).toEqual(['release']);
    expect(await search('gpt-4o')).toEqual(['parser']);
    expect(await search('build parser')).toEqual(['parser']);
  });

  it('a quoted phrase matches the words in a row', async () => {
    expect(await search('"flaky build"')).toEqual(['flaky']);
    expect(await search('"build flaky"')).toEqual([]);
  });

  it('or gives alternatives; -word excludes', async () => {
    expect(await search('flaky or docs')).toEqual(['docs', 'flaky']);
    expect(await search('parser -release')).toEqual(['parser']);
    expect(await search('-claude')).toEqual(['parser']);
  });

  it('label values and key:value pairs', async () => {
    expect(await search('infra')).toEqual(['flaky']);
    expect(await search('env:prod')).toEqual(['release']);
    expect(await search('team:infra')).toEqual(['flaky']);
    expect(await search('team:prod')).toEqual([]);
    expect(await search('team:"docs team"')).toEqual(['docs']);
    expect(await search('-team:infra build')).toEqual(['parser']);
    // Not a label: the same words in a row in the text.
    expect(await search('10:30')).toEqual(['meeting']);
  });

  it('under 3 characters, a substring match', async () => {
    expect(await search('4o')).toEqual(['parser']);
    expect(await search('ug')).toEqual(['release']);
    expect(await search('la')).toEqual(['docs', 'flaky', 'meeting', 'release']);
    expect(await search('ky')).toEqual(['flaky']);
    expect(await search('%')).toEqual([]);
    expect(await search('  ')).toEqual(Object.keys(ids).sort());
  });

  it('punctuation alone finds nothing and fails nothing', async () => {
    expect(await search('!!! ??? :::')).toEqual([]);
    expect(await search('"unterminated phrase')).toEqual([]);
    expect(await search("o'reilly \\ ' \" -")).toEqual([]);
  });

  it('is served by the GIN index on the search document', async () => {
    const prisma = server.db.database.prisma;
    const where = allOf(sessionFilterConditions({ search: 'flaky or docs', archived: 'ANY', includeWorkloadSessions: true }));
    const plan = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRaw<{ 'QUERY PLAN': string }[]>`EXPLAIN SELECT s.id FROM sessions s WHERE ${where}`;
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('sessions_search_vector_idx');
  });

  it('bounds the query: over 256 characters or 32 terms is BAD_USER_INPUT at filter.search; the text never reaches the log', async () => {
    const secret = `zq${randomUUID().replaceAll('-', '')}`;
    const tooLong = [`team:${secret}${'x'.repeat(2100)}`, `${secret} ${'w'.repeat(300)}`];
    const tooManyTerms = [
      Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '),
      Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' '),
    ];
    for (const query of [...tooLong, ...tooManyTerms]) {
      const response = await server.execute(
        SessionIdsDocument,
        { org: tenant.org, workspace: tenant.workspace, filter: { search: query }, first: 10 },
        tenant.members[0]!.token,
      );
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['filter', 'search'] }] });
    }
    // At the bounds it runs (and a long key:value word is no error for PostgreSQL).
    const atBounds = [`team:${'y'.repeat(251)}`, Array.from({ length: 32 }, (_, i) => `w${i}`).join(' ')];
    for (const query of atBounds) expect(await search(query)).toEqual([]);
    expect(JSON.stringify(server.logger.lines)).not.toContain(secret);
  });
});
