import type { SessionUsage } from '../sessions/usage.js';
import { builder } from './builder.js';

export const SessionUsageRef = builder.objectRef<SessionUsage>('SessionUsage').implement({
  description:
    'Token usage aggregated from the transcript. A generation is an ASSISTANT message with usage. With no generation: zeros, totalCostUsd 0 and lastGenerationInputTokens null.',
  fields: (t) => ({
    totalInputTokens: t.exposeInt('totalInputTokens'),
    totalOutputTokens: t.exposeInt('totalOutputTokens'),
    totalCacheReadInputTokens: t.exposeInt('totalCacheReadInputTokens'),
    totalCacheCreationInputTokens: t.exposeInt('totalCacheCreationInputTokens'),
    totalTokens: t.exposeInt('totalTokens', { description: 'input + cache read + cache creation + output' }),
    totalToolCallCount: t.exposeInt('totalToolCallCount'),
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
