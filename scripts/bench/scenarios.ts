import { randomUUID } from 'node:crypto';
import { MAX_FILTER_LABEL_KEYS, MAX_FILTER_VALUES } from '../../src/sessions/filter.js';
import { MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS } from '../../src/sessions/search.js';
import { LABEL_KEYS, LABEL_VALUES, SIZE_LABEL_KEY } from './data.js';
import type { BenchFixture } from './fixture.js';

/**
 * What each scenario sends: a fixed operation with variables. Writes get new ids per request, so
 * every saveSession creates a session and every appendTranscript stores ten new messages.
 */

export const SCENARIO_IDS = ['a', 'a-c50', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'a10', 'a100', 'a-long', 'a-short'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** The scenarios whose cost depends on the lazy fields' loaders (the no-DataLoader baseline runs these). */
export const LOADER_SCENARIOS: readonly ScenarioId[] = ['a', 'b', 'a10', 'a100'];

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** The request body; a new one on every call for scenarios that write. */
  body(): string;
  /** Why a response is not what the scenario means to measure (checked on a sample), or undefined. */
  check(data: unknown): string | undefined;
  /** Concurrent connections, when not --connections (a-c50: scenario a at 50). */
  connections?: number;
}

/** The scenarios the peers (PostGraphile, the bare floor) answer too, each in its own query language. */
export const PEER_SCENARIOS: readonly ScenarioId[] = ['a', 'a-c50'];

/**
 * Scenario a as PostGraphile 5 (Amber preset, no plugins) asks it: the workspace's first 50
 * sessions by updatedAt with the owner, the labels (one row per value) and the usage rollup. Its
 * default schema offers conditions on indexed columns only, so it lists archived and private
 * sessions as well (the API leaves those out): the same page size, the same joins.
 */
