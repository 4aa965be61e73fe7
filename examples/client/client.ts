// A typed client for the sessions API: plain fetch and the typed documents that codegen makes from
// operations.graphql. Every variable and every field of every result is checked by TypeScript.
//
//   API_URL=http://localhost:4000/graphql API_TOKEN=cst_… npx tsx examples/client/client.ts
import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  UiAppendTranscriptDocument,
  UiArchiveSessionDocument,
  UiGetSessionDocument,
  UiListSessionsDocument,
  UiSaveSessionDocument,
  UiSessionFacetsDocument,
} from './generated/graphql.js';

/** An error of the API, with the envelope from `extensions`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly errors: { loc: (string | number)[]; msg: string; type: string }[] = [],
  ) {
    super(message);
  }
}

interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: { message: string; extensions?: { code?: string; status?: number; errors?: ApiError['errors'] } }[];
}

export function createClient(url: string, token: string) {
  return async function request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as GraphQLResponse<TResult>;
    const [error] = body.errors ?? [];
    if (error)
      throw new ApiError(
        error.message,
        error.extensions?.code ?? 'UNKNOWN',
        error.extensions?.status ?? response.status,
        error.extensions?.errors,
      );
    if (!body.data) throw new ApiError('Empty response', 'UNKNOWN', response.status);
    return body.data;
  };
}

/** What a UI does on first use: save, talk, list with a filter, fill the filter drop-downs, archive. */
export async function demo(url: string, token: string, org = 'demo', workspace = 'main') {
  const request = createClient(url, token);
  const at = { org, workspace };
  const id = randomUUID();
  const saved = await request(UiSaveSessionDocument, {
    ...at,
    input: { id, model: 'gpt-4o', title: 'Example client', labels: [{ key: 'client', values: ['example'] }] },
  });
  const appended = await request(UiAppendTranscriptDocument, {
    ...at,
    id,
    messages: [
      { role: 'USER', content: 'How many sessions do I have?' },
      { role: 'ASSISTANT', content: 'Let me count.', usage: { inputTokens: 42, outputTokens: 7, costUsd: 0.0004 } },
    ],
  });
  const list = await request(UiListSessionsDocument, {
    ...at,
    filter: { labels: [{ key: 'client', values: ['example'] }] },
    orderBy: { field: 'UPDATED_AT', direction: 'DESC' },
    first: 10,
  });
  const facets = await request(UiSessionFacetsDocument, { ...at, filter: { search: 'example' } });
  const detail = await request(UiGetSessionDocument, { ...at, id: id.slice(0, 8) });
  const archived = await request(UiArchiveSessionDocument, { ...at, id });
  return {
    saved: saved.saveSession,
    appended: appended.appendTranscript,
    list: list.sessions,
    facets: facets.sessionFacets,
    detail: detail.session,
    archived: archived.archiveSession,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (isMain) {
  const { API_URL = 'http://localhost:4000/graphql', API_TOKEN } = process.env;
  if (!API_TOKEN) {
    process.stderr.write('Set API_TOKEN (the demo token npm start printed, or one from npm run admin)\n');
    process.exit(2);
  }
  const result = await demo(API_URL, API_TOKEN);
  process.stdout.write(
    `${JSON.stringify({ session: result.detail!.id, lastSeq: result.appended!.lastSeq, listed: result.list!.totalCount, models: result.facets!.models }, null, 2)}\n`,
  );
}
