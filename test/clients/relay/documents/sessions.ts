// What a Relay UI of this API writes. relay-compiler reads these tagged templates (test/clients/
// relay.test.ts runs it) and writes the artifacts the runtime uses; they are never run as code.
import { graphql } from 'relay-runtime';

export const sessionFragment = graphql`
  fragment sessions_session on Session @refetchable(queryName: "sessionsSessionRefetchQuery") {
    id
    title
    creator {
      id
      email
    }
    transcript(first: 10) {
      messages {
        id
        seq
        toolCalls {
          callId
          name
        }
      }
    }
  }
`;

export const listFragment = graphql`
  fragment sessions_list on Query
  @argumentDefinitions(
    org: { type: "String!" }
    workspace: { type: "String!" }
    first: { type: "Int", defaultValue: 2 }
    after: { type: "String" }
  )
  @refetchable(queryName: "sessionsListPaginationQuery") {
    sessions(org: $org, workspace: $workspace, first: $first, after: $after) @connection(key: "sessions_list_sessions") {
      edges {
        node {
          id
          ...sessions_session
        }
      }
    }
  }
`;

export const listQuery = graphql`
  query sessionsListQuery($org: String!, $workspace: String!) {
    ...sessions_list @arguments(org: $org, workspace: $workspace)
  }
`;

export const twoSessionsQuery = graphql`
  query sessionsTwoQuery($org: String!, $workspace: String!, $a: String!, $b: String!) {
    a: session(org: $org, workspace: $workspace, id: $a) {
      ...sessions_session
    }
    b: session(org: $org, workspace: $workspace, id: $b) {
      ...sessions_session
    }
    viewer {
      user {
        id
        email
      }
    }
  }
`;

export const deleteMutation = graphql`
  mutation sessionsDeleteMutation($org: String!, $workspace: String!, $id: String!) {
    deleteSession(org: $org, workspace: $workspace, id: $id) {
      deletedSessionId @deleteRecord
    }
  }
`;