const POSTGRAPHILE_LIST = `query BenchList($workspaceId: UUID!, $first: Int!) {
  allSessions(condition: { workspaceId: $workspaceId }, orderBy: [UPDATED_AT_DESC, ROW_ID_DESC], first: $first) {
    nodes {
      rowId title model agent messageCount updatedAt
      userByUserId { rowId email }
      sessionLabelsBySessionId(orderBy: [KEY_ASC, VALUE_ASC]) { nodes { key value } }
      sessionUsageRollupBySessionId {
        inputTokens outputTokens cacheReadInputTokens cacheCreationInputTokens toolCallCount costUsd costUnknown lastGenerationInputTokens
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export type Peer = 'postgraphile' | 'floor';

/** Scenario `a` (or a-c50) for a peer: the same question in the peer's words. */
export function peerScenario(peer: Peer, scenario: Scenario, fixture: BenchFixture): Scenario {
  const first = 50;
  if (peer === 'floor') {
    return { ...scenario, body: () => json('', { workspaceId: fixture.workspaceId, first }), check: checkList(first) };
  }
  return {
    ...scenario,
    body: () => json(POSTGRAPHILE_LIST, { workspaceId: fixture.workspaceId, first }),
    check: (data) => {
      const nodes = (data as { allSessions?: { nodes?: { userByUserId: unknown }[] } }).allSessions?.nodes;
      if (!nodes) return 'no allSessions.nodes';
      return nodes.length === first ? undefined : `${nodes.length} sessions instead of ${first}`;
    },
  };
}

const LIST = `query BenchList($org: String!, $workspace: String!, $first: Int!, $filter: SessionFilter) {
  sessions(org: $org, workspace: $workspace, first: $first, filter: $filter) {
    nodes {
      id title model agent messageCount updatedAt
      creator { id email }
      labels { key values }
      usage { totalTokens totalCostUsd totalToolCallCount lastGenerationInputTokens }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

const SESSION_WITH_TRANSCRIPT = `query BenchSession($org: String!, $workspace: String!, $id: String!) {
  session(org: $org, workspace: $workspace, id: $id) {
    id title model messageCount
    usage { totalInputTokens totalOutputTokens totalTokens totalToolCallCount totalCostUsd lastGenerationInputTokens }
    transcript(first: 100) {
      hasMore
      messages { id seq role content toolCallId toolCalls { callId name arguments } usage { inputTokens outputTokens costUsd } createdAt }
    }
  }
}`;

const SAVE = `mutation BenchSave($org: String!, $workspace: String!, $input: SaveSessionInput!) {
  saveSession(org: $org, workspace: $workspace, input: $input) { id title createdAt labels { key values } }
}`;

const APPEND = `mutation BenchAppend($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
  appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) { lastSeq session { id messageCount lastMessageAt } }
}`;

const FACETS = `query BenchFacets($org: String!, $workspace: String!) {
  sessionFacets(org: $org, workspace: $workspace) {
    labels { key values { value count } }
    agents { value count }
    models { value count }
    origins { value count }
    users { value count }
  }
}`;

const SEARCH_MESSAGES = `query BenchSearchMessages($org: String!, $workspace: String!, $query: String!) {
  searchMessages(org: $org, workspace: $workspace, query: $query, first: 20) {
    rankedCount
    nodes { rank snippet message { id seq } session { id title } }
  }
}`;

const FORK = `mutation BenchFork($org: String!, $workspace: String!, $id: String!, $input: ForkSessionInput!) {
  forkSession(org: $org, workspace: $workspace, id: $id, input: $input) { id messageCount usage { totalTokens } }
}`;

/**
 * Queries over the seeded messages ("Question 17: …", "Answer 42: …", "Result 1234: …" followed
 * by one long hex word): words that hold a seq match the messages at that place of every session
 * long enough, from about fifty (a seq past 1000) to several thousand (a small seq: ranked up to
 * the 1000 cap), phrases, or and exclusion.
 */
export const MESSAGE_QUERIES = ['result 1235', 'question 17', '"answer 42"', 'answer 2002 or result 3003', 'question 101 -answer'];

const json = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

const LIST_WITH_COUNT = LIST.replace('pageInfo {', 'totalCount pageInfo {');

/**
 * The most expensive filter the bounds allow: every label key of the data set with all its values
 * (padded to the bound) and keys up to the bound that no session has (so the label condition is
 * evaluated on every session the search leaves), and a search of as many common words as the
 * bounds allow, OR-ed so that it matches widely.
 */
export function worstFilter(): Record<string, unknown> {
  const labels = Array.from({ length: MAX_FILTER_LABEL_KEYS }, (_, i) => {
    const key = LABEL_KEYS[i] ?? `bench.none-${i}`;
    const known = LABEL_VALUES[key] ?? [];
    return { key, values: Array.from({ length: MAX_FILTER_VALUES }, (_, j) => known[j] ?? `${key}-value-${j}`) };
  });
  const words = ['fix', 'the', 'build', 'login', 'flow', 'search', 'index', 'parser', 'cache', 'layer', 'api', 'web', 'app', 'review'];
  let search = '';
  for (let term = 0; term < MAX_SEARCH_TERMS; term += 1) {
    const next = `${search}${term === 0 ? '' : ' or '}${words[term % words.length]}`;
    if (next.length > MAX_SEARCH_LENGTH) break;
    search = next;
  }
  return { labels, search, archived: 'ANY', includeWorkloadSessions: true };
}

interface ListNode {
  messageCount: number;
  creator: { email: string } | null;
}

function checkList(expected: number, messages?: (count: number) => boolean) {
  return (data: unknown): string | undefined => {
    const nodes = (data as { sessions?: { nodes?: ListNode[] } }).sessions?.nodes;
    if (!nodes) return 'no sessions.nodes';
    if (nodes.length !== expected) return `${nodes.length} sessions instead of ${expected}`;
    if (nodes.some((node) => !node.creator)) return 'a session without creator';
    if (messages && !nodes.every((node) => messages(node.messageCount))) return 'a session of the wrong size';
    return undefined;
  };
}

/** Ten messages as a client sends them: questions, generations with usage, a tool call and its result. */
function tenMessages(n: number) {
  return Array.from({ length: 10 }, (_, i) => {
    const seq = n * 10 + i;
    switch (i % 4) {
      case 0:
        return { role: 'USER', content: `Bench question ${seq}: why does the build fail on the second run only?` };
      case 1:
        return {
          role: 'ASSISTANT',
          content: `Bench answer ${seq}: let me look at the cache keys first.`,
          toolCalls: [{ id: `call_${seq}`, name: 'search', arguments: '{"query":"cache key"}' }],
          usage: { inputTokens: 1200 + i, outputTokens: 80, cacheReadInputTokens: 400, cacheCreationInputTokens: 0, costUsd: 0.0048 },
        };
      case 2:
        return { role: 'TOOL', toolCallId: `call_${seq - 1}`, content: `3 results for cache key (${seq})` };
      default:
        return {
          role: 'ASSISTANT',
          content: `Bench answer ${seq}: the key includes the timestamp; drop it.`,
          usage: { inputTokens: 1500 + i, outputTokens: 120, cacheReadInputTokens: 900, cacheCreationInputTokens: 0, costUsd: 0.0063 },
        };
    }
  });
}

export function buildScenarios(fixture: BenchFixture): Record<ScenarioId, Scenario> {
  const { org, workspace, writesWorkspace } = fixture;
  const list = (first: number, filter?: Record<string, unknown>) => json(LIST, { org, workspace, first, ...(filter ? { filter } : {}) });
  const sizeFilter = (value: 'long' | 'short') => ({ labels: [{ key: SIZE_LABEL_KEY, values: [value] }] });
  let nextTranscript = 0;
  let nextSave = 0;
  let nextAppend = 0;
  let nextQuery = 0;
  const listScenario = (id: ScenarioId, title: string, first: number) => ({ id, title, body: () => list(first), check: checkList(first) });
  return {
    a: listScenario('a', 'list 50 sessions with creator, labels and usage', 50),
    'a-c50': { ...listScenario('a-c50', 'the same as a, at 50 connections', 50), connections: 50 },
    a10: listScenario('a10', 'the same list, first: 10', 10),
    a100: listScenario('a100', 'the same list, first: 100', 100),
    'a-long': {
      id: 'a-long',
      title: `list ${fixture.sizePageSize} sessions of 5000+ messages`,
      body: () => list(fixture.sizePageSize, sizeFilter('long')),
      check: checkList(fixture.sizePageSize, (count) => count >= 5000),
    },
    'a-short': {
      id: 'a-short',
      title: `list ${fixture.sizePageSize} sessions of 10 messages`,
      body: () => list(fixture.sizePageSize, sizeFilter('short')),
      check: checkList(fixture.sizePageSize, (count) => count === 10),
    },
    f: {
      id: 'f',
      title: 'the most expensive filter the bounds allow (64 label keys x 100 values, a 256-character search), with totalCount',
      body: () => json(LIST_WITH_COUNT, { org, workspace, first: 50, filter: worstFilter() }),
      check: (data) => ((data as { sessions?: { totalCount?: number } }).sessions?.totalCount === undefined ? 'no totalCount' : undefined),
    },
    b: {
      id: 'b',
      title: 'one session with usage and its first 100 messages',
      body: () => {
        const id = fixture.transcriptSessionIds[nextTranscript++ % fixture.transcriptSessionIds.length]!;
        return json(SESSION_WITH_TRANSCRIPT, { org, workspace, id });
      },
      check: (data) => {
        const messages = (data as { session?: { transcript?: { messages?: unknown[] } } }).session?.transcript?.messages;
        return messages?.length === 100 ? undefined : `${messages?.length ?? 'no'} transcript messages instead of 100`;
      },
    },
    c: {
      id: 'c',
      title: 'saveSession (a new session with 3 labels)',
      body: () => {
        const n = nextSave++;
        return json(SAVE, {
          org,
          workspace: writesWorkspace,
          input: {
            id: randomUUID(),
            model: 'claude-sonnet-4',
            agent: 'claude-code',
            title: `Bench save ${n}: investigate the flaky build`,
            visibility: 'WORKSPACE',
            labels: [
              { key: 'team', values: ['infra'] },
              { key: 'env', values: ['prod', 'staging'] },
              { key: 'topic', values: ['perf'] },
            ],
          },
        });
      },
      check: (data) => ((data as { saveSession?: { id?: string } }).saveSession?.id ? undefined : 'no saveSession.id'),
    },
    d: {
      id: 'd',
      title: 'appendTranscript of 10 messages',
      body: () => {
        const n = nextAppend++;
        const id = fixture.appendSessionIds[n % fixture.appendSessionIds.length]!;
        return json(APPEND, { org, workspace: writesWorkspace, id, input: { messages: tenMessages(n) } });
      },
      check: (data) => ((data as { appendTranscript?: { lastSeq?: number } }).appendTranscript?.lastSeq ? undefined : 'no lastSeq'),
    },
    g: {
      id: 'g',
      title: 'searchMessages over the workspace’s messages, first 20 with snippets (queries in turn)',
      body: () => json(SEARCH_MESSAGES, { org, workspace, query: MESSAGE_QUERIES[nextQuery++ % MESSAGE_QUERIES.length] }),
      check: (data) => {
        const nodes = (data as { searchMessages?: { nodes?: unknown[] } }).searchMessages?.nodes;
        return nodes && nodes.length > 0 ? undefined : 'no matching message';
      },
    },
    h: {
      id: 'h',
      title: 'sessions with a matching message (filter.messageSearch), first 20 with totalCount',
      body: () =>
        json(LIST_WITH_COUNT, {
          org,
          workspace,
          first: 20,
          filter: { messageSearch: MESSAGE_QUERIES[nextQuery++ % MESSAGE_QUERIES.length] },
        }),
      check: (data) => ((data as { sessions?: { totalCount?: number } }).sessions?.totalCount ? undefined : 'no session'),
    },
    i: {
      id: 'i',
      title: 'forkSession of a 20,000-message session at its last message, one at a time',
      // One fork at a time: its latency is the figure. Ten at once write 200,000 rows together,
      // which measures the disk (and ran past the statement timeout on the 2-core VM).
      connections: 1,
      body: () =>
        json(FORK, {
          org,
          workspace: writesWorkspace,
          id: fixture.forkSourceId,
          input: { atSeq: 20_000, newId: randomUUID(), title: 'bench fork' },
        }),
      check: (data) =>
        (data as { forkSession?: { messageCount?: number } }).forkSession?.messageCount === 20_000
          ? undefined
          : 'not a fork of 20,000 messages',
    },
    e: {
      id: 'e',
      title: 'sessionFacets of the workspace',
      body: () => json(FACETS, { org, workspace }),
      check: (data) => {
        const users = (data as { sessionFacets?: { users?: unknown[] } }).sessionFacets?.users;
        return users && users.length > 0 ? undefined : 'no facet values';
      },
    },
  };
}
