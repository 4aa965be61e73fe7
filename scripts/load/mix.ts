import { performance } from 'node:perf_hooks';
import { conversationBatch, LABEL_VALUES, messageTokens, MODELS, newSession, revisedFields, type Rng } from './content.js';
import type { GraphQLClient, Outcome } from './graphql-client.js';
import { contentHash, labelPairs, type Ledger, type SessionFields, type TrackedSession } from './ledger.js';
import {
  APPEND_TRANSCRIPT,
  GET_SESSION,
  LIST_SESSIONS,
  SAVE_SESSION,
  SESSION_FACETS,
  type AppendedTranscript,
  type Facets,
  type GotSession,
  type ListedSessions,
  type SavedSession,
} from './operations.js';
import type { Recorder } from './stats.js';

export const OPERATIONS = ['saveNew', 'saveUpdate', 'appendTranscript', 'list', 'get', 'facets'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Share of each operation in the mix, in percent. */
export const WEIGHTS: Record<Operation, number> = {
  saveNew: 15,
  saveUpdate: 10,
  appendTranscript: 25,
  list: 25,
  get: 15,
  facets: 10,
};

/** Reads of a client's own session that disagreed with its own acknowledged writes. */
export interface ReadMismatches {
  count: number;
  examples: string[];
}

export interface ClientContext {
  org: string;
  workspace: string;
  userId: string;
  client: GraphQLClient;
  rng: Rng;
  ledger: Ledger;
  recorder: Recorder<Operation>;
  readMismatches: ReadMismatches;
}

interface ClientState {
  /** Sessions this client created and may write: nobody else writes them. */
  own: TrackedSession[];
}

function pickOperation(rng: Rng): Operation {
  let roll = rng.next() * 100;
  for (const op of OPERATIONS) {
    roll -= WEIGHTS[op];
    if (roll < 0) return op;
  }
  return 'list';
}

async function timed<TData>(ctx: ClientContext, op: Operation, send: () => Promise<Outcome<TData>>): Promise<Outcome<TData>> {
  const started = performance.now();
  const outcome = await send();
  ctx.recorder.record(op, performance.now() - started, outcome.httpStatus, outcome.ok ? null : outcome.code);
  return outcome;
}

function mismatch(ctx: ClientContext, detail: string): void {
  ctx.readMismatches.count += 1;
  if (ctx.readMismatches.examples.length < 10) ctx.readMismatches.examples.push(detail);
}

const scope = (ctx: ClientContext) => ({ org: ctx.org, workspace: ctx.workspace });

async function saveNew(ctx: ClientContext, state: ClientState): Promise<void> {
  const session = newSession(ctx.rng);
  const fields: SessionFields = {
    model: session.model,
    title: session.title,
    agent: session.agent,
    visibility: session.visibility,
    labels: labelPairs(session.labels),
  };
  const outcome = await timed<SavedSession>(ctx, 'saveNew', () =>
    ctx.client.request(SAVE_SESSION, { ...scope(ctx), input: { ...session, messageCount: 0 } }),
  );
  if (outcome.ok) {
    const tracked: TrackedSession = { id: session.id, userId: ctx.userId, acked: fields, unsure: [], messages: [], appendUnsure: false };
    ctx.ledger.sessions.push(tracked);
    state.own.push(tracked);
  } else if (outcome.uncertain) {
    ctx.ledger.unsureSessions.push({ id: session.id, userId: ctx.userId, fields });
  }
}

/** A saveSession retry, as a client re-saving its session: new title, model, agent, and its message count. */
async function saveUpdate(ctx: ClientContext, session: TrackedSession): Promise<void> {
  const revised = revisedFields(ctx.rng);
  const fields: SessionFields = { ...session.acked, ...revised };
  const outcome = await timed<SavedSession>(ctx, 'saveUpdate', () =>
    ctx.client.request(SAVE_SESSION, {
      ...scope(ctx),
      input: { id: session.id, ...revised, messageCount: session.messages.length },
    }),
  );
  if (outcome.ok) {
    session.acked = fields;
    session.unsure = [];
  } else if (outcome.uncertain) {
    session.unsure.push(fields);
  }
}

async function appendTranscript(ctx: ClientContext, session: TrackedSession): Promise<void> {
  const batch = conversationBatch(ctx.rng);
  const outcome = await timed<AppendedTranscript>(ctx, 'appendTranscript', () =>
    ctx.client.request(APPEND_TRANSCRIPT, { ...scope(ctx), id: session.id, input: { messages: batch } }),
  );
  if (!outcome.ok) {
    if (outcome.uncertain) session.appendUnsure = true;
    return;
  }
  // Every message of the batch is new, so they hold the batch's last seqs in order.
  const { lastSeq } = outcome.data.appendTranscript;
  batch.forEach((message, i) => {
    session.messages.push({
      id: message.id,
      seq: lastSeq - batch.length + 1 + i,
      role: message.role,
      contentHash: contentHash(message.content),
      tokens: messageTokens(message),
    });
  });
  const count = outcome.data.appendTranscript.session.messageCount;
  if (!session.appendUnsure && count !== session.messages.length) {
    mismatch(ctx, `appendTranscript on ${session.id} answered messageCount ${count}, expected ${session.messages.length}`);
  }
}

/** Reads a session back: its owner must see its own acknowledged writes (read-your-writes). */
async function get(ctx: ClientContext, session: TrackedSession): Promise<void> {
  const outcome = await timed<GotSession>(ctx, 'get', () => ctx.client.request(GET_SESSION, { ...scope(ctx), id: session.id }));
  if (!outcome.ok) return;
  const got = outcome.data.session;
  if (session.unsure.length === 0) {
    const { model, title, agent } = session.acked;
    if (got.model !== model || got.title !== title || got.agent !== agent) {
      mismatch(
        ctx,
        `session ${session.id}: read ${JSON.stringify([got.model, got.title, got.agent])}, acknowledged ${JSON.stringify([model, title, agent])}`,
      );
    }
  }
  if (!session.appendUnsure) {
    const expectedIds = session.messages.slice(0, 20).map((message) => message.id);
    const readIds = got.transcript.messages.map((message) => message.id);
    const expectedTokens = session.messages.reduce((sum, message) => sum + message.tokens, 0);
    if (got.messageCount !== session.messages.length || readIds.join() !== expectedIds.join() || got.usage.totalTokens !== expectedTokens) {
      mismatch(
        ctx,
        `session ${session.id}: read messageCount ${got.messageCount}, ${readIds.length} transcript ids, totalTokens ${got.usage.totalTokens}; ` +
          `acknowledged ${session.messages.length} messages, ${expectedTokens} tokens`,
      );
    }
  }
}

async function list(ctx: ClientContext): Promise<void> {
  const roll = ctx.rng.int(4);
  const variables =
    roll === 0
      ? { filter: { labels: [{ key: 'team', values: [ctx.rng.pick(LABEL_VALUES.team)] }] } }
      : roll === 1
        ? { filter: { models: [ctx.rng.pick(MODELS)] }, orderBy: { field: 'LAST_MESSAGE_AT', direction: 'DESC' } }
        : {};
  await timed<ListedSessions>(ctx, 'list', () => ctx.client.request(LIST_SESSIONS, { ...scope(ctx), first: 50, ...variables }));
}

async function facets(ctx: ClientContext): Promise<void> {
  const filter = ctx.rng.chance(0.5) ? { labels: [{ key: 'env', values: [ctx.rng.pick(LABEL_VALUES.env)] }] } : undefined;
  await timed<Facets>(ctx, 'facets', () => ctx.client.request(SESSION_FACETS, { ...scope(ctx), filter }));
}

async function run(ctx: ClientContext, state: ClientState, op: Operation): Promise<void> {
  const session = state.own.length > 0 ? ctx.rng.pick(state.own) : undefined;
  // Writes and gets need a session of one's own; the first operation of a client creates one.
  if (!session || op === 'saveNew') return saveNew(ctx, state);
  switch (op) {
    case 'saveUpdate':
      return saveUpdate(ctx, session);
    case 'appendTranscript':
      return appendTranscript(ctx, session);
    case 'get':
      return get(ctx, session);
    case 'list':
      return list(ctx);
    case 'facets':
      return facets(ctx);
  }
}

/**
 * One client: one request at a time until `stopAt` (performance.now()). It starts with each
 * operation once, so even a short run exercises the whole mix, then picks by WEIGHTS.
 */
export async function runClient(ctx: ClientContext, stopAt: number): Promise<void> {
  const state: ClientState = { own: [] };
  for (const op of OPERATIONS) await run(ctx, state, op);
  while (performance.now() < stopAt) await run(ctx, state, pickOperation(ctx.rng));
}
