import { compactTranscript, type CompactResult } from '../sessions/compaction.js';
import { appendTranscript, MAX_BATCH_MESSAGES, MAX_TOOL_CALLS, type AppendResult, type ToolCall } from '../sessions/transcript-append.js';
import {
  checkTranscriptArgs,
  DEFAULT_TRANSCRIPT_PAGE,
  MAX_TRANSCRIPT_PAGE,
  type StoredMessage,
  type TranscriptPage,
} from '../sessions/transcript-read.js';
import { publishAppend, publishCompaction } from '../live/publish.js';
import { builder } from './builder.js';
import { isRecord } from './is-record.js';
import { atMost } from './list-bounds.js';
import { NodeRef } from './node.js';
import { SessionRef } from './session.js';
import { inWorkspace, workspaceArgs } from './workspace.js';

export const MessageRoleEnum = builder.enumType('MessageRole', {
  description: 'Who speaks in a message.',
  values: {
    USER: { description: 'The user.' },
    ASSISTANT: { description: 'The model; ASSISTANT messages with usage are generations.' },
    TOOL: { description: 'A tool’s result, answering a tool call (toolCallId).' },
    SYSTEM: { description: 'Instructions to the model.' },
  } as const,
});

const ToolCallRef = builder.objectRef<ToolCall>('ToolCall').implement({
  description:
    'A tool call as the model emitted it. Not an entity: it belongs to its message, and its callId (the model’s id, such as call_0) is unique only within the message, so it has no id field for caches to normalise by.',
  fields: (t) => ({
    callId: t.exposeString('id', { description: 'The model’s id of the call; a TOOL message answers it with the same toolCallId.' }),
    name: t.exposeString('name', { description: 'The tool’s name.' }),
    arguments: t.exposeString('arguments', { description: 'The arguments, JSON-encoded.' }),
  }),
});

interface MessageUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUsd: number | null;
}

const MessageUsageRef = builder.objectRef<MessageUsage>('MessageUsage').implement({
  description: 'The usage of one generation. Not an entity: it belongs to its message (no id).',
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens', { description: 'Input tokens.' }),
    outputTokens: t.exposeInt('outputTokens', { description: 'Output tokens.' }),
    cacheReadInputTokens: t.exposeInt('cacheReadInputTokens', { description: 'Input tokens read from the prompt cache.' }),
    cacheCreationInputTokens: t.exposeInt('cacheCreationInputTokens', { description: 'Input tokens written to the prompt cache.' }),
    costUsd: t.exposeFloat('costUsd', { nullable: true, description: 'Cost in US dollars, when the client reported it.' }),
  }),
});

/** A stored value as text: strings as they are, anything else as its JSON, nothing as ''. */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value ?? '') ?? ''));

/** Stored tool calls, keeping only well-formed entries (rows may come from other writers). */
function toolCallsOf(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((call) => ({
    id: textOf(call.id),
    name: textOf(call.name),
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? null),
  }));
}

export const MessageRef = builder.objectRef<StoredMessage>('Message').implement({
  description: 'One message of a transcript.',
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The message’s UUID (the client’s, or one the server made).' }),
    seq: t.exposeInt('seq', { description: 'Its place in the session: 1, 2, 3 … with no gap.' }),
    role: t.expose('role', { type: MessageRoleEnum, description: 'Who speaks.' }),
    content: t.exposeString('content', { description: 'The text; may be empty.' }),
    parentId: t.expose('parentId', { type: 'UUID', nullable: true, description: 'The message this one follows from, if the client said.' }),
    toolCallId: t.exposeString('toolCallId', { nullable: true, description: 'On TOOL messages: the callId of the call it answers.' }),
    toolCalls: t.field({
      type: [ToolCallRef],
      description: 'The tool calls the model made in this message.',
      resolve: (message) => toolCallsOf(message.toolCalls),
    }),
    metadata: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'The client’s own data, as it sent it.',
      resolve: (message) => (isRecord(message.metadata) ? message.metadata : null),
    }),
    usage: t.field({
      type: MessageUsageRef,
      nullable: true,
      description: 'Set on generations (ASSISTANT messages with usage).',
      resolve: (message) =>
        message.inputTokens === null
          ? null
          : {
              inputTokens: message.inputTokens,
              outputTokens: message.outputTokens ?? 0,
              cacheReadInputTokens: message.cacheReadInputTokens ?? 0,
              cacheCreationInputTokens: message.cacheCreationInputTokens ?? 0,
              costUsd: message.costUsd,
            },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was stored.' }),
    compacted: t.exposeBoolean('compacted', {
      description: 'Whether a compaction covers it: still stored and counted, left out of the transcript unless includeCompacted.',
    }),
    compactionUpToSeq: t.exposeInt('compactionUpToSeq', {
      nullable: true,
      description: 'Set on a compaction’s summary message: the seq the compaction covers (every message up to it).',
    }),
  }),
});

