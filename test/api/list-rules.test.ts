import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionOrigin } from '../../src/generated/prisma/enums.js';
import { SaveSessionDocument, SessionFacetsDocument, SessionIdsDocument, type SessionFilter } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

describe('list and facet rules of the reference', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let other: Member;
  const project = { a: randomUUID(), b: randomUUID() };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR', tokenKind: 'SERVICE' }, { role: 'CONTRIBUTOR' }]);
    [owner, other] = tenant.members as [Member, Member];
    const save = async (
      name: string,
      input: { projectId?: string; agent?: string; origin?: SessionOrigin; private?: boolean; labels?: Record<string, string[]> },
    ) => {
      ids[name] = randomUUID();
      const response = await server.execute(
        SaveSessionDocument,
        {
          org: tenant.org,
          workspace: tenant.workspace,
          input: {
            id: ids[name],
            model: 'm',
            agent: input.agent,
            projectId: input.projectId,
            origin: input.origin ?? 'USER',
            visibility: input.private ? 'PRIVATE' : 'WORKSPACE',
            labels: Object.entries(input.labels ?? {}).map(([key, values]) => ({ key, values })),
          },
        },
        owner.token,
      );
      expect(response.body.errors).toBeUndefined();
    };
    await save('a1', { projectId: project.a, agent: 'coder', labels: { team: ['red'], env: ['prod'] } });
    await save('a2', { projectId: project.a, agent: 'planner', labels: { team: ['blue'], env: ['dev'] } });
    await save('b1', { projectId: project.b, agent: 'coder', labels: { team: ['red', 'blue'] } });
    await save('none', { agent: 'coder' });
    await save('eval', { origin: 'EVAL', labels: { suite: ['nightly'] } });
    await save('secret', { private: true, agent: 'secret-agent', labels: { hidden: ['yes'] } });
  });

  const list = async (filter: SessionFilter, as: Member = other) => {
    const response = await server.execute(
      SessionIdsDocument,
      { org: tenant.org, workspace: tenant.workspace, filter, first: 100 },
      as.token,
    );
    expect(response.body.errors).toBeUndefined();
    const found = new Set(response.body.data!.sessions!.edges.map((e) => e.node.id));
    return Object.keys(ids)
      .filter((name) => found.has(ids[name]!))
      .sort();
  };
  const facets = async (filter: SessionFilter, as: Member = other) =>
    (await server.execute(SessionFacetsDocument, { org: tenant.org, workspace: tenant.workspace, filter }, as.token)).body.data!
      .sessionFacets;

  it('SES-LST-006: values OR within a dimension, dimensions AND together; one value still works', async () => {
    expect(await list({ projectIds: [project.a] })).toEqual(['a1', 'a2']);
    expect(await list({ projectIds: [project.a, project.b] })).toEqual(['a1', 'a2', 'b1']);
    expect(await list({ projectIds: [project.a, project.b], agents: ['coder'] })).toEqual(['a1', 'b1']);
    expect(await list({ agents: ['coder', 'planner'], models: ['m'] })).toEqual(['a1', 'a2', 'b1', 'none']);
    expect(await list({ agents: [] })).toEqual([]);
  });

  it('SES-LBL-050/051/052: label values OR within a key, keys AND together', async () => {
    expect(await list({ labels: [{ key: 'team', values: ['red'] }] })).toEqual(['a1', 'b1']);
    expect(await list({ labels: [{ key: 'team', values: ['red', 'blue'] }] })).toEqual(['a1', 'a2', 'b1']);
    expect(
      await list({
        labels: [
          { key: 'team', values: ['red'] },
          { key: 'env', values: ['prod'] },
        ],
      }),
    ).toEqual(['a1']);
    // The same key twice is one key with both values.
    expect(
      await list({
        labels: [
          { key: 'team', values: ['red'] },
          { key: 'team', values: ['blue'] },
        ],
      }),
    ).toEqual(['a1', 'a2', 'b1']);
    expect(
      await list({
        labels: [
          { key: 'env', values: ['prod'] },
          { key: 'team', values: ['blue'] },
        ],
      }),
    ).toEqual([]);
  });

  it('SES-LST-009: workload sessions are hidden from lists and facets unless asked for', async () => {
    expect(await list({})).not.toContain('eval');
    expect(await list({ includeWorkloadSessions: true })).toContain('eval');
    expect((await facets({}))!.origins).toEqual([{ value: 'USER', count: 4 }]);
    expect((await facets({ includeWorkloadSessions: true }))!.origins).toEqual([
      { value: 'USER', count: 4 },
      { value: 'EVAL', count: 1 },
    ]);
  });

  it('SES-LST-015: an explicit workload origin without includeWorkloadSessions returns nothing', async () => {
    expect(await list({ origins: ['EVAL'] })).toEqual([]);
    expect(await list({ origins: ['EVAL'], includeWorkloadSessions: true })).toEqual(['eval']);
    expect((await facets({ origins: ['EVAL'] }))!.origins).toEqual([]);
  });

  it('SES-LBL-060: per-key value counts, count descending then value ascending, over visible sessions only', async () => {
    const result = await facets({});
    expect(result!.labels).toEqual([
      {
        key: 'env',
        values: [
          { value: 'dev', count: 1 },
          { value: 'prod', count: 1 },
        ],
      },
      {
        key: 'team',
        values: [
          { value: 'blue', count: 2 },
          { value: 'red', count: 2 },
        ],
      },
    ]);
    expect(result!.agents).toEqual([
      { value: 'coder', count: 3 },
      { value: 'planner', count: 1 },
    ]);
    expect(result!.models).toEqual([{ value: 'm', count: 4 }]);
    expect(result!.users).toEqual([{ value: owner.userId, count: 4 }]);
    // The owner also counts their PRIVATE session; the other member never does.
    const own = await facets({}, owner);
    expect(own!.agents).toContainEqual({ value: 'secret-agent', count: 1 });
    expect(own!.labels.map((l) => l.key)).toContain('hidden');
  });

  it('SES-LBL-061: label keys with no matching session are left out', async () => {
    const result = await facets({ agents: ['planner'] });
    expect(result!.labels.map((l) => l.key)).toEqual(['env', 'team']);
    const narrow = await facets({ labels: [{ key: 'env', values: ['prod'] }] });
    expect(narrow!.labels).toEqual([
      { key: 'env', values: [{ value: 'prod', count: 1 }] },
      { key: 'team', values: [{ value: 'red', count: 1 }] },
    ]);
    expect((await facets({ agents: ['nobody'] }))!.labels).toEqual([]);
  });
});
