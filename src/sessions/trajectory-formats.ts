import type { Session } from '../generated/prisma/client.js';
import type { Label } from './labels.js';
import type { StoredMessage } from './transcript-read.js';
import type { SessionUsage } from './usage.js';

/**
 * The trajectory formats (docs/api.md, Export), each written as JSON text in pieces: a head, one
 * piece per message, a tail. A writer holds at most one step back (ATIF attaches tool results to
 * the step that called them), so a session of any length is written with flat memory.
 */

export type TrajectoryFormat = 'ATIF' | 'OPENAI' | 'NATIVE';

export const ATIF_SCHEMA_VERSION = 'ATIF-v1.7';

export interface TrajectorySource {
  session: Session;
  labels: Label[];
  usage: SessionUsage;
  includeCompacted: boolean;
}

export interface TrajectoryWriter {
  head(): string;
  /** The text for one message (maybe '' while a step is held back). */
  message(message: StoredMessage): string;
  tail(): string;
}

interface StoredToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A stored value as text: strings as they are, nothing as '', anything else as its JSON. */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : value == null ? '' : (JSON.stringify(value) ?? ''));

/** Stored tool calls, keeping only well-formed entries (rows may come from other writers). */
function toolCallsOf(value: unknown): StoredToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((call: unknown) => {
    if (typeof call !== 'object' || call === null) return [];
    const { id, name, arguments: args } = call as Record<string, unknown>;
    return [{ id: textOf(id), name: textOf(name), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? null) }];
  });
}

const isGeneration = (message: StoredMessage) => message.role === 'ASSISTANT' && message.inputTokens !== null;

/** A separator-aware list writer: "," before every item but the first. */
function listItems(): (json: string) => string {
  let first = true;
  return (json) => {
    const text = first ? json : `,${json}`;
    first = false;
    return text;
  };
}

// ---------------------------------------------------------------- ATIF

interface AtifToolCall {
  tool_call_id: string;
  function_name: string;
  arguments: Record<string, unknown>;
}

interface AtifObservationResult {
  source_call_id?: string;
  content: string;
  extra?: Record<string, unknown>;
}

interface AtifMetrics {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd?: number;
  extra: Record<string, unknown>;
}

interface AtifStep {
  step_id: number;
  timestamp: string;
  source: 'system' | 'user' | 'agent';
  model_name?: string;
  message: string;
  tool_calls?: AtifToolCall[];
  observation?: { results: AtifObservationResult[] };
  metrics?: AtifMetrics;
  is_copied_context?: true;
  extra: Record<string, unknown>;
}

/** ATIF's arguments are an object: a call's JSON object as is, anything else under "value". */
function atifArguments(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { value: parsed };
  } catch {
    return { value: raw };
  }
}

const messageExtra = (message: StoredMessage) => ({
  seq: message.seq,
  message_id: message.id,
  ...(message.compacted ? { compacted: true } : {}),
  ...(message.compactionUpToSeq !== null ? { compaction_up_to_seq: message.compactionUpToSeq } : {}),
  ...(message.metadata !== null ? { metadata: message.metadata } : {}),
});

/** A generation's ATIF metrics (ATIF counts cached tokens within the prompt). */
function atifMetrics(message: StoredMessage): AtifMetrics {
  const cacheRead = message.cacheReadInputTokens ?? 0;
  const cacheCreation = message.cacheCreationInputTokens ?? 0;
  return {
    prompt_tokens: (message.inputTokens ?? 0) + cacheRead + cacheCreation,
    completion_tokens: message.outputTokens ?? 0,
    cached_tokens: cacheRead,
    ...(message.costUsd !== null ? { cost_usd: message.costUsd } : {}),
    extra: { input_tokens: message.inputTokens, cache_creation_input_tokens: cacheCreation },
  };
}

/**
 * A compaction's summary that directly follows what it covers is a context boundary in the RFC's
 * sense (its "Context Management Convention"): after it, the model's context is the summary and
 * what follows. One that leaves current messages between the compacted range and itself is not
 * (those messages stay in the context), so it stays an ordinary step.
 */
