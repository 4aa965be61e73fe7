/**
 * The options every list input takes: its bound, which list-limits.ts enforces before execution
 * (BAD_USER_INPUT), said in its description too. test/schema checks that no list input lacks one.
 */
export function atMost(maxItems: number, description?: string): { extensions: { maxItems: number }; description: string } {
  return { extensions: { maxItems }, description: `${description ? `${description} ` : ''}At most ${maxItems} items.` };
}
