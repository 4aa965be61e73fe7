/** A plain JSON object (not null, not an array): what JSONObject fields and representations must be. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
