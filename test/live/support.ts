import { randomUUID } from 'node:crypto';
import type { RunningServer } from '../../src/http/server.js';

/** Plain GraphQL over HTTP against a running server (the mutations that make events). */
export async function gql<T = Record<string, unknown>>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
}

export const SAVE = `mutation($org: String!, $workspace: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $workspace, input: $input) { id } }`;
export const APPEND = `mutation($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
  appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) { lastSeq } }`;
export const TRANSCRIPT = `subscription($org: String!, $workspace: String!, $id: String!, $afterSeq: Int) {
  transcript(org: $org, workspace: $workspace, id: $id, afterSeq: $afterSeq) { seq content } }`;
export const SESSION_EVENTS = `subscription($org: String!, $workspace: String!, $filter: SessionFilter) {
  sessionEvents(org: $org, workspace: $workspace, filter: $filter) { kind sessionId lastSeq messageCount session { id visibility labels { key values } } } }`;

export interface Slugs {
  org: string;
  workspace: string;
}

export async function saveSession(url: string, token: string, slugs: Slugs, input: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  const result = await gql(url, token, SAVE, { ...slugs, input: { id, model: 'm', visibility: 'WORKSPACE', ...input } });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return id;
}

export async function append(url: string, token: string, slugs: Slugs, id: string, contents: string[]): Promise<number> {
  const result = await gql<{ appendTranscript: { lastSeq: number } }>(url, token, APPEND, {
    ...slugs,
    id,
    input: { messages: contents.map((content) => ({ role: 'USER', content })) },
  });
  if (!result.data?.appendTranscript) throw new Error(JSON.stringify(result.errors));
  return result.data.appendTranscript.lastSeq;
}

/** Resolves when `predicate` holds, polling; fails after `ms`. */
export async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const wsUrl = (server: RunningServer) => server.url.replace(/^http/, 'ws');
