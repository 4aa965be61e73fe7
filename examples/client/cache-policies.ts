// What a normalising cache needs to know about this API, for Apollo Client's InMemoryCache and
// urql's graphcache. Every type with an `id` (Session, Message, User) is a Node whose id is unique
// across types, so the default normalisation (by __typename and id) is right for them. The rest:
//
// - Types without an id belong to their parent and are stored inside it: SessionLabel,
//   SessionUsage, MessageUsage, ToolCall (its callId is the model's and only unique within its
//   message), TranscriptPage, LabelFacet, FacetValue, SessionFacets, WorkspaceMembership, and
//   Viewer (the caller's view of itself; its `user` is the User); connection, edge, page info and
//   mutation payload types.
// - `sessions` is a Relay connection: pages are merged per workspace, filter and order. Apollo's
//   relayStylePagination merges `edges`; a UI that reads `nodes` needs the merge below instead.
import type { FieldPolicy, TypePolicies } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/** The arguments that make two `sessions` lists different lists (not pages of one). */
const SESSIONS_KEY_ARGS = ['org', 'workspace', 'filter', 'orderBy'];

const EMBEDDED = [
  'SessionConnection',
  'SessionEdge',
  'PageInfo',
  'AppendTranscriptPayload',
  'DeleteSessionPayload',
  'SessionLabel',
  'SessionUsage',
  'MessageUsage',
  'ToolCall',
  'TranscriptPage',
  'LabelFacet',
  'FacetValue',
  'SessionFacets',
  'WorkspaceMembership',
  'Viewer',
] as const;

interface NodesPage {
  nodes?: readonly unknown[];
}

/** `sessions { nodes … pageInfo }` paged forward with `after`: each page's nodes follow the last. */
export const sessionsByNodes: FieldPolicy<NodesPage> = {
  keyArgs: SESSIONS_KEY_ARGS,
  merge(existing, incoming, { args }) {
    if (!existing || !args?.after) return incoming;
    return { ...incoming, nodes: [...(existing.nodes ?? []), ...(incoming.nodes ?? [])] };
  },
};

/** Apollo Client: `new InMemoryCache({ typePolicies: apolloTypePolicies('edges') })`. */
export function apolloTypePolicies(paging: 'edges' | 'nodes'): TypePolicies {
  return {
    Query: { fields: { sessions: paging === 'edges' ? relayStylePagination(SESSIONS_KEY_ARGS) : sessionsByNodes } },
    ...Object.fromEntries(EMBEDDED.map((type) => [type, { keyFields: false }])),
  };
}

/** urql graphcache: `cacheExchange({ keys: graphcacheKeys })`, with relayPagination() for sessions. */
export const graphcacheKeys: Record<(typeof EMBEDDED)[number], () => null> = Object.fromEntries(
  EMBEDDED.map((type) => [type, () => null]),
) as Record<(typeof EMBEDDED)[number], () => null>;
