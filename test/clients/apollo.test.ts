import { createHash, randomUUID } from 'node:crypto';
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apolloTypePolicies } from '../../examples/client/cache-policies.js';
import { startClientTestServer, type ClientTestServer } from './server.js';

/**
 * Apollo Client 4, unmodified, against the real server on a port: its InMemoryCache with the type
 * policies the example client documents, pagination, persisted queries, batching and partial
 * results. Fetch is counted so the tests see what went over the wire.
 */
describe('Apollo Client', () => {
  let t: ClientTestServer;
  const requests: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    requests.push(typeof init?.body === 'string' ? init.body : '');
    return fetch(input, init);
  };
  const ws = () => ({ org: t.tenant.org, workspace: t.tenant.workspace });

  const client = (link: ApolloLink, paging: 'edges' | 'nodes' = 'edges') =>
    new ApolloClient({ link, cache: new InMemoryCache({ typePolicies: apolloTypePolicies(paging) }) });
  const http = () => new HttpLink({ uri: t.server.url, fetch: countingFetch, headers: { authorization: `Bearer ${t.token}` } });

  const SAVE = gql`
    mutation Save($org: String!, $workspace: String!, $input: SaveSessionInput!) {
      saveSession(org: $org, workspace: $workspace, input: $input) {
        id
        title
      }
    }
  `;
  const APPEND = gql`
    mutation Append($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
      appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) {
        lastSeq
      }
    }
  `;
  const TRANSCRIPT = gql`
    query Transcript($org: String!, $workspace: String!, $id: String!) {
      session(org: $org, workspace: $workspace, id: $id) {
        id
        transcript {
          messages {
            id
            seq
            toolCalls {
              callId
              name
              arguments
            }
          }
        }
      }
    }
  `;

  beforeAll(async () => {
    t = await startClientTestServer();
    const setup = client(http());
    for (let i = 0; i < 5; i += 1) {
      await setup.mutate({ mutation: SAVE, variables: { ...ws(), input: { id: randomUUID(), model: 'm', title: `page item ${i}` } } });
    }
  });
  afterAll(async () => t?.server.close());

  it('keeps two sessions’ tool calls apart in the cache, though both models called their tool call_0', async () => {
    const apollo = client(http());
    const [a, b] = [randomUUID(), randomUUID()];
    for (const [id, tool] of [
      [a, 'get_weather'],
      [b, 'search_docs'],
    ] as const) {
      await apollo.mutate({ mutation: SAVE, variables: { ...ws(), input: { id, model: 'm' } } });
      await apollo.mutate({
        mutation: APPEND,
        variables: {
          ...ws(),
          id,
          input: { messages: [{ role: 'ASSISTANT', toolCalls: [{ id: 'call_0', name: tool, arguments: '{}' }] }] },
        },
      });
    }
    await apollo.query({ query: TRANSCRIPT, variables: { ...ws(), id: a } });
    await apollo.query({ query: TRANSCRIPT, variables: { ...ws(), id: b } });
    type Read = { session: { transcript: { messages: { toolCalls: { callId: string; name: string }[] }[] } } };
    const fromCache = (id: string) =>
      apollo.readQuery<Read>({ query: TRANSCRIPT, variables: { ...ws(), id } })!.session.transcript.messages[0]!.toolCalls[0];
    expect(fromCache(a)).toMatchObject({ callId: 'call_0', name: 'get_weather' });
    expect(fromCache(b)).toMatchObject({ callId: 'call_0', name: 'search_docs' });
  });

  it('pages with fetchMore, edges through relayStylePagination and nodes through the documented merge', async () => {
    for (const paging of ['edges', 'nodes'] as const) {
      const selection = paging === 'edges' ? 'edges { cursor node { id title } }' : 'nodes { id title }';
      const LIST = gql(`
        query List($org: String!, $workspace: String!, $first: Int, $after: String) {
          sessions(org: $org, workspace: $workspace, first: $first, after: $after) { ${selection} pageInfo { hasNextPage endCursor } }
        }
      `);
      const apollo = client(http(), paging);
      const first = await apollo.query<{ sessions: { pageInfo: { endCursor: string } } }>({
        query: LIST,
        variables: { ...ws(), first: 2 },
      });
      const watched = apollo.watchQuery({ query: LIST, variables: { ...ws(), first: 2 } });
      await watched.fetchMore({ variables: { after: first.data!.sessions.pageInfo.endCursor } });
      const merged = apollo.readQuery<{ sessions: { edges?: unknown[]; nodes?: unknown[] } }>({
        query: LIST,
        variables: { ...ws(), first: 2 },
      });
      expect((merged!.sessions.edges ?? merged!.sessions.nodes)!.length, paging).toBe(4);
    }
  });

  it('PersistedQueryLink: the hash first, the document once when the server does not know it, then the hash alone', async () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const apollo = client(ApolloLink.from([new PersistedQueryLink({ sha256 }), http()]));
    const VIEWER = gql`
      query PersistedViewer {
        viewer {
          user {
            id
            email
          }
          tokenKind
        }
      }
    `;
    requests.length = 0;
    const first = await apollo.query({ query: VIEWER, fetchPolicy: 'network-only' });
    expect(first.data).toMatchObject({ viewer: { tokenKind: 'USER' } });
    expect(requests).toHaveLength(2);
    expect(requests[0]).not.toContain('"query"');
    expect(requests[1]).toContain('"query"');
    requests.length = 0;
    await apollo.query({ query: VIEWER, fetchPolicy: 'network-only' });
    expect(requests).toHaveLength(1);
    expect(requests[0]).not.toContain('"query"');
  });

  it('BatchHttpLink: two queries in one request, each answered', async () => {
    const link = new BatchHttpLink({
      uri: t.server.url,
      fetch: countingFetch,
      headers: { authorization: `Bearer ${t.token}` },
      batchMax: 5,
      batchInterval: 20,
    });
    const apollo = client(link);
    requests.length = 0;
    const [viewer, list] = await Promise.all([
      apollo.query({
        query: gql`
          query BatchedViewer {
            viewer {
              tokenKind
            }
          }
        `,
      }),
      apollo.query({
        query: gql`
          query BatchedList($org: String!, $workspace: String!) {
            sessions(org: $org, workspace: $workspace, first: 1) {
              nodes {
                id
              }
            }
          }
        `,
        variables: ws(),
      }),
    ]);
    expect(requests).toHaveLength(1);
    expect(viewer.data).toMatchObject({ viewer: { tokenKind: 'USER' } });
    expect(list.data).toMatchObject({ sessions: { nodes: [expect.objectContaining({ id: expect.any(String) })] } });
  });

  it('errorPolicy all: one failing root field is null with its error, the rest of the answer stands', async () => {
    const apollo = client(http());
    const result = await apollo.query<{ viewer: { user: { email: string } }; s: null }>({
      query: gql`
        query Partial($org: String!, $workspace: String!, $id: String!) {
          viewer {
            user {
              id
              email
            }
          }
          s: session(org: $org, workspace: $workspace, id: $id) {
            id
          }
        }
      `,
      variables: { ...ws(), id: randomUUID() },
      errorPolicy: 'all',
    });
    expect(result.data?.viewer.user.email).toBe(t.tenant.members[0]!.email);
    expect(result.data?.s).toBeNull();
    expect(result.error?.message).toMatch(/Session not found/);
  });
});