const TranscriptPageRef = builder.objectRef<TranscriptPage>('TranscriptPage').implement({
  description: 'A page of a transcript, in seq order.',
  fields: (t) => ({
    messages: t.field({ type: [MessageRef], description: 'The messages of the page.', resolve: (page) => page.messages }),
    hasMore: t.exposeBoolean('hasMore', { description: 'Whether messages follow the last one of the page.' }),
  }),
});

builder.objectField(SessionRef, 'transcript', (t) =>
  t.field({
    type: TranscriptPageRef,
    nullable: true,
    description:
      'Messages after `afterSeq` (default: from the start) in seq order; keep paging with the last seq while hasMore. Null (with an error) only when the page could not be loaded. Batched per request.',
    args: {
      afterSeq: t.arg.int({ description: 'Only messages with a greater seq; from the start when left out.' }),
      first: t.arg.int({ defaultValue: DEFAULT_TRANSCRIPT_PAGE, description: `At most ${MAX_TRANSCRIPT_PAGE}.` }),
      includeCompacted: t.arg.boolean({
        defaultValue: false,
        description: 'Also the messages a compaction covers (left out by default: the transcript is the current era).',
      }),
    },
    resolve: (session, args, ctx) =>
      ctx.loaders.transcript.load({
        sessionId: session.id,
        includeCompacted: args.includeCompacted ?? false,
        ...checkTranscriptArgs(args.afterSeq, args.first),
      }),
  }),
);

const ToolCallInputRef = builder.inputType('ToolCallInput', {
  description: 'A tool call as the model emitted it (its id is the model’s, returned as ToolCall.callId).',
  fields: (t) => ({
    id: t.string({ required: true, description: 'The model’s id of the call, such as call_0; not blank.' }),
    name: t.string({ required: true, description: 'The tool’s name; not blank.' }),
    arguments: t.string({ required: true, description: 'The arguments, JSON-encoded; at most 1,000,000 characters.' }),
  }),
});

const MessageUsageInputRef = builder.inputType('MessageUsageInput', {
  description: 'The usage of one generation, as the model reported it.',
  fields: (t) => ({
    inputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0, description: 'Input tokens.' }),
    outputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0, description: 'Output tokens.' }),
    cacheReadInputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0, description: 'Input tokens read from the prompt cache.' }),
    cacheCreationInputTokens: t.field({
      type: 'NonNegativeInt',
      defaultValue: 0,
      description: 'Input tokens written to the prompt cache.',
    }),
    costUsd: t.float({ description: 'Cost in US dollars: finite, not negative, below 1e9.' }),
  }),
});