const isContextBoundary = (message: StoredMessage) => message.compactionUpToSeq !== null && message.compactionUpToSeq === message.seq - 1;

/**
 * ATIF-v1.7 (Harbor's RFC 0001): one step per SYSTEM, USER and ASSISTANT message, numbered from 1;
 * a TOOL message becomes an observation result of the agent step whose tool call it answers
 * (source_call_id), or of the latest agent step when it answers none of them. Prompt tokens are
 * input + cache read + cache creation, cached tokens the cache reads. A fork's copied messages are
 * `is_copied_context` (the RFC's mark for context copied from an earlier trajectory, which training
 * pipelines leave out). A compaction summary that is a context boundary is a system step with
 * `extra.context_management` and the summary as its observation; a summary generation's metrics
 * then sit in its `extra` (metrics are for agent steps only) and still count in final_metrics,
 * which sum every generation written; total_cost_usd is left out when a generation has no cost,
 * as the usage's totalCostUsd is null then.
 */
export function atifWriter({ session, labels, usage, includeCompacted }: TrajectorySource): TrajectoryWriter {
  const item = listItems();
  let held: AtifStep | null = null;
  let stepId = 0;
  const totals = { prompt: 0, completion: 0, cached: 0, cost: 0, costKnown: true };
  const count = (metrics: AtifMetrics) => {
    totals.prompt += metrics.prompt_tokens;
    totals.completion += metrics.completion_tokens;
    totals.cached += metrics.cached_tokens;
    if (metrics.cost_usd === undefined) totals.costKnown = false;
    else totals.cost += metrics.cost_usd;
  };
  const copied = (message: StoredMessage) =>
    session.forkedFromSeq !== null && message.seq <= session.forkedFromSeq ? { is_copied_context: true as const } : {};
  const flush = (): string => {
    if (!held) return '';
    const text = item(JSON.stringify(held));
    held = null;
    return text;
  };
  return {
    head: () =>
      `{"schema_version":${JSON.stringify(ATIF_SCHEMA_VERSION)},"session_id":${JSON.stringify(session.id)},"agent":${JSON.stringify({
        name: session.agent ?? 'unknown',
        version: 'unknown',
        ...(session.model ? { model_name: session.model } : {}),
      })},"extra":${JSON.stringify({
        title: session.title,
        labels: Object.fromEntries(labels.map((label) => [label.key, label.values])),
        include_compacted: includeCompacted,
        compacted_up_to_seq: session.compactedUpToSeq,
        session_usage: usage,
      })},"steps":[`,
    message: (message) => {
      if (message.role === 'TOOL') {
        let text = '';
        if (!held || held.source !== 'agent') {
          text = flush();
          stepId += 1;
          held = {
            step_id: stepId,
            timestamp: message.createdAt.toISOString(),
            source: 'agent',
            message: '',
            ...copied(message),
            extra: messageExtra(message),
          };
        }
        const answers = held.tool_calls?.some((call) => call.tool_call_id === message.toolCallId) ?? false;
        const result: AtifObservationResult = answers
          ? { source_call_id: message.toolCallId!, content: message.content }
          : { content: message.content, extra: { tool_call_id: message.toolCallId, seq: message.seq } };
        held.observation ??= { results: [] };
        held.observation.results.push(result);
        return text;
      }
      const text = flush();
      stepId += 1;
      if (isContextBoundary(message)) {
        const metrics = isGeneration(message) ? atifMetrics(message) : null;
        if (metrics) count(metrics);
        held = {
          step_id: stepId,
          timestamp: message.createdAt.toISOString(),
          source: 'system',
          message: `Context compaction: messages up to seq ${message.compactionUpToSeq} summarized`,
          observation: { results: [{ content: message.content }] },
          ...copied(message),
          extra: {
            ...messageExtra(message),
            role: message.role,
            ...(metrics ? { metrics } : {}),
            context_management: { type: 'compaction', boundary: 'replace' },
          },
        };
        return text;
      }
      const source = message.role === 'SYSTEM' ? 'system' : message.role === 'USER' ? 'user' : 'agent';
      const step: AtifStep = {
        step_id: stepId,
        timestamp: message.createdAt.toISOString(),
        source,
        message: message.content,
        ...copied(message),
        extra: messageExtra(message),
      };
      if (source === 'agent') {
        if (session.model) step.model_name = session.model;
        const calls = toolCallsOf(message.toolCalls);
        if (calls.length > 0) {
          step.tool_calls = calls.map((call) => ({
            tool_call_id: call.id,
            function_name: call.name,
            arguments: atifArguments(call.arguments),
          }));
        }
        if (isGeneration(message)) {
          step.metrics = atifMetrics(message);
          count(step.metrics);
        }
      }
      held = step;
      return text;
    },
    tail: () =>
      `${flush()}],"final_metrics":${JSON.stringify({
        total_prompt_tokens: totals.prompt,
        total_completion_tokens: totals.completion,
        total_cached_tokens: totals.cached,
        ...(totals.costKnown ? { total_cost_usd: Math.round(totals.cost * 1e10) / 1e10 } : {}),
        total_steps: stepId,
      })}}`,
  };
}

