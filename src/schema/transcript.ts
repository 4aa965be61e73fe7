import { inWorkspace, workspaceArgs } from './workspace.js';
import { appendTranscript, MAX_BATCH_MESSAGES, MAX_TOOL_CALLS, type AppendResult, type ToolCall } from '../sessions/transcript-append.js';
import { checkTranscriptArgs, DEFAULT_TRANSCRIPT_PAGE, type StoredMessage, type TranscriptPage } from '../sessions/transcript-read.js';
import { builder } from './builder.js';
import { SessionRef } from './session.js';
import { isRecord } from './is-record.js';
import { atMost } from './list-bounds.js';

export const MessageRoleEnum = builder.enumType('MessageRole', {
  values: ['USER', 'ASSISTANT', 'TOOL', 'SYSTEM'] as const,
});

const ToolCallRef = builder.objectRef<ToolCall>('ToolCall').implement({
  description: 'A tool call as emitted by the model; arguments are JSON-encoded.',
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments'),
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
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    cacheReadInputTokens: t.exposeInt('cacheReadInputTokens'),
    cacheCreationInputTokens: t.exposeInt('cacheCreationInputTokens'),
    costUsd: t.exposeFloat('costUsd', { nullable: true }),
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

const MessageRef = builder.objectRef<StoredMessage>('Message').implement({
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID' }),
    seq: t.exposeInt('seq'),
    role: t.expose('role', { type: MessageRoleEnum }),
    content: t.exposeString('content'),
    parentId: t.expose('parentId', { type: 'UUID', nullable: true }),
    toolCallId: t.exposeString('toolCallId', { nullable: true }),
    toolCalls: t.field({ type: [ToolCallRef], resolve: (message) => toolCallsOf(message.toolCalls) }),
    metadata: t.field({
      type: 'JSONObject',
      nullable: true,
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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const TranscriptPageRef = builder.objectRef<TranscriptPage>('TranscriptPage').implement({
  fields: (t) => ({
    messages: t.field({ type: [MessageRef], resolve: (page) => page.messages }),
    hasMore: t.exposeBoolean('hasMore'),
  }),
});

builder.objectField(SessionRef, 'transcript', (t) =>
  t.field({
    type: TranscriptPageRef,
    description: 'Messages after `afterSeq` (default: from the start) in seq order; keep paging with the last seq while hasMore.',
    args: {
      afterSeq: t.arg.int(),
      first: t.arg.int({ defaultValue: DEFAULT_TRANSCRIPT_PAGE, description: 'At most 1000.' }),
    },
    resolve: (session, args, ctx) =>
      ctx.loaders.transcript.load({ sessionId: session.id, ...checkTranscriptArgs(args.afterSeq, args.first) }),
  }),
);

const ToolCallInputRef = builder.inputType('ToolCallInput', {
  fields: (t) => ({
    id: t.string({ required: true }),
    name: t.string({ required: true }),
    arguments: t.string({ required: true }),
  }),
});

const MessageUsageInputRef = builder.inputType('MessageUsageInput', {
  fields: (t) => ({
    inputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0 }),
    outputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0 }),
    cacheReadInputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0 }),
    cacheCreationInputTokens: t.field({ type: 'NonNegativeInt', defaultValue: 0 }),
    costUsd: t.float(),
  }),
});

const MessageInputRef = builder.inputType('MessageInput', {
  fields: (t) => ({
    id: t.field({ type: 'UUID', description: 'Client message id: a message resent with the same id is not stored twice.' }),
    role: t.field({ type: MessageRoleEnum, required: true }),
    content: t.string({ defaultValue: '' }),
    parentId: t.field({ type: 'UUID' }),
    toolCallId: t.string(),
    toolCalls: t.field({ type: [ToolCallInputRef], ...atMost(MAX_TOOL_CALLS) }),
    metadata: t.field({ type: 'JSONObject' }),
    usage: t.field({ type: MessageUsageInputRef, description: 'Only on ASSISTANT messages.' }),
  }),
});

const AppendTranscriptInputRef = builder.inputType('AppendTranscriptInput', {
  fields: (t) => ({
    messages: t.field({ type: [MessageInputRef], required: true, ...atMost(MAX_BATCH_MESSAGES, 'At least 1 message.') }),
  }),
});

const AppendTranscriptPayloadRef = builder.objectRef<AppendResult>('AppendTranscriptPayload').implement({
  fields: (t) => ({
    session: t.field({ type: SessionRef, resolve: (payload) => payload.session }),
    lastSeq: t.exposeInt('lastSeq', { description: 'The highest seq among the batch\u2019s messages (stored now or before).' }),
  }),
});

builder.mutationField('appendTranscript', (t) =>
  t.field({
    type: AppendTranscriptPayloadRef,
    description:
      'Appends a batch of messages in one transaction with consecutive seq numbers; idempotent on message id. Only the owner appends; frozen sessions are CONFLICT.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true }),
      input: t.arg({ type: AppendTranscriptInputRef, required: true }),
    },
    resolve: inWorkspace((access, args, ctx) => appendTranscript(ctx.prisma, access, args.id, args.input.messages)),
  }),
);
