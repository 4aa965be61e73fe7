import { randomUUID } from 'node:crypto';
import type { seededRandom } from '../../test/support/random.js';
import type { Role, Visibility } from './ledger.js';

export type Rng = ReturnType<typeof seededRandom>;

/** Realistic-looking values: a few models, agents and label values, so facets have something to count. */
export const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'claude-3-haiku', 'llama-3-70b'] as const;
const AGENTS = ['support-bot', 'coder', 'researcher', 'triage'] as const;
export const LABEL_VALUES = {
  team: ['infra', 'docs', 'search', 'billing', 'mobile'],
  env: ['prod', 'staging', 'dev'],
  priority: ['p0', 'p1', 'p2', 'p3'],
  topic: ['flaky build', 'release', 'parser', 'onboarding', 'latency'],
} as const;
const WORDS = (
  'the build is failing again after the release can you check the parser and the flaky test in ' +
  'search latency went up on staging please summarise the incident timeline and propose a fix ' +
  'here is the stack trace from prod the cache layer returns stale entries when the index rebuilds'
).split(' ');

export interface LabelInput {
  key: string;
  values: string[];
}

export interface NewSession {
  id: string;
  model: string;
  title: string;
  agent: string | null;
  visibility: Visibility;
  labels: LabelInput[];
}

export function text(rng: Rng, minChars: number, maxChars: number): string {
  const target = minChars + rng.int(maxChars - minChars + 1);
  const words: string[] = [];
  let length = 0;
  while (length < target) {
    const word = rng.pick(WORDS);
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ').slice(0, target);
}

export function pickLabels(rng: Rng): LabelInput[] {
  const keys = Object.keys(LABEL_VALUES) as (keyof typeof LABEL_VALUES)[];
  const chosen = rng.subset(keys, 0.5);
  const picked = chosen.length > 0 ? chosen : [rng.pick(keys)];
  return picked.map((key) => {
    const values = rng.subset(LABEL_VALUES[key], 0.3);
    return { key, values: values.length > 0 ? values : [rng.pick(LABEL_VALUES[key])] };
  });
}

export function newSession(rng: Rng): NewSession {
  return {
    id: randomUUID(),
    model: rng.pick(MODELS),
    title: text(rng, 10, 80),
    agent: rng.chance(0.8) ? rng.pick(AGENTS) : null,
    // Some sessions are shared, so lists and facets see other users' sessions and their creators.
    visibility: rng.chance(0.3) ? 'WORKSPACE' : 'PRIVATE',
    labels: pickLabels(rng),
  };
}

/** What a later save of the same session changes (a saveSession retry's mutable fields). */
export function revisedFields(rng: Rng): { model: string; title: string; agent: string | null } {
  return { model: rng.pick(MODELS), title: text(rng, 10, 80), agent: rng.chance(0.8) ? rng.pick(AGENTS) : null };
}

export interface OutgoingMessage {
  id: string;
  role: Role;
  content: string;
  toolCallId?: string;
  toolCalls?: { id: string; name: string; arguments: string }[];
  usage?: {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens: number;
    cacheCreationInputTokens: number;
    costUsd: number | null;
  };
}

export const messageTokens = (message: OutgoingMessage) =>
  message.usage
    ? message.usage.inputTokens + message.usage.outputTokens + message.usage.cacheReadInputTokens + message.usage.cacheCreationInputTokens
    : 0;

/** One to three conversation turns: a user message, a generation, sometimes a tool round trip. */
export function conversationBatch(rng: Rng): OutgoingMessage[] {
  const batch: OutgoingMessage[] = [];
  const turns = 1 + rng.int(3);
  for (let turn = 0; turn < turns; turn += 1) {
    batch.push({ id: randomUUID(), role: 'USER', content: text(rng, 20, 400) });
    const generation = () => ({
      inputTokens: 100 + rng.int(4000),
      outputTokens: 10 + rng.int(800),
      cacheReadInputTokens: rng.int(2000),
      cacheCreationInputTokens: rng.int(200),
      // A few generations without a cost: totalCostUsd must then be null, never a partial sum.
      costUsd: rng.chance(0.95) ? rng.int(100_000) / 1e7 : null,
    });
    if (rng.chance(0.25)) {
      const callId = `call_${rng.int(1e9)}`;
      batch.push({
        id: randomUUID(),
        role: 'ASSISTANT',
        content: '',
        toolCalls: [{ id: callId, name: 'search_docs', arguments: JSON.stringify({ query: text(rng, 5, 40) }) }],
        usage: generation(),
      });
      batch.push({ id: randomUUID(), role: 'TOOL', content: text(rng, 50, 1200), toolCallId: callId });
    }
    batch.push({ id: randomUUID(), role: 'ASSISTANT', content: text(rng, 50, 1500), usage: generation() });
  }
  return batch;
}