// ---------------------------------------------------------------- OpenAI

/**
 * An OpenAI Chat Completions `messages` array: roles system, user, assistant and tool; an
 * assistant's calls as `tool_calls` of type function (arguments kept as the JSON text they are),
 * a TOOL message as a `tool` message with its `tool_call_id`.
 */
export function openAiWriter(): TrajectoryWriter {
  const item = listItems();
  return {
    head: () => '{"messages":[',
    message: (message) => {
      const calls = toolCallsOf(message.toolCalls);
      const role = message.role.toLowerCase();
      const entry: Record<string, unknown> = { role, content: message.content };
      if (message.role === 'ASSISTANT' && calls.length > 0) {
        if (message.content === '') entry.content = null;
        entry.tool_calls = calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      if (message.role === 'TOOL') entry.tool_call_id = message.toolCallId ?? '';
      return item(JSON.stringify(entry));
    },
    tail: () => ']}',
  };
}

// ---------------------------------------------------------------- native

/** Our own: the session's metadata, labels and usage, and the messages as Message shows them. */
export function nativeWriter({ session, labels, usage, includeCompacted }: TrajectorySource): TrajectoryWriter {
  const item = listItems();
  return {
    head: () =>
      `{"format":"native","includeCompacted":${includeCompacted},"session":${JSON.stringify({
        id: session.id,
        title: session.title,
        model: session.model,
        agent: session.agent,
        origin: session.origin,
        visibility: session.visibility,
        userId: session.userId,
        projectId: session.projectId,
        messageCount: session.messageCount,
        compactedUpToSeq: session.compactedUpToSeq,
        forkedFrom: session.forkedFromSeq === null ? null : { sessionId: session.forkedFromId, seq: session.forkedFromSeq },
        createdAt: session.createdAt,
        updatedAt: session.updatedAt,
        lastMessageAt: session.lastMessageAt,
        archivedAt: session.archivedAt,
        frozenAt: session.frozenAt,
      })},"labels":${JSON.stringify(labels)},"usage":${JSON.stringify(usage)},"messages":[`,
    message: (message) =>
      item(
        JSON.stringify({
          id: message.id,
          seq: message.seq,
          role: message.role,
          content: message.content,
          parentId: message.parentId,
          toolCallId: message.toolCallId,
          toolCalls: toolCallsOf(message.toolCalls),
          metadata: message.metadata,
          usage: isGeneration(message)
            ? {
                inputTokens: message.inputTokens,
                outputTokens: message.outputTokens ?? 0,
                cacheReadInputTokens: message.cacheReadInputTokens ?? 0,
                cacheCreationInputTokens: message.cacheCreationInputTokens ?? 0,
                costUsd: message.costUsd,
              }
            : null,
          createdAt: message.createdAt,
          compacted: message.compacted,
          compactionUpToSeq: message.compactionUpToSeq,
        }),
      ),
    tail: () => ']}',
  };
}

export function trajectoryWriter(format: TrajectoryFormat, source: TrajectorySource): TrajectoryWriter {
  if (format === 'ATIF') return atifWriter(source);
  if (format === 'OPENAI') return openAiWriter();
  return nativeWriter(source);
}
