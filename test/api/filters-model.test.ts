import { randomUUID } from 'node:crypto';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionOrigin, SessionVisibility } from '../../src/generated/prisma/enums.js';
import {
  ListSessionsDocument,
  SessionFacetsDocument,
  type OrderDirection,
  type SessionFilter,
  type SessionOrderField,
} from '../generated/graphql.js';
import { budget } from '../support/budget.js';
import { seededRandom } from '../support/random.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/**
 * The list, totalCount and facets against an independent model: a few hundred random sessions,
 * many random filters, and the same predicate written again in plain TypeScript.
 */

const SEED = Number(process.env.MODEL_SEED ?? 20261129);
const SESSION_COUNT = 300;
const FILTER_RUNS = 60;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'] as const;
const MODELS = ['gpt-x', 'claude-y', 'llama-z'] as const;
const AGENTS = ['coder', 'planner'] as const;
// More keys than the label filter turns into one semi-join each (src/sessions/filter.ts): random
// filters take both of its translations.
const LABEL_KEYS = ['team', 'env', 'tier', 'zone', 'stage', 'owner'] as const;
const LABEL_VALUES = ['red', 'green', 'blue'] as const;
const ORIGINS: SessionOrigin[] = ['USER', 'WORKER', 'EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'];
const WORKLOAD = new Set<SessionOrigin>(['EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD']);
const FIELDS: SessionOrderField[] = ['UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'];

interface ModelSession {
  id: string;
  userId: string;
  visibility: SessionVisibility;
  origin: SessionOrigin;
  archived: boolean;
  agent: string | null;
  model: string;
  projectId: string | null;
  title: string;
  labels: Map<string, Set<string>>;
  updatedAt: number;
  createdAt: number;
  lastMessageAt: number | null;
  messageCount: number;
}

const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Search as README describes it, for the vocabulary this test uses. */
function matchesSearch(s: ModelSession, query: string): boolean {
  const text = query.trim();
  if (text.length < 3) {
    const labelText = [...s.labels].flatMap(([key, values]) => [...values].map((v) => `${v} ${key}:${v}`));
    return [s.title, s.model, s.agent ?? '', ...labelText].join(' ').toLowerCase().includes(text.toLowerCase());
  }
  const words = new Set([...s.title.toLowerCase().split(' '), ...[...s.labels.values()].flatMap((v) => [...v])]);
  const term = (t: string): boolean => {
    if (t.startsWith('-')) return !term(t.slice(1));
    const pair = /^(\w+):(\w+)$/.exec(t);
    if (pair) return s.labels.get(pair[1]!)?.has(pair[2]!) ?? false;
    return words.has(t);
  };
  return text.split(' or ').some((group) => group.split(' ').filter(Boolean).every(term));
}

function matches(s: ModelSession, viewer: string, f: SessionFilter): boolean {
  if (s.visibility === 'PRIVATE' && s.userId !== viewer) return false;
  const archived = f.archived ?? 'ACTIVE';
  if (archived === 'ACTIVE' && s.archived) return false;
  if (archived === 'ARCHIVED' && !s.archived) return false;
  if (!f.includeWorkloadSessions && WORKLOAD.has(s.origin)) return false;
  if (f.origins && !f.origins.includes(s.origin)) return false;
  if (f.userIds && !f.userIds.includes(s.userId)) return false;
  if (f.projectIds && !(s.projectId && f.projectIds.includes(s.projectId))) return false;
  if (f.agents && !(s.agent && f.agents.includes(s.agent))) return false;
  if (f.models && !f.models.includes(s.model)) return false;
  for (const label of f.labels ?? []) {
    if (!label.values.some((v) => s.labels.get(label.key)?.has(v))) return false;
  }
  if (f.search && f.search.trim() !== '' && !matchesSearch(s, f.search)) return false;
  return true;
}

