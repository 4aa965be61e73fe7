import type { SessionUsage } from '../sessions/usage.js';
import { builder } from './builder.js';

export const SessionUsageRef = builder.objectRef<SessionUsage>('SessionUsage').implement({
  description:
    'Token usage over every stored message of a session. A generation is an ASSISTANT message with usage. With no generation: zeros, totalCostUsd 0 and lastGenerationInputTokens null. Not an entity: it belongs to its session (no id).',
  fields: (t) => ({
    totalInputTokens: t.exposeInt('totalInputTokens', { description: 'Input tokens of every generation.' }),
    totalOutputTokens: t.exposeInt('totalOutputTokens', { description: 'Output tokens of every generation.' }),
    totalCacheReadInputTokens: t.exposeInt('totalCacheReadInputTokens', { description: 'Input tokens read from the prompt cache.' }),
    totalCacheCreationInputTokens: t.exposeInt('totalCacheCreationInputTokens', {
      description: 'Input tokens written to the prompt cache.',
    }),
    totalTokens: t.exposeInt('totalTokens', { description: 'input + cache read + cache creation + output' }),
    totalToolCallCount: t.exposeInt('totalToolCallCount', { description: 'Tool calls of every message.' }),
    totalCostUsd: t.exposeFloat('totalCostUsd', {
      nullable: true,
      description: 'Null as soon as one generation has no cost: a partial sum is never reported.',
    }),
    lastGenerationInputTokens: t.exposeInt('lastGenerationInputTokens', {
      nullable: true,
      description: 'Input tokens of the most recent generation; null before the first one.',
    }),
  }),
});
