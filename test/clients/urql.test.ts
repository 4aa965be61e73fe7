import { createHash, randomUUID } from 'node:crypto';
import { Client, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { persistedExchange } from '@urql/exchange-persisted';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphcacheKeys } from '../../examples/client/cache-policies.js';
import { startClientTestServer, type ClientTestServer } from './server.js';

/**
 * urql 6 with graphcache, unmodified, against the real server: the keys the example client
 * documents leave graphcache nothing to warn about, tool calls stay with their messages, pages
 * merge through relayPagination, and the persisted exchange falls back to the document once.
 */
describe('urql with graphcache', () => {
  let t: ClientTestServer;
  const warnings: string[] = [];
  const ws = () => ({ org: t.tenant.org, workspace: t.tenant.workspace });

  const client = (
    exchanges = [cacheExchange({ keys: graphcacheKeys, resolvers: { Query: { sessions: relayPagination() } } }), fetchExchange],
  ) => new Client({ url: t.server.url, exchanges, fetchOptions: { headers: { authorization: `Bearer ${t.token}` } } });

  beforeAll(async () => {
    t = await startClientTestServer();
  });
  afterAll(async () => t?.server.close());
  afterEach(() => vi.restoreAllMocks());

  const watchWarnings = () => {
    warnings.length = 0;
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
  };

  it('normalises sessions, messages and users by id, keeps tool calls with their messages, and warns about nothing', async () => {
    watchWarnings();
    const urql = client();
    const [a, b] = [randomUUID(), randomUUID()];
    const SAVE = gql`
      mutation ($org: String!, $workspace: String!, $input: SaveSessionInput!) {
        saveSession(org: $org, workspace: $workspace, input: $input) {
          id
          title
          labels {
            key
            values
          }
          usage {
            totalTokens
          }
        }
      }
    `;
    const APPEND = gql`
      mutation ($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
        appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) {
          lastSeq
          session {
            id
            messageCount
          }
        }
      }
    `;
    for (const [id, tool] of [
      [a, 'get_weather'],
      [b, 'search_docs'],
    ] as const) {
      expect(
        (await urql.mutation(SAVE, { ...ws(), input: { id, model: 'm', labels: [{ key: 'team', values: ['x'] }] } }).toPromise()).error,
      ).toBeUndefined();
      const appended = await urql
        .mutation(APPEND, {
          ...ws(),
          id,
          input: {
            messages: [{ role: 'ASSISTANT', toolCalls: [{ id: 'call_0', name: tool, arguments: '{}' }], usage: { inputTokens: 3 } }],
          },
        })
        .toPromise();
      expect(appended.error).toBeUndefined();
    }
    const READ = gql`
      query ($org: String!, $workspace: String!, $id: String!) {
        session(org: $org, workspace: $workspace, id: $id) {
          id
          creator {
            id
            email
          }
          labels {
            key
            values
          }
          usage {
            totalTokens
            totalCostUsd
          }
          transcript {
            hasMore
            messages {
              id
              seq
              toolCalls {
                callId
                name
              }
              usage {
                inputTokens
              }
            }
          }
        }
        viewer {
          user {
            id
            email
          }
          tokenKind
          memberships {
            org
            workspace
            role
          }
        }
      }
    `;
    for (const [id, tool] of [
      [a, 'get_weather'],
      [b, 'search_docs'],
    ] as const) {
      const network = await urql.query(READ, { ...ws(), id }).toPromise();
      expect(network.error).toBeUndefined();
      // Read again: answered from the cache, which must still hold this session's own tool call.
      type Read = { session: { transcript: { messages: { toolCalls: { callId: string; name: string }[] }[] } } };
      const cached = await urql.query<Read>(READ, { ...ws(), id }, { requestPolicy: 'cache-only' }).toPromise();
      expect(cached.data!.session.transcript.messages[0]!.toolCalls).toMatchObject([{ callId: 'call_0', name: tool }]);
    }
    expect(warnings).toEqual([]);
  });

  it('pages the sessions list with relayPagination over nodes', async () => {
    watchWarnings();
    const urql = client();
    for (let i = 0; i < 3; i += 1) {
      await urql
        .mutation(
          gql`
            mutation ($org: String!, $workspace: String!, $input: SaveSessionInput!) {
              saveSession(org: $org, workspace: $workspace, input: $input) {
                id
              }
            }
          `,
          {
            ...ws(),
            input: { id: randomUUID(), model: 'm' },
          },
        )
        .toPromise();
    }
    const LIST = gql`
      query ($org: String!, $workspace: String!, $first: Int, $after: String) {
        sessions(org: $org, workspace: $workspace, first: $first, after: $after) {
          nodes {
            id
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `;
    type Page = { sessions: { nodes: { id: string }[]; pageInfo: { endCursor: string } } };
    const first = await urql.query<Page>(LIST, { ...ws(), first: 2 }).toPromise();
    const second = await urql.query<Page>(LIST, { ...ws(), first: 2, after: first.data!.sessions.pageInfo.endCursor }).toPromise();
    expect(second.data!.sessions.nodes.length).toBe(4);
    expect(warnings).toEqual([]);
  });

  it('persistedExchange: the hash, then the document once, then the hash alone', async () => {
    const bodies: string[] = [];
    const urql = new Client({
      url: t.server.url,
      exchanges: [
        persistedExchange({
          preferGetForPersistedQueries: false,
          generateHash: (query) => Promise.resolve(createHash('sha256').update(query).digest('hex')),
        }),
        fetchExchange,
      ],
      fetchOptions: { headers: { authorization: `Bearer ${t.token}` } },
      fetch: (input, init) => {
        bodies.push(typeof init?.body === 'string' ? init.body : '');
        return fetch(input, init);
      },
      requestPolicy: 'network-only',
    });
    const VIEWER = gql`
      query UrqlPersisted {
        viewer {
          tokenKind
        }
      }
    `;
    expect((await urql.query(VIEWER, {}).toPromise()).data).toMatchObject({ viewer: { tokenKind: 'USER' } });
    expect(bodies.map((body) => body.includes('"query"'))).toEqual([false, true]);
    bodies.length = 0;
    await urql.query(VIEWER, {}).toPromise();
    expect(bodies.map((body) => body.includes('"query"'))).toEqual([false]);
  });
});