function facetsOf(sessions: ModelSession[]) {
  const count = (values: (string | null)[]) => {
    const counts = new Map<string, number>();
    for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].map(([value, n]) => ({ value, count: n })).sort((a, b) => b.count - a.count || cmpText(a.value, b.value));
  };
  const labelKeys = [...new Set(sessions.flatMap((s) => [...s.labels.keys()]))].sort(cmpText);
  return {
    labels: labelKeys.map((key) => ({ key, values: count(sessions.flatMap((s) => [...(s.labels.get(key) ?? [])])) })),
    agents: count(sessions.map((s) => s.agent)),
    models: count(sessions.map((s) => s.model)),
    origins: count(sessions.map((s) => s.origin)),
    users: count(sessions.map((s) => s.userId)),
  };
}

function sortKey(s: ModelSession, field: SessionOrderField): number {
  switch (field) {
    case 'UPDATED_AT':
      return s.updatedAt;
    case 'CREATED_AT':
      return s.createdAt;
    case 'MESSAGE_COUNT':
      return s.messageCount;
    case 'LAST_MESSAGE_AT':
      return s.lastMessageAt ?? -Infinity;
  }
}

describe(`filters, totalCount and facets against an independent model (seed ${SEED})`, () => {
  let server: TestServer;
  let tenant: Tenant;
  const model: ModelSession[] = [];
  const projects = [randomUUID(), randomUUID(), randomUUID()];
  const rnd = seededRandom(SEED);

  beforeAll(async () => {
    server = await createTestServer();
    const prisma = server.db.database.prisma;
    tenant = await createTenant(prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }, { role: 'ADMIN' }, { role: 'READER' }]);
    const owners = tenant.members.slice(0, 3).map((m) => m.userId);
    const base = Date.UTC(2026, 5, 1);
    for (let i = 0; i < SESSION_COUNT; i += 1) {
      const labels = new Map<string, Set<string>>();
      for (const key of rnd.subset(LABEL_KEYS, 0.6)) labels.set(key, new Set([rnd.pick(LABEL_VALUES), ...rnd.subset(LABEL_VALUES, 0.2)]));
      model.push({
        id: randomUUID(),
        userId: rnd.pick(owners),
        visibility: rnd.chance(0.6) ? 'WORKSPACE' : 'PRIVATE',
        origin: rnd.chance(0.6) ? 'USER' : rnd.pick(ORIGINS),
        archived: rnd.chance(0.25),
        agent: rnd.chance(0.2) ? null : rnd.pick(AGENTS),
        model: rnd.pick(MODELS),
        projectId: rnd.chance(0.3) ? null : rnd.pick(projects),
        title: Array.from({ length: 1 + rnd.int(3) }, () => rnd.pick(WORDS)).join(' '),
        labels,
        // Few distinct values, so ties are common and the id tie-breaker is exercised.
        updatedAt: base + rnd.int(20) * 1000,
        createdAt: base + rnd.int(10) * 1000,
        lastMessageAt: rnd.chance(0.2) ? null : base + rnd.int(15) * 1000,
        messageCount: rnd.int(6),
      });
    }
    await prisma.session.createMany({
      data: model.map((s) => ({
        id: s.id,
        workspaceId: tenant.workspaceId,
        userId: s.userId,
        visibility: s.visibility,
        origin: s.origin,
        archivedAt: s.archived ? new Date(base) : null,
        agent: s.agent,
        model: s.model,
        projectId: s.projectId,
        title: s.title,
        updatedAt: new Date(s.updatedAt),
        createdAt: new Date(s.createdAt),
        lastMessageAt: s.lastMessageAt === null ? null : new Date(s.lastMessageAt),
        messageCount: s.messageCount,
      })),
    });
    await prisma.sessionLabel.createMany({
      data: model.flatMap((s) => [...s.labels].flatMap(([key, values]) => [...values].map((value) => ({ sessionId: s.id, key, value })))),
    });
  });

  function randomFilter(): SessionFilter {
    const filter: SessionFilter = {};
    if (rnd.chance(0.5)) filter.archived = rnd.pick(['ACTIVE', 'ARCHIVED', 'ANY'] as const);
    if (rnd.chance(0.5)) filter.includeWorkloadSessions = rnd.chance(0.5);
    if (rnd.chance(0.25)) filter.origins = rnd.subset(ORIGINS);
    if (rnd.chance(0.25)) filter.userIds = rnd.subset([...tenant.members.map((m) => m.userId), randomUUID()], 0.5);
    if (rnd.chance(0.2)) filter.projectIds = rnd.subset(projects, 0.5);
    if (rnd.chance(0.25)) filter.agents = rnd.subset([...AGENTS, 'nobody'], 0.5);
    if (rnd.chance(0.25)) filter.models = rnd.subset(MODELS, 0.5);
    if (rnd.chance(0.35)) {
      filter.labels = rnd
        .subset(LABEL_KEYS, 0.5)
        .map((key) => ({ key, values: [...rnd.subset<string>(LABEL_VALUES, 0.5), ...(rnd.chance(0.3) ? ['none'] : [])] }));
    }
    if (rnd.chance(0.4)) {
      const word = () => rnd.pick([...WORDS, ...LABEL_VALUES]);
      filter.search = rnd.pick([
        () => word(),
        () => `${word()} ${word()}`,
        () => `${word()} or ${word()}`,
        () => `${word()} -${word()}`,
        () => `${rnd.pick(LABEL_KEYS)}:${rnd.pick(LABEL_VALUES)}`,
        () => {
          const w = rnd.pick([...WORDS, ...MODELS, ...LABEL_VALUES]);
          const at = rnd.int(w.length - 1);
          return w.slice(at, at + 2).replace('-', 'a');
        },
      ])();
    }
    return filter;
  }

  it(
    `${FILTER_RUNS} random filters: ids in order, totalCount and facets equal the model`,
    async () => {
      for (let run = 0; run < FILTER_RUNS; run += 1) {
        const viewer = rnd.pick(tenant.members);
        const filter = randomFilter();
        const field = rnd.pick(FIELDS);
        const direction: OrderDirection = rnd.pick(['ASC', 'DESC'] as const);
        const context = JSON.stringify({ run, viewer: viewer.role, filter, field, direction });

        const expected = model
          .filter((s) => matches(s, viewer.userId, filter))
          .sort((a, b) => {
            const [ka, kb] = [sortKey(a, field), sortKey(b, field)];
            const cmp = ka !== kb ? (ka < kb ? -1 : 1) : cmpText(a.id, b.id);
            return direction === 'ASC' ? cmp : -cmp;
          });

        const seen: string[] = [];
        let after: string | null | undefined = null;
        const pageSize = 10 + rnd.int(60);
        for (let guard = 0; guard < 40; guard += 1) {
          const response = await server.execute(
            ListSessionsDocument,
            { org: tenant.org, workspace: tenant.workspace, filter, orderBy: { field, direction }, first: pageSize, after },
            viewer.token,
          );
          expect(response.body.errors, context).toBeUndefined();
          const connection: NonNullable<ResultOf<typeof ListSessionsDocument>['sessions']> = response.body.data!.sessions!;
          expect(connection.totalCount, context).toBe(expected.length);
          seen.push(...connection.edges.map((e) => e.node.id));
          if (!connection.pageInfo.hasNextPage) break;
          after = connection.pageInfo.endCursor;
        }
        expect(seen, context).toEqual(expected.map((s) => s.id));

        const facets = await server.execute(SessionFacetsDocument, { org: tenant.org, workspace: tenant.workspace, filter }, viewer.token);
        expect(facets.body.errors, context).toBeUndefined();
        expect(facets.body.data!.sessionFacets, context).toEqual(facetsOf(expected));
      }
      // Each run lists up to 300 sessions in pages of 10 to 70, and asks for the facets.
    },
    budget(FILTER_RUNS * 8),
  );
});