const MessageInputRef = builder.inputType('MessageInput', {
  description: 'One message to append.',
  fields: (t) => ({
    id: t.field({ type: 'UUID', description: 'Client message id: a message resent with the same id is not stored twice.' }),
    role: t.field({ type: MessageRoleEnum, required: true, description: 'Who speaks.' }),
    content: t.string({ defaultValue: '', description: 'At most 1,000,000 characters.' }),
    parentId: t.field({ type: 'UUID', description: 'The message this one follows from.' }),
    toolCallId: t.string({ description: 'On TOOL messages: the id of the call it answers; at most 256 characters.' }),
    toolCalls: t.field({ type: [ToolCallInputRef], ...atMost(MAX_TOOL_CALLS, 'The tool calls the model made.') }),
    metadata: t.field({ type: 'JSONObject', description: 'The client’s own data: at most 64 KiB of JSON, 64 levels deep.' }),
    usage: t.field({ type: MessageUsageInputRef, description: 'Only on ASSISTANT messages.' }),
  }),
});

const CompactTranscriptInputRef = builder.inputType('CompactTranscriptInput', {
  description: 'What a compaction covers, and the summary that stands for it.',
  fields: (t) => ({
    upToSeq: t.field({
      type: 'NonNegativeInt',
      required: true,
      description: 'Compact every message with seq up to this one: from 1 to the last seq, above the current compactedUpToSeq.',
    }),
    summary: t.field({
      type: MessageInputRef,
      required: true,
      description: 'The summary message, stored as the next message (same rules as an appended message; usage counts).',
    }),
  }),
});

const CompactTranscriptPayloadRef = builder.objectRef<CompactResult>('CompactTranscriptPayload').implement({
  description: 'The session after the compaction, and where its summary was stored.',
  fields: (t) => ({
    session: t.field({
      type: SessionRef,
      description: 'The session, with compactedUpToSeq moved.',
      resolve: (payload) => payload.session,
    }),
    summarySeq: t.exposeInt('summarySeq', { description: 'The seq of the summary message.' }),
  }),
});

builder.mutationField('compactTranscript', (t) =>
  t.field({
    type: CompactTranscriptPayloadRef,
    nullable: true,
    description:
      'Non-destructive compaction: stores the summary as the next message and marks every message with seq <= upToSeq compacted. Nothing is deleted. Only the owner; frozen sessions are CONFLICT; an upToSeq already compacted is ALREADY_EXISTS.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true, description: 'Full UUID or unique prefix of at least 8 hex characters, with or without dashes.' }),
      input: t.arg({ type: CompactTranscriptInputRef, required: true, description: 'The compaction.' }),
    },
    resolve: inWorkspace(async (access, args, ctx) => {
      const result = await compactTranscript(ctx.prisma, access, args.id, args.input);
      publishCompaction(ctx.live.hub, result);
      return result;
    }),
  }),
);

const AppendTranscriptInputRef = builder.inputType('AppendTranscriptInput', {
  description: 'A batch of messages, stored in one transaction.',
  fields: (t) => ({
    messages: t.field({ type: [MessageInputRef], required: true, ...atMost(MAX_BATCH_MESSAGES, 'At least 1 message.') }),
  }),
});

const AppendTranscriptPayloadRef = builder.objectRef<AppendResult>('AppendTranscriptPayload').implement({
  description: 'The session after the append, and where the batch ended.',
  fields: (t) => ({
    session: t.field({
      type: SessionRef,
      description: 'The session, with messageCount and lastMessageAt moved.',
      resolve: (payload) => payload.session,
    }),
    lastSeq: t.exposeInt('lastSeq', { description: 'The highest seq among the batch’s messages (stored now or before).' }),
  }),
});

builder.mutationField('appendTranscript', (t) =>
  t.field({
    type: AppendTranscriptPayloadRef,
    nullable: true,
    description:
      'Appends a batch of messages in one transaction with consecutive seq numbers; idempotent on message id. Only the owner appends; frozen sessions are CONFLICT.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true, description: 'Full UUID or unique prefix of at least 8 hex characters, with or without dashes.' }),
      input: t.arg({ type: AppendTranscriptInputRef, required: true, description: 'The batch.' }),
    },
    resolve: inWorkspace(async (access, args, ctx) => {
      const result = await appendTranscript(ctx.prisma, access, args.id, args.input.messages);
      publishAppend(ctx.live.hub, result);
      return result;
    }),
  }),
);
