/**
 * Code-point order, from the code points themselves: the tests' own statement of the order the
 * API documents for labels (src/sessions/labels.ts's compareText gets there from UTF-16 units).
 */
export function byCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
