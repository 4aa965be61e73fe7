/**
 * The GraphQL documents of the load mix: what a chat UI and an agent runtime send (compare
 * examples/client/operations.graphql). Plain strings: the load driver speaks HTTP like any client.
 */

export const SAVE_SESSION = /* GraphQL */ `
  mutation LoadSaveSession($org: String!, $workspace: String!, $input: SaveSessionInput!) {
    saveSession(org: $org, workspace: $workspace, input: $input) {
      id
      model
      title
      agent
      messageCount
      updatedAt
    }
  }
`;

export const APPEND_TRANSCRIPT = /* GraphQL */ `
  mutation LoadAppendTranscript($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
    appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) {
      lastSeq
      session {
        id
        messageCount
        lastMessageAt
      }
    }
  }
`;

export const LIST_SESSIONS = /* GraphQL */ `
  query LoadListSessions($org: String!, $workspace: String!, $first: Int, $filter: SessionFilter, $orderBy: SessionOrder) {
    sessions(org: $org, workspace: $workspace, first: $first, filter: $filter, orderBy: $orderBy) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        model
        agent
        messageCount
        visibility
        updatedAt
        lastMessageAt
        previewText
        creator {
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
      }
    }
  }
`;

export const GET_SESSION = /* GraphQL */ `
  query LoadGetSession($org: String!, $workspace: String!, $id: String!) {
    session(org: $org, workspace: $workspace, id: $id) {
      id
      title
      model
      agent
      messageCount
      labels {
        key
        values
      }
      usage {
        totalTokens
        totalInputTokens
        totalOutputTokens
        totalCostUsd
        lastGenerationInputTokens
      }
      transcript(first: 20) {
        hasMore
        messages {
          id
          seq
          role
          content
        }
      }
    }
  }
`;

export const SESSION_FACETS = /* GraphQL */ `
  query LoadSessionFacets($org: String!, $workspace: String!, $filter: SessionFilter) {
    sessionFacets(org: $org, workspace: $workspace, filter: $filter) {
      labels {
        key
        values {
          value
          count
        }
      }
      agents {
        value
        count
      }
      models {
        value
        count
      }
      origins {
        value
        count
      }
      users {
        value
        count
      }
    }
  }
`;

export interface SavedSession {
  saveSession: { id: string; model: string | null; title: string | null; agent: string | null; messageCount: number };
}

export interface AppendedTranscript {
  appendTranscript: { lastSeq: number; session: { id: string; messageCount: number } };
}

export interface ListedSessions {
  sessions: { nodes: { id: string }[] };
}

export interface GotSession {
  session: {
    id: string;
    title: string | null;
    model: string | null;
    agent: string | null;
    messageCount: number;
    usage: { totalTokens: number };
    transcript: { hasMore: boolean; messages: { id: string; seq: number }[] };
  };
}

export interface Facets {
  sessionFacets: { models: { value: string; count: number }[] };
}
