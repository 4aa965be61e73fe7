import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetSessionDocument, SaveSessionDocument } from '../generated/graphql.js';
import { openTestDatabase, withFreshDatabase } from '../support/database.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

type Page = { sessions: Record<string, unknown> | null };
const doc = (text: string) => parse(text) as TypedDocumentNode<Page, Record<string, unknown>>;

/** The statement that reads owners, labels and usage (sessions/details.ts). */
const isDetails = (sql: string) => sql.includes('session_usage_rollups');

// A list whose nodes show creator, labels or usage reads them with its page (one statement, as
// the loader would), so that they resolve as values; a list that shows none of them reads nothing more.
describe('the sessions list reads its nodes’ creator, labels and usage with the page', () => {
  let server: TestServer;
  let tenant: Tenant;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
    for (let i = 0; i < 3; i += 1) {
      const id = randomUUID();
      ids.push(id);
      const input = { id, model: 'm', labels: [{ key: 'n', values: [String(i), 'x'] }] };
      const saved = await server.execute(
        SaveSessionDocument,
        { org: tenant.org, workspace: tenant.workspace, input },
        tenant.members[0]!.token,
      );
      expect(saved.body.errors).toBeUndefined();
    }
  });

  const run = async (selection: string, variables: Record<string, unknown> = {}, fragments = '') => {
    const skip = selection.includes('$skip') ? ', $skip: Boolean!' : '';
    const text = `query($org: String!, $workspace: String!${skip}) {
      sessions(org: $org, workspace: $workspace, first: 10) { ${selection} } } ${fragments}`;
    const { result, statements } = await server.countStatements(() =>
      server.execute(doc(text), { org: tenant.org, workspace: tenant.workspace, ...variables }, tenant.members[0]!.token),
    );
    expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
    return { sessions: result.body.data!.sessions!, details: statements.filter(isDetails).length, statements: statements.length };
  };

  it('reads them once for nodes, edges, fragments, inline fragments and aliases, and not for a list without them', async () => {
    const plain = await run('nodes { id title }');
    expect(plain.details).toBe(0);
    const cases = [
      { selection: 'nodes { id labels { key values } }' },
      { selection: 'edges { node { id creator { email } } }' },
      { selection: 'items: nodes { id owner: creator { email } spend: usage { totalTokens } }' },
      { selection: 'nodes { ... on Session { id usage { totalTokens } } }' },
      {
        selection: 'edges { node { ...Lazy } } nodes { ...Lazy }',
        fragments: 'fragment Lazy on Session { id labels { key } creator { email } }',
      },
    ];
    for (const { selection, fragments } of cases) {
      const answered = await run(selection, {}, fragments);
      expect(answered.details, selection).toBe(1);
      expect(answered.statements, selection).toBe(plain.statements + 1);
    }
    // @skip and @include are honoured: a skipped field reads nothing.
    expect((await run('nodes { id labels @skip(if: $skip) { key } }', { skip: true })).details).toBe(0);
    expect((await run('nodes { id labels @skip(if: $skip) { key } }', { skip: false })).details).toBe(1);
    expect((await run('nodes { id ... @include(if: $skip) { creator { email } } }', { skip: false })).details).toBe(0);
  });

  it('gives each session its own details, as a session read on its own shows them', async () => {
    const { sessions } = await run('nodes { id creator { id email } labels { key values } usage { totalTokens totalCostUsd } }');
    const nodes = sessions.nodes as { id: string }[];
    expect(nodes.map((node) => node.id).sort()).toEqual([...ids].sort());
    for (const node of nodes) {
      const one = await server.execute(
        GetSessionDocument,
        { org: tenant.org, workspace: tenant.workspace, id: node.id },
        tenant.members[0]!.token,
      );
      const session = one.body.data!.session!;
      expect(node).toEqual({
        id: session.id,
        creator: { id: session.creator!.id, email: session.creator!.email },
        labels: session.labels,
        usage: { totalTokens: session.usage!.totalTokens, totalCostUsd: session.usage!.totalCostUsd },
      });
    }
  });

  it('when the details cannot be read, the list is still answered: each field is null with its error', async () => {
    await withFreshDatabase(async (url) => {
      const db = await openTestDatabase(url);
      try {
        const broken = await createTestServer(db);
        const owner = await createTenant(db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
        const ws = { org: owner.org, workspace: owner.workspace };
        for (let i = 0; i < 2; i += 1) {
          const saved = await broken.execute(
            SaveSessionDocument,
            { ...ws, input: { id: randomUUID(), model: 'm' } },
            owner.members[0]!.token,
          );
          expect(saved.body.errors).toBeUndefined();
        }
        // The details statement reads this table; the page does not.
        await db.database.prisma.$executeRawUnsafe('ALTER TABLE session_usage_rollups RENAME TO rollups_gone');
        const text =
          'query($org: String!, $workspace: String!) { sessions(org: $org, workspace: $workspace) { nodes { id labels { key } usage { totalTokens } } } }';
        const response = await broken.execute(doc(text), ws, owner.members[0]!.token);
        const nodes = response.body.data!.sessions!.nodes as { id: string; labels: unknown; usage: unknown }[];
        expect(nodes).toHaveLength(2);
        for (const node of nodes) expect(node).toEqual({ id: expect.any(String), labels: null, usage: null });
        const paths = (response.body.errors ?? []).map((error) => error.path!.join('.')).sort();
        expect(paths).toEqual(['sessions.nodes.0.labels', 'sessions.nodes.0.usage', 'sessions.nodes.1.labels', 'sessions.nodes.1.usage']);
        for (const error of response.body.errors!) expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      } finally {
        await db.database.close();
      }
    });
  });
});
