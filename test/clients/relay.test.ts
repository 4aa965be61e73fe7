import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  commitMutation,
  Environment,
  fetchQuery,
  Network,
  RecordSource,
  Store,
  type ConcreteRequest,
  type GraphQLResponse,
  type RequestParameters,
  type Variables,
} from 'relay-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppendTranscriptDocument, SaveSessionDocument } from '../generated/graphql.js';
import { print } from 'graphql';
import { startClientTestServer, type ClientTestServer } from './server.js';

const RELAY_PROJECT = path.resolve('test/clients/relay');
const require = createRequire(import.meta.url);

/** relay-compiler (the binary its npm package ships) over the documents in test/clients/relay. */
async function compileRelayDocuments(): Promise<string> {
  await mkdir(path.join(RELAY_PROJECT, '__generated__'), { recursive: true });
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [require.resolve('relay-compiler/cli.js')], {
    cwd: RELAY_PROJECT,
  });
  return `${stdout}${stderr}`;
}

const artifact = async (name: string) =>
  ((await import(path.join(RELAY_PROJECT, '__generated__', `${name}.graphql.ts`))) as { default: ConcreteRequest }).default;

/**
 * Relay, unmodified: relay-compiler accepts the schema for a @refetchable Session fragment (Node
 * and node(id:)), a @connection on the sessions list and a @deleteRecord on the deleted id; then
 * relay-runtime normalises two sessions whose models both named a tool call call_0, the creator
 * and the viewer's user, without a warning, and deletes a session's record on deleteSession.
 */
describe('Relay', () => {
  let t: ClientTestServer;
  let compilerOutput: string;
  const warnings: string[] = [];
  const [a, b] = [randomUUID(), randomUUID()];
  const ws = () => ({ org: t.tenant.org, workspace: t.tenant.workspace });

  beforeAll(async () => {
    [t, compilerOutput] = await Promise.all([startClientTestServer(), compileRelayDocuments()]);
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(t.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
        body: JSON.stringify({ query, variables }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    };
    for (const [id, tool] of [
      [a, 'get_weather'],
      [b, 'search_docs'],
    ] as const) {
      await post(print(SaveSessionDocument), { ...ws(), input: { id, model: 'm', title: tool } });
      await post(print(AppendTranscriptDocument), {
        ...ws(),
        id,
        input: { messages: [{ role: 'ASSISTANT', toolCalls: [{ id: 'call_0', name: tool, arguments: '{}' }] }] },
      });
    }
  });
  afterAll(async () => t?.server.close());
  afterEach(() => vi.restoreAllMocks());

  const environment = () =>
    new Environment({
      network: Network.create(async (params: RequestParameters, variables: Variables) => {
        const response = await fetch(t.server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
          body: JSON.stringify({ query: params.text, variables }),
        });
        return (await response.json()) as GraphQLResponse;
      }),
      store: new Store(new RecordSource()),
    });

  it('relay-compiler compiles a @refetchable Session fragment, a @connection and a @deleteRecord', () => {
    expect(compilerOutput).toMatch(/Compilation completed/);
    expect(compilerOutput).not.toMatch(/ERROR/);
  });

  it('relay-runtime normalises two sessions, their tool calls and the users, without a warning', async () => {
    warnings.length = 0;
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    const env = environment();
    await fetchQuery(env, await artifact('sessionsTwoQuery'), { ...ws(), a, b }).toPromise();
    const source = env.getStore().getSource();
    const toolOf = (sessionId: string) => {
      const session = source.get(sessionId)!;
      const transcriptRef = Object.entries(session).find(([key]) => key.startsWith('transcript'))![1] as { __ref: string };
      const messages = (source.get(transcriptRef.__ref)!.messages as { __refs: string[] }).__refs;
      const calls = (source.get(messages[0]!)!.toolCalls as { __refs: string[] }).__refs;
      return source.get(calls[0]!)!;
    };
    expect(toolOf(a)).toMatchObject({ callId: 'call_0', name: 'get_weather' });
    expect(toolOf(b)).toMatchObject({ callId: 'call_0', name: 'search_docs' });
    // The creator of both sessions and the viewer's user are one User record.
    expect(source.get(t.tenant.members[0]!.userId)).toMatchObject({ __typename: 'User', email: t.tenant.members[0]!.email });
    expect(warnings).toEqual([]);
  });

  it('@deleteRecord removes the deleted session from the store', async () => {
    const env = environment();
    await fetchQuery(env, await artifact('sessionsTwoQuery'), { ...ws(), a, b }).toPromise();
    expect(env.getStore().getSource().get(b)).toBeTruthy();
    const mutation = await artifact('sessionsDeleteMutation');
    await new Promise<void>((resolve, reject) =>
      commitMutation(env, {
        mutation,
        variables: { ...ws(), id: b },
        onCompleted: () => resolve(),
        onError: reject,
      }),
    );
    expect(env.getStore().getSource().get(b)).toBeNull();
  });
});
