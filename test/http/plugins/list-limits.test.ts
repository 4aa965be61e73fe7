import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_LABEL_KEYS, MAX_FILTER_VALUES } from '../../../src/sessions/filter.js';
import { SaveSessionDocument, SessionIdsDocument, type LabelFilter, type SessionFilter } from '../../generated/graphql.js';
import { createTestServer, type TestServer } from '../../support/server.js';
import { createTenant, type Tenant } from '../../support/tenant.js';

describe('every input list is bounded before anything runs', () => {
  let server: TestServer;
  let tenant: Tenant;
  let labelled: string;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
    labelled = randomUUID();
    const labels = [
      { key: 'team', values: ['infra'] },
      { key: 'env', values: ['prod'] },
    ];
    await server.execute(
      SaveSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, input: { id: labelled, model: 'm', labels } },
      tenant.members[0]!.token,
    );
  });

  const list = (filter: SessionFilter) =>
    server.execute(SessionIdsDocument, { org: tenant.org, workspace: tenant.workspace, filter, first: 10 }, tenant.members[0]!.token);
  const keys = (count: number, values = 1): LabelFilter[] =>
    Array.from({ length: count }, (_, i) => ({ key: `k${i}`, values: Array.from({ length: values }, (_, j) => `v${j}`) }));

  it('label keys past the bound (200, 10,000, 40,000) are BAD_USER_INPUT at filter.labels with HTTP 400, and no statement runs', async () => {
    for (const count of [MAX_FILTER_LABEL_KEYS + 1, 200, 10_000, 40_000]) {
      const { result: response, statements } = await server.countStatements(() => list({ labels: keys(count) }));
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errors: [{ loc: ['filter', 'labels'], type: 'too_many_items' }],
      });
      // Only authentication: the list was refused before the workspace or the page was read.
      expect(statements.length).toBeLessThanOrEqual(1);
    }
  });

  it('every other list of the filter, label values included, and literals as well as variables', async () => {
    const many = <T>(make: (i: number) => T) => Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => make(i));
    const cases: [SessionFilter, (string | number)[]][] = [
      [{ userIds: many(() => randomUUID()) }, ['filter', 'userIds']],
      [{ projectIds: many(() => randomUUID()) }, ['filter', 'projectIds']],
      [{ agents: many((i) => `a${i}`) }, ['filter', 'agents']],
      [{ models: many((i) => `m${i}`) }, ['filter', 'models']],
      [{ origins: many(() => 'USER' as const) }, ['filter', 'origins']],
      [
        {
          labels: [
            { key: 'team', values: ['infra'] },
            { key: 'env', values: many((i) => `v${i}`) },
          ],
        },
        ['filter', 'labels', 1, 'values'],
      ],
    ];
    for (const [filter, loc] of cases) {
      const response = await list(filter);
      expect(response.body.errors?.[0]?.extensions.errors, JSON.stringify(loc)).toEqual([
        expect.objectContaining({ loc, type: 'too_many_items' }),
      ]);
    }
    const literal = `{ sessions(org: "${tenant.org}", workspace: "${tenant.workspace}", filter: { agents: [${many((i) => `"a${i}"`).join(',')}] }) { totalCount } }`;
    const response = await server.post(JSON.stringify({ query: literal }), { authorization: `Bearer ${tenant.members[0]!.token}` });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions.errors).toEqual([expect.objectContaining({ loc: ['filter', 'agents'] })]);
  });

  it('at the bounds the filter runs and keeps its meaning (keys AND, values OR)', async () => {
    const full = keys(MAX_FILTER_LABEL_KEYS - 2, MAX_FILTER_VALUES);
    const hit = await list({
      labels: [
        { key: 'team', values: [...Array.from({ length: 99 }, (_, i) => `x${i}`), 'infra'] },
        { key: 'env', values: ['prod'] },
      ],
    });
    expect(hit.body.data!.sessions!.edges.map((edge) => edge.node.id)).toEqual([labelled]);
    const miss = await list({ labels: [{ key: 'team', values: ['infra'] }, ...full] });
    expect(miss.body.errors).toBeUndefined();
    expect(miss.body.data!.sessions!.edges).toEqual([]);
  });

  it('_entities takes at most 1000 representations', async () => {
    const representations = Array.from({ length: 1001 }, () => ({ __typename: 'Session', id: randomUUID() }));
    const response = await server.post(
      JSON.stringify({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
        variables: { r: representations },
      }),
      { authorization: `Bearer ${tenant.members[0]!.token}` },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions.errors).toEqual([
      expect.objectContaining({ loc: ['representations'], type: 'too_many_items' }),
    ]);
  });
});
